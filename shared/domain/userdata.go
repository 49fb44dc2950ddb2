package domain

import (
	"fmt"
	"strings"
)

// MaxUserData is AWS's limit on raw (pre-base64) user data.
const MaxUserData = 16 * 1024

// ControlPlaneTaint keeps workloads off control-plane nodes unless the pool
// allows worker capability.
var ControlPlaneTaint = Taint{Key: "node-role.kubernetes.io/control-plane", Effect: EffectNoSchedule}

// LabelPool is the node label that names a node's pool; our update
// workflow and users' nodeSelectors both use it.
const LabelPool = "clusterforge.io/pool"

// Paths on the node.
const (
	kubeadmConfigPath = "/run/kubeadm/kubeadm.yaml"
	packValuesDir     = "/etc/clusterforge/packs"
	kubeadmAPIVersion = "kubeadm.k8s.io/v1beta4" // kubeadm ≥ 1.31
)

// BootstrapSecrets let nodes join. The workflow generates them per cluster
// (the CA in advance, so its hash is known before the first node boots).
type BootstrapSecrets struct {
	Token          string // kubeadm bootstrap token, [a-z0-9]{6}.[a-z0-9]{16}
	CACertHash     string // sha256:<hex> of the cluster CA's public key
	CertificateKey string // decrypts the control-plane certs uploaded by init
}

// UserDataInput is everything a node's user data depends on.
type UserDataInput struct {
	ClusterName       string
	ClusterID         string
	APIServerEndpoint string // the NLB's DNS name
	Pool              NodePoolSpec
	// Init is true for the first control-plane node, which runs kubeadm init;
	// every other node joins.
	Init          bool
	Layers        []Layer
	PackOverrides map[string]string
	Bootstrap     BootstrapSecrets
}

// NodeLabels are the pool's labels plus the pool label, as the kubelet's
// --node-labels value: sorted, so the output is deterministic.
func NodeLabels(pool NodePoolSpec) string {
	labels := map[string]string{LabelPool: pool.Name}
	for k, v := range pool.Labels {
		labels[k] = v
	}
	parts := make([]string, 0, len(labels))
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// NodeTaints are the pool's taints, with the control-plane taint first when
// the control plane does not take workloads, as --register-with-taints wants them.
func NodeTaints(pool NodePoolSpec) string {
	taints := pool.Taints
	if pool.ControlPlane && !pool.AllowWorkerCapability {
		taints = append([]Taint{ControlPlaneTaint}, taints...)
	}
	parts := make([]string, len(taints))
	for i, t := range taints {
		parts[i] = t.String()
	}
	return strings.Join(parts, ",")
}

// kubeadm v1beta4 documents, as much of them as we set. Field order is the
// YAML order, which keeps the output stable and readable.
type (
	kubeadmArg struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	}
	kubeadmNodeRegistration struct {
		KubeletExtraArgs []kubeadmArg `yaml:"kubeletExtraArgs"`
		// Always present and empty: taints go through register-with-taints
		// so workers and control planes are handled alike, and kubeadm must
		// not add its own control-plane taint on top.
		Taints []struct{} `yaml:"taints"`
	}
	kubeadmInit struct {
		APIVersion       string                  `yaml:"apiVersion"`
		Kind             string                  `yaml:"kind"`
		BootstrapTokens  []map[string]string     `yaml:"bootstrapTokens"`
		NodeRegistration kubeadmNodeRegistration `yaml:"nodeRegistration"`
		CertificateKey   string                  `yaml:"certificateKey"`
	}
	kubeadmCluster struct {
		APIVersion           string            `yaml:"apiVersion"`
		Kind                 string            `yaml:"kind"`
		ClusterName          string            `yaml:"clusterName"`
		KubernetesVersion    string            `yaml:"kubernetesVersion,omitempty"`
		ControlPlaneEndpoint string            `yaml:"controlPlaneEndpoint"`
		Networking           map[string]string `yaml:"networking,omitempty"`
		APIServer            map[string]any    `yaml:"apiServer"`
	}
	kubeadmJoin struct {
		APIVersion       string                  `yaml:"apiVersion"`
		Kind             string                  `yaml:"kind"`
		Discovery        map[string]any          `yaml:"discovery"`
		NodeRegistration kubeadmNodeRegistration `yaml:"nodeRegistration"`
		ControlPlane     map[string]string       `yaml:"controlPlane,omitempty"`
	}
	cloudConfigFile struct {
		Path        string `yaml:"path"`
		Owner       string `yaml:"owner"`
		Permissions string `yaml:"permissions"`
		Content     string `yaml:"content"`
	}
	cloudConfig struct {
		WriteFiles []cloudConfigFile `yaml:"write_files"`
		RunCmd     [][]string        `yaml:"runcmd"`
	}
)

// kubernetesValueKeys map keys of the k8s layer's values to kubeadm's
// networking fields.
var kubernetesValueKeys = map[string]string{"podCIDR": "podSubnet", "serviceCIDR": "serviceSubnet"}

// RenderUserData renders a node's cloud-init user data: the profile's layer
// values with packOverrides merged over them (one file per layer, for the
// add-on installer), the kubeadm configuration with the pool's labels and
// taints as kubelet arguments, and the kubeadm command. The same input
// always gives the same bytes. It fails if the result exceeds AWS's 16 KB.
func RenderUserData(in UserDataInput) (string, error) {
	if in.ClusterName == "" || in.APIServerEndpoint == "" {
		return "", fmt.Errorf("render user data: cluster name and API server endpoint are required")
	}
	if in.Bootstrap.Token == "" || (!in.Init && in.Bootstrap.CACertHash == "") ||
		(in.Pool.ControlPlane && in.Bootstrap.CertificateKey == "") {
		return "", fmt.Errorf("render user data: bootstrap token, CA hash (joins) and certificate key (control plane) are required")
	}
	if in.Init && !in.Pool.ControlPlane {
		return "", fmt.Errorf("render user data: only a control-plane node can init the cluster")
	}
	layers, err := MergeLayerValues(in.Layers, in.PackOverrides)
	if err != nil {
		return "", fmt.Errorf("render user data: %w", err)
	}
	kubeadm, err := renderKubeadm(in, layers)
	if err != nil {
		return "", fmt.Errorf("render user data: %w", err)
	}
	cc := cloudConfig{}
	for i, l := range layers {
		cc.WriteFiles = append(cc.WriteFiles, cloudConfigFile{
			Path:  fmt.Sprintf("%s/%02d-%s.yaml", packValuesDir, i, l.Name),
			Owner: "root:root", Permissions: "0644", Content: l.Values,
		})
	}
	cc.WriteFiles = append(cc.WriteFiles, cloudConfigFile{
		Path: kubeadmConfigPath, Owner: "root:root", Permissions: "0600", Content: kubeadm,
	})
	cmd := []string{"kubeadm", "join", "--config", kubeadmConfigPath}
	if in.Init {
		cmd = []string{"kubeadm", "init", "--config", kubeadmConfigPath, "--upload-certs"}
	}
	cc.RunCmd = [][]string{cmd}
	body, err := marshalYAML(cc)
	if err != nil {
		return "", fmt.Errorf("render user data: %w", err)
	}
	out := "#cloud-config\n" + body
	if len(out) > MaxUserData {
		return "", fmt.Errorf("render user data: %d bytes exceeds AWS's %d-byte user-data limit; move large pack values out of the profile", len(out), MaxUserData)
	}
	return out, nil
}

func renderKubeadm(in UserDataInput, layers []Layer) (string, error) {
	endpoint := fmt.Sprintf("%s:%d", in.APIServerEndpoint, PortAPIServer)
	reg := kubeadmNodeRegistration{
		KubeletExtraArgs: []kubeadmArg{{"cloud-provider", "external"}, {"node-labels", NodeLabels(in.Pool)}},
		Taints:           []struct{}{},
	}
	if t := NodeTaints(in.Pool); t != "" {
		reg.KubeletExtraArgs = append(reg.KubeletExtraArgs, kubeadmArg{"register-with-taints", t})
	}
	var docs []any
	if in.Init {
		version, networking, err := kubernetesSettings(layers)
		if err != nil {
			return "", err
		}
		docs = []any{
			kubeadmInit{
				APIVersion: kubeadmAPIVersion, Kind: "InitConfiguration",
				BootstrapTokens:  []map[string]string{{"token": in.Bootstrap.Token, "ttl": "24h0m0s"}},
				NodeRegistration: reg, CertificateKey: in.Bootstrap.CertificateKey,
			},
			kubeadmCluster{
				APIVersion: kubeadmAPIVersion, Kind: "ClusterConfiguration",
				ClusterName: in.ClusterName, KubernetesVersion: version, ControlPlaneEndpoint: endpoint,
				Networking: networking, APIServer: map[string]any{"certSANs": []string{in.APIServerEndpoint}},
			},
		}
	} else {
		join := kubeadmJoin{
			APIVersion: kubeadmAPIVersion, Kind: "JoinConfiguration",
			Discovery: map[string]any{"bootstrapToken": map[string]any{
				"apiServerEndpoint": endpoint, "token": in.Bootstrap.Token,
				"caCertHashes": []string{in.Bootstrap.CACertHash},
			}},
			NodeRegistration: reg,
		}
		if in.Pool.ControlPlane {
			join.ControlPlane = map[string]string{"certificateKey": in.Bootstrap.CertificateKey}
		}
		docs = []any{join}
	}
	parts := make([]string, len(docs))
	for i, d := range docs {
		s, err := marshalYAML(d)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return strings.Join(parts, "---\n"), nil
}

// kubernetesSettings reads the Kubernetes version and networking from the
// profile's kubernetes layer (after overrides).
func kubernetesSettings(layers []Layer) (string, map[string]string, error) {
	for _, l := range layers {
		if l.Type != LayerKubernetes {
			continue
		}
		values, err := parseMapping(l.Values)
		if err != nil {
			return "", nil, fmt.Errorf("layer %s: %w", l.Name, err)
		}
		networking := map[string]string{}
		for from, to := range kubernetesValueKeys {
			if s, ok := values[from].(string); ok && s != "" {
				networking[to] = s
			}
		}
		version := l.Version
		if version != "" && !strings.HasPrefix(version, "v") {
			version = "v" + version
		}
		return version, networking, nil
	}
	return "", nil, fmt.Errorf("the cluster profile has no %s layer", LayerKubernetes)
}
