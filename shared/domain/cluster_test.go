package domain_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// A returned cluster shows nodePools with their nodes (DESIGN §3), in the
// same JSON member the request used, and decodes back strictly.
func TestClusterJSONShowsNodesInNodePools(t *testing.T) {
	spec := domain.WithDefaults(example(t))
	nodes := map[string][]domain.Node{"general": {{InstanceID: "i-0abc", AZ: "eu-west-1a", State: "running", Capacity: "onDemand", LaunchedAt: time.Unix(0, 0).UTC()}}}
	c := domain.Cluster{ID: testClusterID, ClusterSpec: spec, Status: domain.StatusRunning,
		NodePools: domain.PoolsWithNodes(spec.NodePools, nodes)}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	pools := raw["nodePools"].([]any)
	if len(pools) != 3 {
		t.Fatalf("nodePools: %v", pools)
	}
	general := pools[1].(map[string]any)
	if general["name"] != "general" || general["nodes"].([]any)[0].(map[string]any)["instanceId"] != "i-0abc" {
		t.Errorf("general pool: %v", general)
	}
	if gpu := pools[2].(map[string]any); gpu["nodes"] == nil {
		t.Error("a pool without nodes must show an empty list, not null")
	}
	var back domain.Cluster
	if err := domain.DecodeStrict(b, &back); err != nil {
		t.Fatalf("strict decode of a returned cluster: %v", err)
	}
	if back.NodePools[1].Nodes[0].InstanceID != "i-0abc" {
		t.Errorf("round trip lost nodes: %+v", back.NodePools)
	}
}

func TestNodeRoleLabelMessage(t *testing.T) {
	s := example(t)
	s.NodePools[1].Labels["node-role.kubernetes.io/worker"] = ""
	err := domain.ValidateCluster(s, catalog())
	if err == nil || !strings.Contains(err.Error(), "cannot be set by the kubelet") {
		t.Errorf("want the kubelet explanation, got %v", err)
	}
}

func TestTaintString(t *testing.T) {
	if got := (domain.Taint{Key: "k", Value: "v", Effect: "NoSchedule"}).String(); got != "k=v:NoSchedule" {
		t.Error(got)
	}
	if got := (domain.Taint{Key: "k", Effect: "NoExecute"}).String(); got != "k:NoExecute" {
		t.Error(got)
	}
}
