package domain_test

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clusterforge/clusterforge/shared/domain"
)

var testLayers = []domain.Layer{
	{Type: domain.LayerOS, Name: "ubuntu", Version: "22.04"},
	{Type: domain.LayerKubernetes, Name: "kubernetes", Version: "1.31.4", Values: "podCIDR: 10.244.0.0/16\n" +
		"serviceCIDR: 10.96.0.0/12\napiServer:\n  extraArgs:\n    audit-log-maxage: \"30\"\n    profiling: \"false\"\n"},
	{Type: domain.LayerCNI, Name: "calico", Version: "3.28.0", Values: "mtu: 1440\nipPools: [default]\n"},
}

func userDataInput(t *testing.T, poolIndex int, init bool) domain.UserDataInput {
	s := domain.WithDefaults(example(t))
	s.PackOverrides["kubernetes"] = "podCIDR: 192.168.0.0/16\napiServer:\n  extraArgs:\n    profiling: \"true\"\n    anonymous-auth: \"false\"\n"
	return domain.UserDataInput{
		ClusterName: s.Name, ClusterID: testClusterID,
		APIServerEndpoint: "prod-eu-api-1234.elb.eu-west-1.amazonaws.com",
		Pool:              s.NodePools[poolIndex], Init: init,
		Layers: testLayers, PackOverrides: s.PackOverrides,
		Bootstrap: domain.BootstrapSecrets{Token: "abcdef.0123456789abcdef", CACertHash: "sha256:" + strings.Repeat("ab", 32), CertificateKey: strings.Repeat("cd", 32)},
	}
}

// parseUserData checks the output is a cloud-config and returns its
// documents: the cloud-config itself and the kubeadm documents inside it.
func parseUserData(t *testing.T, ud string) (map[string]any, []map[string]any) {
	t.Helper()
	if !strings.HasPrefix(ud, "#cloud-config\n") {
		t.Fatalf("not a cloud-config:\n%s", ud)
	}
	var cc map[string]any
	if err := yaml.Unmarshal([]byte(ud), &cc); err != nil {
		t.Fatalf("user data is not YAML: %v\n%s", err, ud)
	}
	var kubeadm []map[string]any
	for _, f := range cc["write_files"].([]any) {
		file := f.(map[string]any)
		if file["path"] != "/run/kubeadm/kubeadm.yaml" {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(file["content"].(string)))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				break
			}
			kubeadm = append(kubeadm, doc)
		}
	}
	return cc, kubeadm
}

func kubeletArgs(t *testing.T, doc map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	reg := doc["nodeRegistration"].(map[string]any)
	for _, a := range reg["kubeletExtraArgs"].([]any) {
		arg := a.(map[string]any)
		out[arg["name"].(string)] = arg["value"].(string)
	}
	if taints, ok := reg["taints"].([]any); !ok || len(taints) != 0 {
		t.Errorf("nodeRegistration.taints must be an explicit empty list, got %v", reg["taints"])
	}
	return out
}

func TestRenderUserDataWorker(t *testing.T) {
	ud, err := domain.RenderUserData(userDataInput(t, 1, false))
	if err != nil {
		t.Fatal(err)
	}
	cc, docs := parseUserData(t, ud)
	if len(docs) != 1 || docs[0]["kind"] != "JoinConfiguration" {
		t.Fatalf("worker kubeadm docs: %v", docs)
	}
	args := kubeletArgs(t, docs[0])
	if args["node-labels"] != "clusterforge.io/pool=general,tier=web" {
		t.Errorf("node-labels = %q", args["node-labels"])
	}
	if args["register-with-taints"] != "dedicated=web:NoSchedule" {
		t.Errorf("register-with-taints = %q", args["register-with-taints"])
	}
	bt := docs[0]["discovery"].(map[string]any)["bootstrapToken"].(map[string]any)
	if bt["apiServerEndpoint"] != "prod-eu-api-1234.elb.eu-west-1.amazonaws.com:6443" {
		t.Errorf("join endpoint %v", bt["apiServerEndpoint"])
	}
	if _, ok := docs[0]["controlPlane"]; ok {
		t.Error("a worker must not join as control plane")
	}
	if cmd := cc["runcmd"].([]any)[0].([]any); cmd[1] != "join" {
		t.Errorf("runcmd %v", cmd)
	}
}

func TestRenderUserDataControlPlaneInit(t *testing.T) {
	in := userDataInput(t, 0, true)
	ud, err := domain.RenderUserData(in)
	if err != nil {
		t.Fatal(err)
	}
	cc, docs := parseUserData(t, ud)
	if len(docs) != 2 || docs[0]["kind"] != "InitConfiguration" || docs[1]["kind"] != "ClusterConfiguration" {
		t.Fatalf("init kubeadm docs: %v", docs)
	}
	if got := kubeletArgs(t, docs[0])["register-with-taints"]; got != "node-role.kubernetes.io/control-plane:NoSchedule" {
		t.Errorf("control-plane taint: %q", got)
	}
	cfg := docs[1]
	if cfg["clusterName"] != "prod-eu" || cfg["kubernetesVersion"] != "v1.31.4" ||
		cfg["controlPlaneEndpoint"] != "prod-eu-api-1234.elb.eu-west-1.amazonaws.com:6443" {
		t.Errorf("ClusterConfiguration: %v", cfg)
	}
	// The override wins for podCIDR; serviceCIDR comes from the layer.
	net := cfg["networking"].(map[string]any)
	if net["podSubnet"] != "192.168.0.0/16" || net["serviceSubnet"] != "10.96.0.0/12" {
		t.Errorf("networking: %v", net)
	}
	if cmd := cc["runcmd"].([]any)[0].([]any); cmd[1] != "init" || cmd[len(cmd)-1] != "--upload-certs" {
		t.Errorf("runcmd %v", cmd)
	}

	// Deep merge in the pack values file: overridden, added and kept keys.
	var values map[string]any
	for _, f := range cc["write_files"].([]any) {
		if file := f.(map[string]any); file["path"] == "/etc/clusterforge/packs/01-kubernetes.yaml" {
			if err := yaml.Unmarshal([]byte(file["content"].(string)), &values); err != nil {
				t.Fatal(err)
			}
		}
	}
	extra := values["apiServer"].(map[string]any)["extraArgs"].(map[string]any)
	if values["podCIDR"] != "192.168.0.0/16" || extra["profiling"] != "true" || extra["anonymous-auth"] != "false" || extra["audit-log-maxage"] != "30" {
		t.Errorf("merged kubernetes values: %v", values)
	}

	// With worker capability there is no control-plane taint.
	in.Pool.AllowWorkerCapability = true
	ud, err = domain.RenderUserData(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, docs := parseUserData(t, ud); kubeletArgs(t, docs[0])["register-with-taints"] != "" {
		t.Error("control plane with worker capability still tainted")
	}
}

func TestRenderUserDataControlPlaneJoin(t *testing.T) {
	ud, err := domain.RenderUserData(userDataInput(t, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	_, docs := parseUserData(t, ud)
	cp, ok := docs[0]["controlPlane"].(map[string]any)
	if !ok || cp["certificateKey"] != strings.Repeat("cd", 32) {
		t.Errorf("control-plane join: %v", docs[0])
	}
}

func TestRenderUserDataDeterministic(t *testing.T) {
	in := userDataInput(t, 1, false)
	in.Pool.Labels = map[string]string{"z": "1", "a": "2", "m": "3", "example.com/k": "v"}
	first, err := domain.RenderUserData(in)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if again, _ := domain.RenderUserData(in); again != first {
			t.Fatal("same input rendered different user data")
		}
	}
	if !strings.Contains(first, "value: a=2,clusterforge.io/pool=general,example.com/k=v,m=3,z=1\n") {
		t.Errorf("labels not sorted:\n%s", first)
	}
}

func TestRenderUserDataErrors(t *testing.T) {
	tooBig := userDataInput(t, 1, false)
	tooBig.PackOverrides = map[string]string{"calico": "blob: " + strings.Repeat("x", 17000)}
	if _, err := domain.RenderUserData(tooBig); err == nil || !strings.Contains(err.Error(), "16384") {
		t.Errorf("oversized user data: %v", err)
	}

	unknown := userDataInput(t, 1, false)
	unknown.PackOverrides = map[string]string{"cilium": "a: 1"}
	_, err := domain.RenderUserData(unknown)
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "packOverrides.cilium" {
		t.Errorf("override for a missing layer: %v", err)
	}

	workerInit := userDataInput(t, 1, true)
	if _, err := domain.RenderUserData(workerInit); err == nil {
		t.Error("a worker must not init the cluster")
	}
	noHash := userDataInput(t, 1, false)
	noHash.Bootstrap.CACertHash = ""
	if _, err := domain.RenderUserData(noHash); err == nil {
		t.Error("a join without the CA hash must fail")
	}
}

func TestMergeYAML(t *testing.T) {
	for _, tc := range []struct{ name, base, over, want string }{
		{"deep", "a:\n  b: 1\n  c: 2\n", "a:\n  c: 3\n  d: 4\n", "a:\n  b: 1\n  c: 3\n  d: 4\n"},
		{"list replaced", "l: [1, 2]\n", "l: [3]\n", "l:\n  - 3\n"},
		{"map replaces scalar", "a: 1\n", "a:\n  b: 2\n", "a:\n  b: 2\n"},
		{"null deletes", "a: 1\nb: 2\n", "a: null\n", "b: 2\n"},
		{"empty base", "", "x: z\n", "x: z\n"},
		{"empty override", "x: z\n", "", "x: z\n"},
		{"yes stays a string", "", "x: \"y\"\n", "x: \"y\"\n"},
		{"sorted output", "b: 1\na: 2\n", "", "a: 2\nb: 1\n"},
	} {
		got, err := domain.MergeYAML(tc.base, tc.over)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := domain.MergeYAML("a: 1", "- x"); err == nil {
		t.Error("a list override must be refused")
	}
}
