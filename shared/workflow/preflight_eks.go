package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// instanceSlots are the (instance type, AZ, pool) triples the account must
// offer: the plan's instances, or for EKS every instance type of every
// node group in each of its pool's AZs (EKS may launch any of them in
// any of them).
func (pf preflightRun) instanceSlots() []domain.PlannedResource {
	var out []domain.PlannedResource
	if pf.spec.Kind != domain.KindEKS {
		for _, r := range pf.plan.Resources {
			if r.Type == domain.ResInstance && r.AZ != "" && r.InstanceType != "" {
				out = append(out, r)
			}
		}
		return out
	}
	for _, p := range pf.spec.NodePools {
		azs := p.AZs
		if len(azs) == 0 && pf.spec.Placement.Type == domain.PlacementDynamic {
			azs = pf.spec.Placement.AZs
		}
		for _, it := range nodeGroupTypes(p) {
			for _, az := range azs {
				out = append(out, domain.PlannedResource{Type: domain.ResInstance, Pool: p.Name, AZ: az, InstanceType: it})
			}
		}
	}
	return out
}

func nodeGroupTypes(p domain.NodePoolSpec) []string {
	if len(p.InstanceTypes) > 0 {
		return p.InstanceTypes
	}
	if p.InstanceType != "" {
		return []string{p.InstanceType}
	}
	return nil
}

// eksVCPUs is the On-Demand Standard vCPUs the node groups may run at
// their max sizes (spot and non-standard families have quotas of their
// own), counted with the first instance type. Groups a previous attempt
// created are already in the usage.
func (pf preflightRun) eksVCPUs() int {
	if pf.spec.Kind != domain.KindEKS {
		return 0 // the plan's instances count (needs)
	}
	n := 0
	for _, p := range pf.spec.NodePools {
		types := nodeGroupTypes(p)
		if _, done := pf.live[domain.NodeGroupKey(p.Name)]; done || p.Capacity.IsSpot() || len(types) == 0 || !standardFamily(types[0]) {
			continue
		}
		size := p.Size
		if p.MaxSize != nil {
			size = *p.MaxSize
		}
		if info, ok := pf.c.deps.Prices.InstanceType(types[0]); ok {
			n += size * info.VCPUs
		}
	}
	return n
}

// eksClusterName: EKS cluster names are per account and region, so an
// existing cluster of the name that is not ours stops the provision here,
// before anything is created.
func (pf preflightRun) eksClusterName(ctx context.Context) (checkResult, error) {
	if pf.spec.Kind != domain.KindEKS {
		return checkResult{}, nil
	}
	tags, exists, err := pf.checks.EKSClusterTags(ctx, pf.spec.Name)
	if err != nil {
		return checkResult{}, err
	}
	if exists && tags[domain.TagClusterID] != pf.c.Cluster.ID {
		return checkResult{shortfalls: []string{fmt.Sprintf("an EKS cluster named %s already exists in %s and is not this cluster's", pf.spec.Name, pf.spec.Region)}}, nil
	}
	return checkResult{}, nil
}
