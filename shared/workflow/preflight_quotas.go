package workflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// quotaNeed is what the cluster still has to create against one quota.
// Resources a previous attempt already created are in the quota's usage,
// so they are not needed again: a retried provision must not fail its own
// preflight.
type quotaNeed struct {
	eips, vpcs, vcpus int
	natPerAZ          map[string]int
}

func (pf preflightRun) needs() quotaNeed {
	n := quotaNeed{natPerAZ: map[string]int{}, vcpus: pf.eksVCPUs()}
	for _, r := range pf.plan.Resources {
		if _, done := pf.live[r.Key]; done {
			continue
		}
		switch r.Type {
		case domain.ResEIP:
			n.eips++
		case domain.ResVPC:
			n.vpcs++
		case domain.ResNATGateway:
			n.natPerAZ[r.AZ]++
		case domain.ResInstance:
			if r.Spot || !standardFamily(r.InstanceType) || pf.spec.Kind == domain.KindEKS {
				continue // spot and GPU/accelerated families have quotas of their own
			}
			if info, ok := pf.c.deps.Prices.InstanceType(r.InstanceType); ok {
				n.vcpus += info.VCPUs
			}
		}
	}
	return n
}

func (pf preflightRun) quotas(ctx context.Context) (checkResult, error) {
	need := pf.needs()
	var azs []string
	for az := range need.natPerAZ {
		azs = append(azs, az)
	}
	headroom, err := pf.checks.Quotas(ctx, azs)
	if err != nil {
		return checkResult{}, fmt.Errorf("check quotas: %w", err)
	}
	var r checkResult
	for _, h := range headroom {
		want := 0
		switch {
		case h.Code == cloud.QuotaVPCsPerRegion:
			want = need.vpcs
		case h.Code == cloud.QuotaNATGatewaysPerAZ:
			want = need.natPerAZ[h.Scope]
		case h.Code == cloud.QuotaOnDemandStandardCPU:
			want = need.vcpus
		case h.Code == "" && strings.Contains(h.Name, "Elastic IP"):
			want = need.eips
		}
		if want == 0 {
			continue
		}
		if h.Error != "" {
			r.notes = append(r.notes, fmt.Sprintf("%s (%s): %s", h.Name, h.Scope, h.Error))
			continue
		}
		if want > h.Available {
			r.shortfalls = append(r.shortfalls, fmt.Sprintf("%s in %s: need %d, available %d (limit %d, used %d)",
				h.Name, h.Scope, want, h.Available, h.Limit, h.Used))
		}
	}
	return r, nil
}
