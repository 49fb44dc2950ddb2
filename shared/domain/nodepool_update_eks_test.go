package domain_test

import (
	"slices"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestValidateNodeGroupChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		want   []string
	}{
		{"scale within bounds", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 4 }, nil},
		{"new bounds", func(s *domain.ClusterSpec) { s.NodePools[0].MinSize, s.NodePools[0].MaxSize = new(0), new(10) }, nil},
		{"labels and taints", func(s *domain.ClusterSpec) {
			s.NodePools[0].Labels = map[string]string{"tier": "api"}
			s.NodePools[0].Taints = []domain.Taint{{Key: "dedicated", Effect: domain.EffectNoExecute}}
		}, nil},
		{"max unavailable", func(s *domain.ClusterSpec) { s.NodePools[0].MaxUnavailable = 2 }, nil},
		{"instance type: a replacement", func(s *domain.ClusterSpec) {
			s.NodePools[0].InstanceType, s.NodePools[0].InstanceTypes = "m5.xlarge", []string{"m5.xlarge"}
		}, nil},
		{"add a pool", func(s *domain.ClusterSpec) {
			s.NodePools = append(s.NodePools, domain.NodePoolSpec{Name: "gpu", Size: 1, InstanceType: "g4dn.xlarge"})
		}, nil},
		{"remove a pool", func(s *domain.ClusterSpec) { s.NodePools = s.NodePools[1:] }, nil},
		{"azs", func(s *domain.ClusterSpec) { s.NodePools[1].AZs = []string{"eu-west-1c"} }, []string{"nodePools[1].azs"}},
		{"capacity type", func(s *domain.ClusterSpec) { s.NodePools[1].Capacity.Type = domain.CapacityOnDemand }, []string{"nodePools[1].capacity.type"}},
		{"disk size", func(s *domain.ClusterSpec) { s.NodePools[0].RootVolumeGiB = 100 }, []string{"nodePools[0].rootVolumeGiB"}},
		{"index is the new spec's", func(s *domain.ClusterSpec) {
			s.NodePools = []domain.NodePoolSpec{s.NodePools[1], s.NodePools[0]}
			s.NodePools[1].RootVolumeGiB = 100
		}, []string{"nodePools[1].rootVolumeGiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := domain.WithDefaults(eksExample(t))
			after := eksExample(t)
			tc.mutate(&after)
			after = domain.WithDefaults(after)
			if err := domain.ValidateCluster(after, catalog()); err != nil {
				t.Fatalf("the edited spec must be valid on its own: %v", err)
			}
			err := domain.ValidateNodeGroupChanges(before, after)
			if got := fields(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("fields %q, want %q (%v)", got, tc.want, err)
			}
		})
	}
	// Self-managed pools roll instead: nothing refused here.
	sm := domain.WithDefaults(example(t))
	changed := domain.WithDefaults(example(t))
	changed.NodePools[1].AZs = changed.NodePools[1].AZs[:1]
	if err := domain.ValidateNodeGroupChanges(sm, changed); err != nil {
		t.Errorf("self-managed: %v", err)
	}
}

func TestNodeGroupNeedsReplacement(t *testing.T) {
	p := domain.WithDefaults(eksExample(t)).NodePools[1]
	same := p
	same.Size, same.Labels = 3, map[string]string{"a": "b"}
	reordered := p
	reordered.InstanceTypes = []string{"m5.xlarge", "m5.large"}
	reordered.InstanceType = "m5.xlarge"
	if domain.NodeGroupNeedsReplacement(p, same) || !domain.NodeGroupNeedsReplacement(p, reordered) {
		t.Error("replacement only for new instance types")
	}
}
