package domain_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestSpotMaxPrice(t *testing.T) {
	for _, tc := range []struct {
		onDemand float64
		percent  int
		want     float64
		str      string
	}{
		{0.526, 60, 0.3156, "0.3156"},
		{0.587, 60, 0.3522, "0.3522"},
		{0.096, 100, 0.096, "0.0960"},
		{0.1, 50, 0.05, "0.0500"},
		{3.06, 33, 1.0098, "1.0098"},
		{0.0104, 70, 0.0073, "0.0073"}, // 0.00728 rounds up
		{0.0104, 1, 0.0001, "0.0001"},  // 0.000104: never 0
		{0.0832, 15, 0.0125, "0.0125"}, // 0.01248
	} {
		got := domain.SpotMaxPrice(tc.onDemand, tc.percent)
		if got != tc.want || domain.FormatSpotPrice(got) != tc.str {
			t.Errorf("SpotMaxPrice(%v, %d) = %v (%q), want %v (%q)", tc.onDemand, tc.percent, got, domain.FormatSpotPrice(got), tc.want, tc.str)
		}
	}
}

func TestSpotAZsInRange(t *testing.T) {
	prices := map[string]float64{"a": 0.30, "b": 0.3156, "c": 0.40}
	if got := domain.SpotAZsInRange(prices, 0.3156, []string{"c", "b", "a", "d"}); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("in range: %v", got)
	}
	if got := domain.SpotAZsInRange(prices, 0.1, []string{"a", "b", "c"}); got != nil {
		t.Errorf("none in range: %v", got)
	}
}

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func node(id, az string, ageMinutes int) domain.Node {
	return domain.Node{InstanceID: id, AZ: az, State: "running", Capacity: "onDemand",
		InstanceType: "m5.large", RootVolumeGiB: 50, LaunchedAt: t0.Add(-time.Duration(ageMinutes) * time.Minute)}
}

func ids(nodes []domain.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.InstanceID
	}
	return out
}

func TestScaleDownVictims(t *testing.T) {
	abc := []string{"a", "b", "c"}
	nodes := []domain.Node{
		node("i-a-old", "a", 50), node("i-a-new", "a", 10),
		node("i-b-old", "b", 40), node("i-b-new", "b", 5),
		node("i-c", "c", 30),
	}
	// 5 → 3: a and b both hold 2; the later AZ (b) gives up its newest
	// first, then a; one per AZ remains.
	if got := ids(domain.ScaleDownVictims(nodes, 3, abc)); !slices.Equal(got, []string{"i-b-new", "i-a-new"}) {
		t.Errorf("5→3 victims %v", got)
	}
	// 5 → 1: keeps the oldest node of the first AZ.
	if got := ids(domain.ScaleDownVictims(nodes, 1, abc)); len(got) != 4 || slices.Contains(got, "i-a-old") {
		t.Errorf("5→1 victims %v", got)
	}
	// Unhealthy nodes and nodes outside the pool's AZs go first.
	mixed := append(slices.Clone(nodes), node("i-d", "d", 100))
	mixed[4].State = "stopped"
	if got := ids(domain.ScaleDownVictims(mixed, 4, abc)); !slices.Equal(got, []string{"i-d", "i-c"}) {
		t.Errorf("outside-AZ and stopped first: %v", got)
	}
	if got := domain.ScaleDownVictims(nodes, 5, abc); len(got) != 0 {
		t.Errorf("no scale-down needed: %v", got)
	}
}

func poolSpec(size int, strategy string) domain.NodePoolSpec {
	return domain.NodePoolSpec{Name: "general", Size: size, InstanceType: "m5.xlarge", AZs: []string{"a", "b", "c"},
		RollingUpdate: strategy, RootVolumeGiB: 50, Capacity: domain.Capacity{Type: "onDemand"}}
}

func steps(ss []domain.Step) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%s %s %s%s", s.Action, s.AZ, s.InstanceID, s.Replaces)
	}
	return out
}

func TestPlanRollingUpdateStrategies(t *testing.T) {
	current := []domain.Node{node("i-2", "b", 20), node("i-1", "a", 30), node("i-3", "c", 10)}
	expand := steps(domain.PlanRollingUpdate(current, poolSpec(3, domain.RollingExpandFirst)))
	wantExpand := []string{
		"launch a i-1", "terminate a i-1",
		"launch b i-2", "terminate b i-2",
		"launch c i-3", "terminate c i-3",
	}
	if !slices.Equal(expand, wantExpand) {
		t.Errorf("expandFirst:\n got %q\nwant %q", expand, wantExpand)
	}
	contract := steps(domain.PlanRollingUpdate(current, poolSpec(3, domain.RollingContractFirst)))
	wantContract := []string{
		"terminate a i-1", "launch a i-1",
		"terminate b i-2", "launch b i-2",
		"terminate c i-3", "launch c i-3",
	}
	if !slices.Equal(contract, wantContract) {
		t.Errorf("contractFirst:\n got %q\nwant %q", contract, wantContract)
	}
}

func TestPlanRollingUpdateSizeAndAZChanges(t *testing.T) {
	upToDate := func(n domain.Node) domain.Node { n.InstanceType = "m5.xlarge"; return n }
	current := []domain.Node{upToDate(node("i-1", "a", 30)), upToDate(node("i-2", "b", 20)), upToDate(node("i-3", "c", 10))}

	if got := domain.PlanRollingUpdate(current, poolSpec(3, domain.RollingExpandFirst)); len(got) != 0 {
		t.Errorf("nothing to do, got %v", steps(got))
	}
	// Scale up 3 → 5: the spread wants a=2, b=2, c=1.
	if got := steps(domain.PlanRollingUpdate(current, poolSpec(5, domain.RollingExpandFirst))); !slices.Equal(got, []string{"launch a ", "launch b "}) {
		t.Errorf("scale up: %q", got)
	}
	// Scale down 3 → 2 while changing the type: remove first, then roll
	// only the survivors.
	old := []domain.Node{node("i-1", "a", 30), node("i-2", "b", 20), node("i-3", "c", 10)}
	want := []string{"terminate c i-3", "launch a i-1", "terminate a i-1", "launch b i-2", "terminate b i-2"}
	if got := steps(domain.PlanRollingUpdate(old, poolSpec(2, domain.RollingExpandFirst))); !slices.Equal(got, want) {
		t.Errorf("scale down + roll:\n got %q\nwant %q", got, want)
	}
	// AZ c leaves the pool: its node moves to the AZ furthest below target.
	spec := poolSpec(3, domain.RollingExpandFirst)
	spec.AZs = []string{"a", "b"}
	want = []string{"launch a i-3", "terminate c i-3"}
	if got := steps(domain.PlanRollingUpdate(current, spec)); !slices.Equal(got, want) {
		t.Errorf("AZ removed:\n got %q\nwant %q", got, want)
	}
}

func TestOutdated(t *testing.T) {
	spec := poolSpec(3, domain.RollingExpandFirst)
	n := node("i-1", "a", 1)
	n.InstanceType = "m5.xlarge"
	if domain.Outdated(n, spec) {
		t.Error("matching node reported outdated")
	}
	for name, change := range map[string]func(*domain.Node){
		"type":     func(n *domain.Node) { n.InstanceType = "m5.large" },
		"volume":   func(n *domain.Node) { n.RootVolumeGiB = 80 },
		"capacity": func(n *domain.Node) { n.Capacity = "spot" },
		"az":       func(n *domain.Node) { n.AZ = "z" },
	} {
		m := n
		change(&m)
		if !domain.Outdated(m, spec) {
			t.Errorf("%s change not detected", name)
		}
	}
}
