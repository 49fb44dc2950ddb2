package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadYAMLJSONAndStdin(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "c.yaml")
	os.WriteFile(yml, []byte("name: prod\nnodePools:\n  - name: control-plane\n    size: 3\n"), 0o600)
	jsn := filepath.Join(dir, "c.json")
	os.WriteFile(jsn, []byte(`{"name":"prod","nodePools":[{"name":"control-plane","size":3}]}`), 0o600)

	a, err := Load(yml, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(jsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("-", strings.NewReader("name: prod\nnodePools: [{name: control-plane, size: 3}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, c) {
		t.Errorf("YAML, JSON and stdin disagree:\n%v\n%v\n%v", a, b, c)
	}
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	cases := map[string]string{
		filepath.Join(dir, "missing.yaml"):       "no such file",
		write("empty.yaml", "\n"):                "is empty",
		write("broken.yaml", "name: [prod\n"):    "not valid YAML or JSON",
		write("list.yaml", "- name: prod\n"):     "not a list",
		write("scalar.json", `"just a string"`):  "not a string",
		write("tabs.yaml", "name: a\n\tsize: 1"): "not valid YAML",
	}
	for path, want := range cases {
		_, err := Load(path, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) = %v, want an error with %q", filepath.Base(path), err, want)
		}
	}
}

func TestClusterFromFlags(t *testing.T) {
	body, err := Cluster(ClusterFlags{
		Name: "prod", Account: "acc-1", Profile: "prf-1", Region: "eu-west-1",
		AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, SSHKey: "ops",
		BastionCIDRs: []string{"203.0.113.0/24"}, Workers: 3, InstanceType: "m5.large",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(body)
	want := `{"bastion":{"allowedCidrs":["203.0.113.0/24"],"enabled":true},"cloudAccountId":"acc-1",` +
		`"name":"prod","nodePools":[{"controlPlane":true,"instanceType":"m5.large","name":"control-plane","size":3},` +
		`{"instanceType":"m5.large","name":"workers","size":3}],` +
		`"placement":{"azs":["eu-west-1a","eu-west-1b","eu-west-1c"],"type":"dynamic"},` +
		`"profileId":"prf-1","region":"eu-west-1","sshKeyName":"ops"}`
	if string(got) != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}

	if _, err := Cluster(ClusterFlags{Name: "x", Region: "eu-west-1"}); err == nil || !strings.Contains(err.Error(), "missing --account, --profile") {
		t.Errorf("missing flags: %v", err)
	}
}

func TestPoolFlags(t *testing.T) {
	size := 2
	off := 0
	patch, err := Patch(PoolFlags{Size: &size, Labels: []string{"tier=web"}, Taints: []string{"dedicated=gpu:NoSchedule", "spot:PreferNoSchedule"}, SpotMaxPricePercent: &off})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(patch)
	want := `{"capacity":{"type":"onDemand"},"labels":{"tier":"web"},"size":2,` +
		`"taints":[{"effect":"NoSchedule","key":"dedicated","value":"gpu"},{"effect":"PreferNoSchedule","key":"spot"}]}`
	if string(got) != want {
		t.Errorf("patch = %s\nwant    %s", got, want)
	}
	if p, _ := Patch(PoolFlags{}); len(p) != 0 {
		t.Errorf("empty patch = %v; nothing given must send nothing", p)
	}
	if _, err := ParseTaints([]string{"noeffect"}); err == nil {
		t.Error("taint without effect accepted")
	}
	if _, err := ParseLabels([]string{"=v"}); err == nil {
		t.Error("label without key accepted")
	}
	if _, err := Pool(PoolFlags{Name: "gpu"}); err == nil {
		t.Error("pool without size accepted")
	}
}
