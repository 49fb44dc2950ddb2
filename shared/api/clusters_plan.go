package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// QuotaChecker reads quota headroom in a customer account and region.
type QuotaChecker interface {
	CheckQuotas(ctx context.Context, access cloud.Access, region string, azs []string) ([]cloud.QuotaHeadroom, error)
}

// SessionQuotas implements QuotaChecker with the process's session cache,
// so dry runs share the per-account request budgets with everything else.
type SessionQuotas struct{ Sessions *cloud.SessionCache }

// dryRunOwner names the role session of dry runs in the customer's CloudTrail.
const dryRunOwner = "dryrun"

// CheckQuotas reads the quotas a cluster consumes (cloud.CheckQuotas).
func (q SessionQuotas) CheckQuotas(ctx context.Context, access cloud.Access, region string, azs []string) ([]cloud.QuotaHeadroom, error) {
	sess, err := q.Sessions.Session(access, region, dryRunOwner)
	if err != nil {
		return nil, err
	}
	return cloud.CheckQuotas(ctx, sess, azs)
}

// DryRun is the answer of POST /v1/clusters?dryRun=true: what creating the
// cluster would do, with nothing stored or started.
type DryRun struct {
	Plan   PlanSummary  `json:"plan"`
	Quotas []QuotaCheck `json:"quotas"`
	// QuotaError says why quotas could not be read (e.g. the role cannot
	// be assumed); the rest of the dry run stands.
	QuotaError string              `json:"quotaError,omitempty"`
	AWSCalls   map[string]int      `json:"awsCalls"`
	Cost       domain.CostEstimate `json:"cost"`
}

// PlanSummary is the plan with its resources counted by type and AZ
// ("regional" for resources without one).
type PlanSummary struct {
	domain.Plan
	ByType map[domain.ResourceType]map[string]int `json:"byType"`
}

// QuotaCheck is one quota's headroom against what the plan needs.
type QuotaCheck struct {
	cloud.QuotaHeadroom
	Needed    int  `json:"needed"`
	Shortfall bool `json:"shortfall"`
}

const regional = "regional"

func (h *Handler) dryRun(ctx context.Context, r *request, spec domain.ClusterSpec) (response, error) {
	plan, err := domain.PlanCluster(spec, h.catalog)
	if err != nil {
		return response{}, err
	}
	cost, err := domain.EstimateCost(plan, h.catalog)
	if err != nil {
		return response{}, fmt.Errorf("dry run: %w", err)
	}
	out := DryRun{Plan: summarizePlan(plan), AWSCalls: domain.PlannedCalls(plan), Cost: cost, Quotas: []QuotaCheck{}}
	quotas, err := h.readQuotas(ctx, r.principal.Scope, spec)
	if err != nil {
		// A dry run is for planning; an account the service cannot read
		// yet is worth reporting, not failing the plan and cost over.
		out.QuotaError = err.Error()
	}
	needs := quotaNeeds(plan, h.catalog)
	for _, q := range quotas {
		need := needs(q)
		out.Quotas = append(out.Quotas, QuotaCheck{QuotaHeadroom: q, Needed: need, Shortfall: q.Error == "" && need > q.Available})
	}
	return jsonResponse(http.StatusOK, out), nil
}

func (h *Handler) readQuotas(ctx context.Context, scope domain.Scope, spec domain.ClusterSpec) ([]cloud.QuotaHeadroom, error) {
	if h.deps.Quotas == nil {
		return nil, fmt.Errorf("quota checks are not configured in this deployment")
	}
	access, err := h.clusters.AccountAccess(ctx, scope, spec.CloudAccountID)
	if err != nil {
		return nil, fmt.Errorf("cloud account access: %w", err)
	}
	return h.deps.Quotas.CheckQuotas(ctx, access, spec.Region, spec.Placement.AZs)
}

func summarizePlan(p domain.Plan) PlanSummary {
	by := map[domain.ResourceType]map[string]int{}
	for _, r := range p.Resources {
		az := r.AZ
		if az == "" {
			az = regional
		}
		if by[r.Type] == nil {
			by[r.Type] = map[string]int{}
		}
		by[r.Type][az]++
	}
	return PlanSummary{Plan: p, ByType: by}
}

// quotaNeeds returns, for a quota cloud.CheckQuotas reports, how much of it
// the plan consumes.
func quotaNeeds(p domain.Plan, cat domain.Catalog) func(cloud.QuotaHeadroom) int {
	count := func(t domain.ResourceType, az string) int {
		n := 0
		for _, r := range p.Resources {
			if r.Type == t && (az == "" || r.AZ == az) {
				n++
			}
		}
		return n
	}
	vcpus := 0
	for _, r := range p.Resources {
		switch {
		case r.Spot:
		case r.Type == domain.ResInstance && standardFamily(r.InstanceType):
			info, _ := cat.InstanceType(r.InstanceType)
			vcpus += info.VCPUs
		case r.Type == domain.ResNodeGroup:
			vcpus += r.MaxSize * nodeGroupVCPUs(r, cat)
		}
	}
	return func(q cloud.QuotaHeadroom) int {
		switch {
		case q.Code == cloud.QuotaVPCsPerRegion:
			return count(domain.ResVPC, "")
		case q.Code == cloud.QuotaNATGatewaysPerAZ:
			return count(domain.ResNATGateway, q.Scope)
		case q.Code == cloud.QuotaOnDemandStandardCPU:
			return vcpus
		case strings.Contains(q.Name, "Elastic IP"): // read from account attributes, no quota code
			return count(domain.ResEIP, "")
		}
		return 0
	}
}

// nodeGroupVCPUs is what one node of a managed node group may take from
// the on-demand standard quota: the largest of its instance types in a
// standard family, as its Auto Scaling group may launch any of them.
func nodeGroupVCPUs(r domain.PlannedResource, cat domain.Catalog) int {
	most := 0
	for _, it := range r.InstanceTypes {
		if info, ok := cat.InstanceType(it); ok && standardFamily(it) {
			most = max(most, info.VCPUs)
		}
	}
	return most
}

// standardFamily reports whether an instance type counts against the
// "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)" quota: the
// family letters before the generation digit start with one of those and
// are not one of the families with their own quota.
func standardFamily(instanceType string) bool {
	family, _, _ := strings.Cut(strings.ToLower(instanceType), ".")
	if i := strings.IndexFunc(family, unicode.IsDigit); i > 0 {
		family = family[:i]
	}
	switch family {
	case "", "dl", "hpc", "inf", "mac", "trn":
		return false
	}
	return strings.ContainsRune("acdhimrtz", rune(family[0]))
}
