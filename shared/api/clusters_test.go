package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

var acmeScope = domain.Scope{Tenant: "acme", Project: "web"}

func TestCreateClusterStartsProvisioning(t *testing.T) {
	ch := newClusterHarness(t)
	res := ch.create(nil)
	id, _ := res.json["id"].(string)
	if res.json["status"] != "Provisioning" || res.json["generation"] != 1.0 || res.json["version"] == nil ||
		res.json["executionArn"] != provisionSM[:len(provisionSM)-len("stateMachine:provision-cluster")]+"execution:provision-cluster:"+id+"-1" {
		t.Fatalf("created %s", res.body)
	}
	if len(ch.exec.starts) != 1 {
		t.Fatalf("starts %+v", ch.exec.starts)
	}
	st := ch.exec.starts[0]
	want := map[string]any{"cluster": map[string]any{"id": id, "tenant": "acme", "project": "web", "generation": 1.0}}
	if st.stateMachine != provisionSM || st.name != id+"-1" || fmt.Sprint(st.input) != fmt.Sprint(want) {
		t.Fatalf("started %+v", st)
	}
	// Defaults are applied and stored; the answer carries the pools with nodes.
	pools := res.json["nodePools"].([]any)
	if len(pools) != 3 || pools[2].(map[string]any)["rootVolumeGiB"] != 50.0 || len(pools[2].(map[string]any)["nodes"].([]any)) != 0 {
		t.Fatalf("pools %v", pools)
	}
	// Tasks start Pending, in workflow order.
	var names []string
	for _, tk := range res.json["tasks"].([]any) {
		tm := tk.(map[string]any)
		if tm["state"] != "Pending" {
			t.Fatalf("task %v", tm)
		}
		names = append(names, tm["name"].(string))
	}
	spec := ch.exampleCluster()
	if !slices.Equal(names, workflow.ProvisionTasks(domain.WithDefaults(spec))) || res.json["progress"] != 0.0 {
		t.Fatalf("tasks %v", names)
	}

	// The same name again: 409, nothing started.
	ch.must(409, call{method: "POST", path: "/v1/clusters", body: ch.body(nil), claims: acmeEditor})
	// A retried request with its Idempotency-Key replays, starting nothing.
	key := map[string]string{"Idempotency-Key": "create-1"}
	first := ch.must(202, call{method: "POST", path: "/v1/clusters", body: ch.body(func(s *domain.ClusterSpec) { s.Name = "second" }), claims: acmeEditor, headers: key})
	again := ch.must(202, call{method: "POST", path: "/v1/clusters", body: ch.body(func(s *domain.ClusterSpec) { s.Name = "second" }), claims: acmeEditor, headers: key})
	if first.json["id"] != again.json["id"] || again.headers["Idempotent-Replayed"] != "true" || len(ch.exec.starts) != 2 {
		t.Fatalf("replay: %s / %s, %d starts", first.body, again.body, len(ch.exec.starts))
	}
	// Viewers may not create.
	ch.must(403, call{method: "POST", path: "/v1/clusters", body: ch.body(func(s *domain.ClusterSpec) { s.Name = "third" }), claims: acmeViewer})
	ch.checkLogs()
}

func TestCreateClusterRejectsBadInput(t *testing.T) {
	ch := newClusterHarness(t)
	items := ch.env.ItemCount(t)
	cases := []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		field  string
	}{
		{"name syntax", func(s *domain.ClusterSpec) { s.Name = "Prod_EU" }, "name"},
		{"name missing", func(s *domain.ClusterSpec) { s.Name = "" }, "name"},
		{"vpc cidr too big", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.0/8" }, "placement.vpcCidr"},
		{"vpc cidr too small for the azs", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.0/24" }, "placement.vpcCidr"},
		{"api cidr", func(s *domain.ClusterSpec) { s.APIServer.AllowedCIDRs = []string{"10.0.0.0/33"} }, "apiServer.allowedCidrs[0]"},
		{"bastion cidr", func(s *domain.ClusterSpec) { s.Bastion.AllowedCIDRs = []string{"203.0.113.7/24"} }, "bastion.allowedCidrs[0]"},
		{"az not in region", func(s *domain.ClusterSpec) { s.Placement.AZs[1] = "us-east-1b"; s.NodePools[1].AZs = nil }, "placement.azs[1]"},
		{"pool az outside the cluster's", func(s *domain.ClusterSpec) { s.Placement.AZs = s.Placement.AZs[:2] }, "nodePools[1].azs[2]"},
		{"control plane size", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 2 }, "nodePools[0].size"},
		{"two control planes", func(s *domain.ClusterSpec) { s.NodePools[1].ControlPlane = true }, "nodePools[1].controlPlane"},
		{"duplicate pool names", func(s *domain.ClusterSpec) { s.NodePools[2].Name = "general" }, "nodePools[2].name"},
		{"taint effect", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Effect = "Sometimes" }, "nodePools[1].taints[0].effect"},
		{"label syntax", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["tier"] = "web front" }, "nodePools[1].labels.tier"},
		{"spot percent", func(s *domain.ClusterSpec) { s.NodePools[2].Capacity.SpotMaxPricePercent = 101 }, "nodePools[2].capacity.spotMaxPricePercent"},
		{"worker size", func(s *domain.ClusterSpec) { s.NodePools[1].Size = 201 }, "nodePools[1].size"},
		{"root volume size", func(s *domain.ClusterSpec) { s.NodePools[1].RootVolumeGiB = 7 }, "nodePools[1].rootVolumeGiB"},
		{"unknown instance type", func(s *domain.ClusterSpec) { s.NodePools[1].InstanceType = "m5.huge" }, "nodePools[1].instanceType"},
		{"unknown region", func(s *domain.ClusterSpec) { s.Region = "mars-north-1" }, "region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch.t = t
			res := ch.must(400, call{method: "POST", path: "/v1/clusters", body: ch.body(tc.mutate), claims: acmeEditor})
			if field, code := res.errorField(); field != tc.field || code != "invalid_request" {
				t.Fatalf("field %q code %q, want %q: %s", field, code, tc.field, res.body)
			}
		})
	}
	// Shape errors from the strict decoder carry their path too.
	for body, field := range map[string]string{
		`{"name":"x","nodePools":[{"name":"a","size":1,"colour":"red"}]}`: "nodePools[0].colour",
		`{"name":"x","nodePools":[{"name":"a","size":"three"}]}`:          "nodePools[0].size",
		`{"name":"x","placement":{"azs":"eu-west-1a"}}`:                   "placement.azs",
	} {
		res := ch.must(400, call{method: "POST", path: "/v1/clusters", body: body, claims: acmeEditor})
		if got, _ := res.errorField(); got != field {
			t.Fatalf("%s: field %q, want %q", body, got, field)
		}
	}
	ch.t = t
	if n := ch.env.ItemCount(t); n != items || len(ch.exec.starts) != 0 {
		t.Fatalf("bad input stored %d items, started %d executions", n-items, len(ch.exec.starts))
	}
}

func TestCreateClusterUnknownReferences(t *testing.T) {
	ch := newClusterHarness(t)
	other := newClusterHarness(t) // same tenant names, another table: ids that exist nowhere here
	for _, tc := range []struct {
		mutate func(*domain.ClusterSpec)
		field  string
	}{
		{func(s *domain.ClusterSpec) { s.CloudAccountID = other.accountID }, "cloudAccountId"},
		{func(s *domain.ClusterSpec) { s.ProfileID = other.profileID }, "profileId"},
	} {
		res := ch.must(404, call{method: "POST", path: "/v1/clusters", body: ch.body(tc.mutate), claims: acmeEditor})
		if field, _ := res.errorField(); field != tc.field {
			t.Fatalf("field %q, want %q", field, tc.field)
		}
	}
	// Another tenant's account is unknown too.
	ch.must(404, call{method: "POST", path: "/v1/clusters", body: ch.body(nil), claims: globex})
	if len(ch.exec.starts) != 0 {
		t.Fatal("started a workflow for an unknown reference")
	}
}

func TestCreateClusterDryRun(t *testing.T) {
	ch := newClusterHarness(t)
	// The tenant's ExternalId exists once a customer set up their role.
	ch.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: acmeViewer})
	items := ch.env.ItemCount(t)
	res := ch.must(200, call{method: "POST", path: "/v1/clusters", query: map[string]string{"dryRun": "true"}, body: ch.body(nil), claims: acmeEditor})
	plan := res.json["plan"].(map[string]any)
	byType := plan["byType"].(map[string]any)
	sum := func(typ string) (n float64) {
		for _, c := range byType[typ].(map[string]any) {
			n += c.(float64)
		}
		return n
	}
	if sum("subnet") != 6 || sum("natgateway") != 3 || sum("eip") != 3 || sum("vpc") != 1 ||
		byType["natgateway"].(map[string]any)["eu-west-1b"] != 1.0 || byType["vpc"].(map[string]any)["regional"] != 1.0 {
		t.Fatalf("byType %v", byType)
	}
	if cost := res.json["cost"].(map[string]any); cost["onDemandMonthly"].(float64) <= 0 || cost["currency"] != "USD" {
		t.Fatalf("cost %v", cost)
	}
	if calls := res.json["awsCalls"].(map[string]any); calls["ec2:CreateNatGateway"] != 3.0 || calls["ec2:CreateSubnet"] != 6.0 {
		t.Fatalf("calls %v", calls)
	}
	shortfalls := map[string]bool{}
	for _, q := range res.json["quotas"].([]any) {
		qm := q.(map[string]any)
		shortfalls[qm["name"].(string)+"@"+qm["scope"].(string)] = qm["shortfall"].(bool)
	}
	if !shortfalls["Elastic IP addresses@eu-west-1"] || shortfalls["VPCs per Region@eu-west-1"] || shortfalls["NAT gateways per Availability Zone@eu-west-1a"] {
		t.Fatalf("quotas %v", res.json["quotas"])
	}
	if n := ch.env.ItemCount(t); n != items || len(ch.exec.starts) != 0 {
		t.Fatalf("dry run stored %d items, started %d", n-items, len(ch.exec.starts))
	}
	// A dry run validates like a create.
	ch.must(400, call{method: "POST", path: "/v1/clusters", query: map[string]string{"dryRun": "true"},
		body: ch.body(func(s *domain.ClusterSpec) { s.NodePools[0].Size = 4 }), claims: acmeEditor})
}

func TestGetClusterShowsProgress(t *testing.T) {
	ch := newClusterHarness(t)
	id := ch.create(nil).json["id"].(string)
	ctx, s := context.Background(), ch.env.Store
	started := ch.clock.Add(time.Minute)
	for i, name := range workflow.ProvisionTasks(domain.WithDefaults(ch.exampleCluster()))[:4] {
		state := domain.TaskSucceeded
		if i == 3 {
			state = domain.TaskRunning
		}
		if err := s.PutTask(ctx, acmeScope, id, domain.Task{Name: name, State: state, StartedAt: &started, Message: "2/3 NAT gateways available", Done: 2, Total: 3}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordResource(ctx, acmeScope, id, domain.Resource{Type: "vpc", ID: "vpc-1", Key: "vpc", State: "available"}); err != nil {
		t.Fatal(err)
	}
	node := domain.Node{InstanceID: "i-1", AZ: "eu-west-1a", State: "running", Capacity: "spot", SpotPrice: "0.2", LaunchedAt: started}
	if err := s.PutNodes(ctx, acmeScope, id, "gpu", []domain.Node{node}); err != nil {
		t.Fatal(err)
	}
	got := ch.must(200, ch.clusterCall("GET", id, "", acmeViewer))
	tasks := got.json["tasks"].([]any)
	total := len(workflow.ProvisionTasks(domain.WithDefaults(ch.exampleCluster())))
	if got.json["progress"] != float64(3*100/total) || tasks[3].(map[string]any)["state"] != "Running" || tasks[0].(map[string]any)["done"] != 2.0 {
		t.Fatalf("progress %v of %d tasks: %v", got.json["progress"], total, tasks)
	}
	if res := got.json["resources"].([]any); len(res) != 1 || res[0].(map[string]any)["id"] != "vpc-1" {
		t.Fatalf("resources %v", res)
	}
	gpu := got.json["nodePools"].([]any)[2].(map[string]any)
	if gpu["name"] != "gpu" || gpu["nodes"].([]any)[0].(map[string]any)["instanceId"] != "i-1" {
		t.Fatalf("gpu pool %v", gpu)
	}
	if fd := got.json["forceDelete"].(map[string]any); fd["available"] != false || fd["availableAt"] != nil {
		t.Fatalf("forceDelete before deletion %v", fd)
	}
	// Another tenant, a malformed id and an unknown id are all not found.
	ch.must(404, ch.clusterCall("GET", id, "", globex))
	ch.must(404, ch.clusterCall("GET", "clu-nope", "", acmeViewer))
	ch.must(404, ch.clusterCall("GET", domain.NewID(domain.PrefixCluster, ch.clock), "", acmeViewer))
}

func TestListClustersPaginated(t *testing.T) {
	ch := newClusterHarness(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, ch.create(func(s *domain.ClusterSpec) { s.Name = fmt.Sprintf("c%d", i) }).json["id"].(string))
	}
	var got []string
	query := map[string]string{"limit": "2"}
	for range 3 {
		page := ch.must(200, call{method: "GET", path: "/v1/clusters", claims: acmeViewer, query: query})
		for _, it := range page.json["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		next, _ := page.json["nextToken"].(string)
		if next == "" {
			break
		}
		query = map[string]string{"limit": "2", "nextToken": next}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("listed %v, want %v", got, ids)
	}
	if list := ch.must(200, call{method: "GET", path: "/v1/clusters", claims: globex}); len(list.json["items"].([]any)) != 0 {
		t.Fatalf("other tenant lists %s", list.body)
	}
}
