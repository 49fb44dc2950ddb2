package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func npNode(id, az, typ, state string, minute int) domain.Node {
	return domain.Node{InstanceID: id, AZ: az, InstanceType: typ, State: state, Capacity: domain.CapacityOnDemand,
		RootVolumeGiB: 80, LaunchedAt: time.Date(2025, 1, 1, 0, minute, 0, 0, time.UTC)}
}

func npPool(size int, typ, strategy string) domain.NodePoolSpec {
	return domain.NodePoolSpec{Name: "general", Size: size, InstanceType: typ, AZs: []string{"a", "b", "c"},
		RollingUpdate: strategy, RootVolumeGiB: 80, Capacity: domain.Capacity{Type: domain.CapacityOnDemand}}
}

func TestNextPoolStep(t *testing.T) {
	three := []domain.Node{npNode("i-1", "a", "m5.large", "running", 1), npNode("i-2", "b", "m5.large", "running", 2), npNode("i-3", "c", "m5.large", "running", 3)}
	withNew := append(slices.Clone(three), npNode("i-4", "a", "m5.xlarge", "running", 4))
	two := three[1:]
	for _, tc := range []struct {
		name      string
		nodes     []domain.Node
		pool      domain.NodePoolSpec
		serial    bool
		action    string
		launch    []string
		terminate []string
	}{
		{"matches", three, npPool(3, "m5.large", domain.RollingExpandFirst), false, domain.StepDone, nil, nil},
		{"a node starting waits", append(slices.Clone(three), npNode("i-9", "a", "m5.large", "pending", 9)), npPool(4, "m5.large", domain.RollingExpandFirst), false, domain.StepWait, nil, nil},
		{"a node stopping waits", append(slices.Clone(two), npNode("i-1", "a", "m5.large", "shutting-down", 1)), npPool(3, "m5.xlarge", domain.RollingContractFirst), false, domain.StepWait, nil, nil},
		{"scale up launches all missing where the spread is short", two, npPool(5, "m5.large", domain.RollingExpandFirst), false, domain.StepLaunch, []string{"a", "a", "b"}, nil},
		{"control plane scales up one at a time", two, npPool(5, "m5.large", domain.RollingExpandFirst), true, domain.StepLaunch, []string{"a"}, nil},
		{"scale down takes the newest from the fullest AZ", withNew[:0:0], npPool(0, "m5.large", domain.RollingExpandFirst), false, domain.StepDone, nil, nil},
		{"scale down keeps the spread", append(slices.Clone(three), npNode("i-5", "a", "m5.large", "running", 5)), npPool(2, "m5.large", domain.RollingExpandFirst), false, domain.StepTerminate, nil, []string{"i-5", "i-3"}},
		{"expandFirst launches the replacement first", three, npPool(3, "m5.xlarge", domain.RollingExpandFirst), false, domain.StepLaunch, []string{"a"}, nil},
		{"expandFirst then terminates the oldest outdated", withNew, npPool(3, "m5.xlarge", domain.RollingExpandFirst), false, domain.StepTerminate, nil, []string{"i-1"}},
		{"contractFirst terminates first", three, npPool(3, "m5.xlarge", domain.RollingContractFirst), false, domain.StepTerminate, nil, []string{"i-1"}},
		{"contractFirst then refills the AZ it emptied", two, npPool(3, "m5.xlarge", domain.RollingContractFirst), false, domain.StepLaunch, []string{"a"}, nil},
		{"a removed pool terminates everything", three, domain.NodePoolSpec{Name: "gpu"}, false, domain.StepTerminate, nil, []string{"i-1", "i-2", "i-3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.NextPoolStep(tc.nodes, tc.pool, tc.serial)
			var term []string
			for _, n := range got.Terminate {
				term = append(term, n.InstanceID)
			}
			slices.Sort(term)
			want := slices.Clone(tc.terminate)
			slices.Sort(want)
			if got.Action != tc.action || !slices.Equal(got.LaunchAZs, tc.launch) || !slices.Equal(term, want) {
				t.Errorf("NextPoolStep = %s launch %v terminate %v (%s); want %s launch %v terminate %v",
					got.Action, got.LaunchAZs, term, got.Reason, tc.action, tc.launch, want)
			}
		})
	}
}
