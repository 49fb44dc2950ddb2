package cloud

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// UpdateNodeGroup is one turn of a pool's update loop on a running EKS
// cluster. It looks at what runs and takes the next step:
//   - the pool left the spec: delete its groups; ready when they are gone;
//   - no group has the pool's instance types, capacity type and disk (which
//     EKS cannot change in place): create a replacement "<pool>-<n>";
//   - the current group is ACTIVE but differs in scaling, labels, taints or
//     update config: one UpdateNodegroupConfig;
//   - the current group is ACTIVE and matches: delete the groups it replaced.
//
// Ready when the current group is ACTIVE, matches the spec, and no other
// group of the pool remains. A turn never waits and never repeats work.
func (s *EKSService) UpdateNodeGroup(ctx context.Context, net NetworkIDs, pool string) (Progress, error) {
	all, err := s.nodeGroups(ctx)
	if err != nil {
		return Progress{}, err
	}
	groups := ofPool(all, pool)
	p, inSpec := s.workerPool(pool)
	if !inSpec {
		return s.removePoolGroups(ctx, pool, groups)
	}
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	want := configOf(p)
	var current *ekstypes.Nodegroup
	for i, g := range groups {
		if usableGroup(g) && !needsReplacement(g, want) &&
			(current == nil || aws.ToString(g.NodegroupName) == idx[domain.NodeGroupKey(pool)].ID) {
			current = &groups[i]
		}
	}
	if current == nil {
		// A new pool's group is named after it; a replacement (or a pool
		// re-added while its old group is still deleting) takes the next
		// free "<pool>-<n>".
		name, why := pool, "for the new pool"
		if hasGroup(all, pool) {
			name, why = replacementName(pool, all), "for the new instance types"
		}
		if err := s.createNodeGroup(ctx, idx, net, p, name); err != nil {
			return Progress{}, err
		}
		return Progress{Total: 1, Message: fmt.Sprintf("creating node group %s %s", name, why)}, nil
	}
	if err := s.recordNodeGroup(ctx, idx, pool, *current); err != nil {
		return Progress{}, err
	}
	if err := groupFailure(*current); err != nil {
		return Progress{}, err
	}
	name := aws.ToString(current.NodegroupName)
	if current.Status != ekstypes.NodegroupStatusActive {
		return Progress{Total: 1, Message: fmt.Sprintf("node group %s %s", name, current.Status)}, nil
	}
	if in := configUpdate(*current, want); in != nil {
		in.ClusterName, in.NodegroupName = aws.String(s.clusterName()), current.NodegroupName
		if _, err := s.eks.UpdateNodegroupConfig(ctx, in); err != nil {
			if eksInUse(err) {
				return Progress{}, notYet("update node group "+name, err)
			}
			return Progress{}, fmt.Errorf("update node group %s: %w", name, err)
		}
		return Progress{Total: 1, Message: fmt.Sprintf("updating node group %s", name)}, nil
	}
	others := slices.DeleteFunc(slices.Clone(groups), func(g ekstypes.Nodegroup) bool {
		return aws.ToString(g.NodegroupName) == name
	})
	for _, g := range others {
		if err := s.deleteNodeGroup(ctx, g); err != nil {
			return Progress{}, err
		}
	}
	if len(others) > 0 {
		return Progress{Total: 1, Message: fmt.Sprintf("node group %s ACTIVE; deleting the group it replaces", name)}, nil
	}
	return Progress{Ready: true, Done: 1, Total: 1, Message: fmt.Sprintf("node group %s ACTIVE and up to date", name)}, nil
}

// removePoolGroups deletes the groups of a pool the spec no longer has.
func (s *EKSService) removePoolGroups(ctx context.Context, pool string, groups []ekstypes.Nodegroup) (Progress, error) {
	for _, g := range groups {
		if err := s.deleteNodeGroup(ctx, g); err != nil {
			return Progress{}, err
		}
	}
	if len(groups) > 0 {
		return Progress{Total: 1, Message: fmt.Sprintf("deleting the node groups of removed pool %s", pool)}, nil
	}
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	if e, ok := idx[domain.NodeGroupKey(pool)]; ok && e.State != StateDeleted {
		if err := s.record(ctx, idx, domain.Resource{Type: e.Type, ID: e.ID, Key: e.Key, State: StateDeleted}); err != nil {
			return Progress{}, err
		}
	}
	return Progress{Ready: true, Done: 1, Total: 1, Message: fmt.Sprintf("node pool %s removed", pool)}, nil
}

// needsReplacement: what EKS cannot change on an existing group.
func needsReplacement(g ekstypes.Nodegroup, want nodeGroupConfig) bool {
	have := slices.Clone(g.InstanceTypes)
	slices.Sort(have)
	wantTypes := slices.Clone(want.instanceTypes)
	slices.Sort(wantTypes)
	if !slices.Equal(have, wantTypes) || g.CapacityType != want.capacity {
		return true
	}
	return want.diskSize > 0 && aws.ToInt32(g.DiskSize) != want.diskSize
}

// replacementName is "<pool>-<n>" with the smallest n ≥ 2 no group of
// the cluster has (names are per cluster, not per pool).
func replacementName(pool string, all []ekstypes.Nodegroup) string {
	for n := 2; ; n++ {
		if name := pool + "-" + strconv.Itoa(n); !hasGroup(all, name) {
			return name
		}
	}
}

func hasGroup(all []ekstypes.Nodegroup, name string) bool {
	return slices.ContainsFunc(all, func(g ekstypes.Nodegroup) bool { return aws.ToString(g.NodegroupName) == name })
}

// configUpdate is the one UpdateNodegroupConfig that brings g to want, or
// nil when nothing differs.
func configUpdate(g ekstypes.Nodegroup, want nodeGroupConfig) *eks.UpdateNodegroupConfigInput {
	in := &eks.UpdateNodegroupConfigInput{}
	changed := false
	sc := g.ScalingConfig
	if sc == nil || aws.ToInt32(sc.MinSize) != want.min || aws.ToInt32(sc.MaxSize) != want.max || aws.ToInt32(sc.DesiredSize) != want.desired {
		in.ScalingConfig = &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(want.min), MaxSize: aws.Int32(want.max), DesiredSize: aws.Int32(want.desired)}
		changed = true
	}
	if labels := labelsUpdate(g.Labels, want.labels); labels != nil {
		in.Labels, changed = labels, true
	}
	if taints := taintsUpdate(g.Taints, want.taints); taints != nil {
		in.Taints, changed = taints, true
	}
	if g.UpdateConfig == nil || aws.ToInt32(g.UpdateConfig.MaxUnavailable) != want.maxUnavailable {
		in.UpdateConfig = &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(want.maxUnavailable)}
		changed = true
	}
	if !changed {
		return nil
	}
	return in
}

func labelsUpdate(have, want map[string]string) *ekstypes.UpdateLabelsPayload {
	out := &ekstypes.UpdateLabelsPayload{AddOrUpdateLabels: map[string]string{}}
	for k, v := range want {
		if old, ok := have[k]; !ok || old != v {
			out.AddOrUpdateLabels[k] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok {
			out.RemoveLabels = append(out.RemoveLabels, k)
		}
	}
	if len(out.AddOrUpdateLabels) == 0 && len(out.RemoveLabels) == 0 {
		return nil
	}
	if len(out.AddOrUpdateLabels) == 0 {
		out.AddOrUpdateLabels = nil
	}
	return out
}

// taintsUpdate: a taint is identified by key and effect, as Kubernetes does.
func taintsUpdate(have, want []ekstypes.Taint) *ekstypes.UpdateTaintsPayload {
	id := func(t ekstypes.Taint) string { return aws.ToString(t.Key) + "\x00" + string(t.Effect) }
	haveBy := map[string]ekstypes.Taint{}
	for _, t := range have {
		haveBy[id(t)] = t
	}
	wantBy := map[string]bool{}
	out := &ekstypes.UpdateTaintsPayload{}
	for _, t := range want {
		wantBy[id(t)] = true
		if old, ok := haveBy[id(t)]; !ok || aws.ToString(old.Value) != aws.ToString(t.Value) {
			out.AddOrUpdateTaints = append(out.AddOrUpdateTaints, t)
		}
	}
	for _, t := range have {
		if !wantBy[id(t)] {
			out.RemoveTaints = append(out.RemoveTaints, t)
		}
	}
	if len(out.AddOrUpdateTaints) == 0 && len(out.RemoveTaints) == 0 {
		return nil
	}
	return out
}
