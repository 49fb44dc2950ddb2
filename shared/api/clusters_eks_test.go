package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// eksCluster is the eks example with this harness's account and
// profile: two node groups (one spot with a taint) and a Fargate profile.
func (ch *clusterHarness) eksCluster() domain.ClusterSpec {
	return domain.ClusterSpec{
		Kind: domain.KindEKS, Name: "eks-eu", ProfileID: ch.profileID, CloudAccountID: ch.accountID, Region: "eu-west-1",
		Placement: domain.Placement{AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		EKS: &domain.EKSSpec{
			EndpointAccess:  domain.EndpointAccess{Private: new(false)},
			FargateProfiles: []domain.FargateProfileSpec{{Name: "system", Selectors: []domain.FargateSelector{{Namespace: "kube-system"}}}},
		},
		NodePools: []domain.NodePoolSpec{
			{Name: "general", Size: 2, MinSize: new(1), MaxSize: new(4), InstanceType: "m5.large", Labels: map[string]string{"tier": "web"}},
			{Name: "spot", Size: 1, InstanceTypes: []string{"m5.large", "m5.xlarge"}, Capacity: domain.Capacity{Type: domain.CapacitySpot},
				Taints: []domain.Taint{{Key: "spot", Value: "true", Effect: domain.EffectNoSchedule}}},
		},
	}
}

func (ch *clusterHarness) eksBody(mutate func(*domain.ClusterSpec)) string {
	s := ch.eksCluster()
	if mutate != nil {
		mutate(&s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		ch.t.Fatal(err)
	}
	return string(b)
}

func createEKS(ch *clusterHarness) string {
	ch.t.Helper()
	return ch.must(202, call{method: "POST", path: "/v1/clusters", body: ch.eksBody(nil), claims: acmeEditor}).json["id"].(string)
}

func lastStart(ch *clusterHarness) started {
	ch.t.Helper()
	if len(ch.exec.starts) == 0 {
		ch.t.Fatal("nothing started")
	}
	return ch.exec.starts[len(ch.exec.starts)-1]
}

func TestEKSClusterStartsItsOwnWorkflows(t *testing.T) {
	ch := newClusterHarness(t)
	res := ch.must(202, call{method: "POST", path: "/v1/clusters", body: ch.eksBody(nil), claims: acmeEditor})
	id := res.json["id"].(string)
	if st := lastStart(ch); st.stateMachine != provisionEKSSM || st.name != id+"-1" {
		t.Fatalf("started %+v, want provision-eks", st)
	}
	// Stored with the eks defaults.
	eks := res.json["eks"].(map[string]any)
	access := eks["endpointAccess"].(map[string]any)
	if res.json["kind"] != "eks" || eks["kubernetesVersion"] != domain.DefaultEKSVersion || access["public"] != true || access["private"] != false ||
		fmt.Sprint(access["publicCidrs"]) != "[0.0.0.0/0]" || res.json["bastion"].(map[string]any)["enabled"] != false {
		t.Fatalf("stored %s", res.body)
	}
	spot := res.json["nodePools"].([]any)[1].(map[string]any)
	if spot["minSize"] != 1.0 || spot["maxSize"] != 1.0 || spot["maxUnavailable"] != 1.0 || spot["instanceType"] != "m5.large" {
		t.Fatalf("spot pool %v", spot)
	}
	var names []string
	for _, tk := range res.json["tasks"].([]any) {
		names = append(names, tk.(map[string]any)["name"].(string))
	}
	if !slices.Equal(names, workflow.ProvisionTasks(domain.WithDefaults(ch.eksCluster()))) {
		t.Fatalf("tasks %v", names)
	}

	// Retry of a failed provisioning resumes provision-eks.
	ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusFailed })
	ch.must(202, ch.clusterCall("POST", id, "/retry", acmeEditor))
	if st := lastStart(ch); st.stateMachine != provisionEKSSM || st.name != id+"-2" {
		t.Fatalf("retry started %+v", st)
	}
	// Delete, and the retry of a stuck deletion, run delete-eks.
	del := ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	if st := lastStart(ch); st.stateMachine != deleteEKSSM {
		t.Fatalf("delete started %+v", st)
	}
	names = nil
	for _, tk := range del.json["tasks"].([]any) {
		names = append(names, tk.(map[string]any)["name"].(string))
	}
	if !slices.Equal(names, workflow.DeletionTasksOf(domain.WithDefaults(ch.eksCluster()))) || !slices.Contains(names, "eksCluster") {
		t.Fatalf("deletion tasks %v", names)
	}
	ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusFailed })
	ch.must(202, ch.clusterCall("POST", id, "/retry", acmeEditor))
	if st := lastStart(ch); st.stateMachine != deleteEKSSM || st.name != id+"-4" {
		t.Fatalf("stuck deletion retry started %+v", st)
	}
	// The self-managed kind keeps its machines.
	ch.create(nil)
	if st := lastStart(ch); st.stateMachine != provisionSM {
		t.Fatalf("self-managed started %+v", st)
	}
	ch.checkLogs()
}

func TestEKSCreateRejectsBadInput(t *testing.T) {
	ch := newClusterHarness(t)
	items := ch.env.ItemCount(t)
	for _, tc := range []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		field  string
	}{
		{"no eks object", func(s *domain.ClusterSpec) { s.EKS = nil }, "eks"},
		{"endpoint unreachable", func(s *domain.ClusterSpec) { s.EKS.EndpointAccess.Public = new(false) }, "eks.endpointAccess"},
		{"version", func(s *domain.ClusterSpec) { s.EKS.KubernetesVersion = "1.20" }, "eks.kubernetesVersion"},
		{"control-plane pool", func(s *domain.ClusterSpec) { s.NodePools[0].ControlPlane = true }, "nodePools[0].controlPlane"},
		{"size above max", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 5 }, "nodePools[0].size"},
		{"bastion", func(s *domain.ClusterSpec) { s.Bastion.Enabled = new(true) }, "bastion.enabled"},
		{"fargate namespace", func(s *domain.ClusterSpec) { s.EKS.FargateProfiles[0].Selectors[0].Namespace = "" }, "eks.fargateProfiles[0].selectors[0].namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ch.must(400, call{method: "POST", path: "/v1/clusters", body: ch.eksBody(tc.mutate), claims: acmeEditor})
			if field, code := r.errorField(); field != tc.field || code != "invalid_request" {
				t.Errorf("error %s, want field %s", r.body, tc.field)
			}
		})
	}
	if n := ch.env.ItemCount(t); n != items || len(ch.exec.starts) != 0 {
		t.Fatalf("stored %d items, started %d", n-items, len(ch.exec.starts))
	}
	// An explicit spotMaxPricePercent 0, which the spec type reads as
	// absent, is refused too: the contract's minimum is 1.
	body := strings.Replace(ch.eksBody(nil), `"capacity":{"type":"spot"}`, `"capacity":{"type":"spot","spotMaxPricePercent":0}`, 1)
	r := ch.must(400, call{method: "POST", path: "/v1/clusters", body: body, claims: acmeEditor})
	if field, _ := r.errorField(); field != "nodePools[1].capacity.spotMaxPricePercent" {
		t.Fatalf("explicit 0: %s", r.body)
	}
}

func TestEKSNotConfigured(t *testing.T) {
	ch := newClusterHarness(t)
	ch.handler = api.New(api.Deps{Store: ch.env.Store, Secrets: ch.env.Secrets, Logger: api.NewLogger(ch.logs, "debug"),
		ProvisionStateMachineARN: provisionSM, DeleteStateMachineARN: deleteSM, Executions: ch.exec, Schedules: ch.schedules})
	items := ch.env.ItemCount(t)
	r := ch.must(http.StatusNotImplemented, call{method: "POST", path: "/v1/clusters", body: ch.eksBody(nil), claims: acmeEditor})
	if n := ch.env.ItemCount(t); n != items || len(ch.exec.starts) != 0 {
		t.Fatalf("%s; stored %d items, started %d", r.body, n-items, len(ch.exec.starts))
	}
}

func TestEKSDryRun(t *testing.T) {
	ch := newClusterHarness(t)
	res := ch.must(200, call{method: "POST", path: "/v1/clusters", query: map[string]string{"dryRun": "true"}, body: ch.eksBody(nil), claims: acmeEditor})
	plan := res.json["plan"].(map[string]any)
	byType := plan["byType"].(map[string]any)
	count := func(typ string) (n float64) {
		if m, ok := byType[typ].(map[string]any); ok {
			for _, c := range m {
				n += c.(float64)
			}
		}
		return n
	}
	if plan["kind"] != "eks" || count("ekscluster") != 1 || count("nodegroup") != 2 || count("fargateprofile") != 1 || count("iamrole") != 3 ||
		count("natgateway") != 3 || count("instance") != 0 || count("loadbalancer") != 0 || count("securitygroup") != 0 {
		t.Fatalf("byType %v", byType)
	}
	if calls := res.json["awsCalls"].(map[string]any); calls["eks:CreateCluster"] != 1.0 || calls["eks:CreateNodegroup"] != 2.0 || calls["ec2:RunInstances"] != nil {
		t.Fatalf("calls %v", calls)
	}
	items := res.json["cost"].(map[string]any)["items"].([]any)
	if first := items[0].(map[string]any); first["what"] != "EKS control plane" || first["monthly"] != 73.0 {
		t.Fatalf("cost items %v", items)
	}
	// On-demand vCPUs count the node groups at their max size: general
	// 4 × m5.large (2 vCPUs); the spot group takes none.
	for _, q := range res.json["quotas"].([]any) {
		if qm := q.(map[string]any); qm["code"] == "L-1216C47A" && (qm["needed"] != 8.0 || qm["shortfall"] != false) {
			t.Fatalf("vCPU quota %v", qm)
		}
	}
}

func TestEKSNodePoolUpdates(t *testing.T) {
	ch := newClusterHarness(t)
	id := createEKS(ch)
	ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusRunning })
	version := func() float64 {
		return ch.must(200, ch.clusterCall("GET", id, "", acmeViewer)).json["version"].(float64)
	}
	patch := func(status int, pool, body string) result {
		t.Helper()
		c := ch.clusterCall("PATCH", id, "/nodepools/"+pool, acmeEditor)
		c.body = fmt.Sprintf(`{"version": %v, %s}`, version(), body)
		return ch.must(status, c)
	}
	running := func() { ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusRunning }) }
	wantUpdate := func(pools ...string) {
		t.Helper()
		st := lastStart(ch)
		if st.stateMachine != updateEKSSM || fmt.Sprint(st.input["workerPools"]) != fmt.Sprint(pools) ||
			fmt.Sprint(st.input["controlPlane"]) != "[]" || st.input["maxConcurrency"] != 1.0 {
			t.Fatalf("started %+v, want update-eks-nodegroups for %v", st, pools)
		}
	}

	// Scaling within the bounds, new bounds, labels, taints: in place.
	patch(202, "general", `"size": 4, "labels": {"tier": "api"}`)
	wantUpdate("general")
	running()
	patch(202, "spot", `"maxSize": 3, "size": 3, "maxUnavailable": 2, "taints": []`)
	wantUpdate("spot")
	running()
	// Out of bounds: 400 on the pool's field.
	if f, _ := patch(400, "general", `"size": 5`).errorField(); f != "nodePools[0].size" {
		t.Fatalf("field %s", f)
	}
	// Fixed for a node group's life: 400.
	for body, field := range map[string]string{
		`"azs": ["eu-west-1a", "eu-west-1b"]`: "nodePools[0].azs",
		`"capacity": {"type": "spot"}`:        "nodePools[0].capacity.type",
		`"rootVolumeGiB": 100`:                "nodePools[0].rootVolumeGiB",
		`"rollingUpdate": "contractFirst"`:    "nodePools[0].rollingUpdate",
	} {
		if f, _ := patch(400, "general", body).errorField(); f != field {
			t.Errorf("%s: field %s, want %s", body, f, field)
		}
	}
	// A new instance type replaces the group; instanceTypes follow it.
	res := patch(202, "general", `"instanceType": "m5.xlarge"`)
	wantUpdate("general")
	if p := res.json["nodePools"].([]any)[0].(map[string]any); p["instanceType"] != "m5.xlarge" || fmt.Sprint(p["instanceTypes"]) != "[m5.xlarge]" {
		t.Fatalf("general after the type change %v", p)
	}
	running()
	res = patch(202, "spot", `"instanceTypes": ["c5.large", "m5.large"]`)
	if p := res.json["nodePools"].([]any)[1].(map[string]any); p["instanceType"] != "c5.large" {
		t.Fatalf("spot after the types change %v", p)
	}
	running()
	// Add and remove pools.
	add := ch.clusterCall("POST", id, "/nodepools", acmeEditor)
	add.body = fmt.Sprintf(`{"version": %v, "name": "batch", "size": 1, "maxSize": 5, "instanceType": "c5.large"}`, version())
	ch.must(202, add)
	wantUpdate("batch")
	running()
	del := ch.clusterCall("DELETE", id, "/nodepools/spot", acmeEditor)
	del.body = fmt.Sprintf(`{"version": %v}`, version())
	ch.must(202, del)
	wantUpdate("spot")
	ch.checkLogs()
}
