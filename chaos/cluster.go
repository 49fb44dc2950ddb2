package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

// Shape is the part of the example cluster a run varies: small shapes keep
// dozens of clusters within two cores' reach.
type Shape struct {
	Kind         string // "" (self-managed) or eks
	AZs          int    // 1–3, the first of harness.ExampleAZs
	NATGateways  string // perAz | single
	ControlPlane int    // 1, 3 or 5
	Workers      int    // size of the one worker pool spread over the AZs; 0 for none
}

// FaultShape covers every kind of call site with the fewest instances: two
// AZs so Maps run more than one branch, a NAT per AZ, one control-plane
// node and a two-node worker pool.
var FaultShape = Shape{AZs: 2, NATGateways: "perAz", ControlPlane: 1, Workers: 2}

// EKSFaultShape is FaultShape's EKS counterpart: two AZs with a NAT each,
// one managed node group of two and the example's Fargate profile, so
// every EKS and IAM call site appears once.
var EKSFaultShape = Shape{Kind: "eks", AZs: 2, NATGateways: "perAz", Workers: 2}

// Spec is harness.ExampleCluster (or ExampleEKSCluster) cut down to the
// shape, so chaos clusters stay the documented request with fewer resources.
func (s Shape) Spec(name, accountID, profileID string) map[string]any {
	if s.Kind == "eks" {
		return s.eksSpec(name, accountID, profileID)
	}
	spec := harness.ExampleCluster(name, accountID, profileID)
	azs := harness.ExampleAZs[:s.AZs]
	spec["placement"] = map[string]any{"type": "dynamic", "vpcCidr": "10.0.0.0/16", "azs": azs, "natGateways": s.NATGateways}
	pools := spec["nodePools"].([]map[string]any)
	cp, general := pools[0], pools[1]
	cp["size"] = s.ControlPlane
	general["size"], general["azs"] = s.Workers, azs
	spec["nodePools"] = []map[string]any{cp}
	if s.Workers > 0 {
		spec["nodePools"] = []map[string]any{cp, general}
	}
	return spec
}

func (s Shape) eksSpec(name, accountID, profileID string) map[string]any {
	spec := harness.ExampleEKSCluster(name, accountID, profileID)
	azs := harness.ExampleAZs[:s.AZs]
	spec["placement"] = map[string]any{"type": "dynamic", "vpcCidr": "10.1.0.0/16", "azs": azs, "natGateways": s.NATGateways}
	general := spec["nodePools"].([]map[string]any)[0]
	general["size"], general["minSize"], general["maxSize"], general["azs"] = s.Workers, s.Workers, s.Workers+1, azs
	spec["nodePools"] = []map[string]any{general}
	return spec
}

// Expected counts, by the resource types harness.TaggedResources reports,
// what the domain's own plan says the cluster creates. Listeners carry no
// tags the scan can see, so they are left to the service's ledger.
func Expected(spec map[string]any) (map[string]int, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var cs domain.ClusterSpec
	if err := domain.DecodeStrict(raw, &cs); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	plan, err := domain.PlanCluster(cs, pricing.Default())
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range plan.Resources {
		if r.Type != domain.ResListener {
			out[string(r.Type)]++
		}
	}
	return out, nil
}

// View is what a run reads of a cluster.
type View struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
	Tasks         []struct {
		Name, State, Message string
	} `json:"tasks"`
}

// Stuck reports a deletion that gave up on a step: the cluster stays
// Deleting and says so; a DELETE resumes it.
func (v View) Stuck() bool {
	return v.Status == "Deleting" && strings.HasPrefix(v.StatusMessage, "deletion stuck")
}

// failedTasks names the failed tasks and their messages, for reports.
func (v View) failedTasks() string {
	var out []string
	for _, t := range v.Tasks {
		if t.State == "Failed" {
			out = append(out, t.Name+": "+t.Message)
		}
	}
	return strings.Join(out, "; ")
}

// Create posts the cluster and returns its id.
func (e *Env) Create(ctx context.Context, spec map[string]any) (string, error) {
	var v View
	if err := e.Call(ctx, http.MethodPost, "/v1/clusters", spec, http.StatusAccepted, &v); err != nil {
		return "", err
	}
	return v.ID, nil
}

// Get reads a cluster.
func (e *Env) Get(ctx context.Context, id string) (View, error) {
	var v View
	err := e.Call(ctx, http.MethodGet, "/v1/clusters/"+id, nil, http.StatusOK, &v)
	return v, err
}

// Wait polls until the cluster is in want or Failed (returned as the view,
// not an error: a caller may expect it), or timeout passes.
func (e *Env) Wait(ctx context.Context, id, want string, timeout time.Duration) (View, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := e.Get(ctx, id)
		if err != nil {
			return v, err
		}
		if v.Status == want || v.Status == "Failed" || v.Stuck() {
			return v, nil
		}
		if time.Now().After(deadline) {
			return v, fmt.Errorf("cluster %s still %s after %s, want %s", id, v.Status, timeout, want)
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(time.Second): // dozens of pollers must not saturate the API
		}
	}
}

// Inventory counts what carries the cluster's id tag in the account, by
// type, with the customer's own client.
func (e *Env) Inventory(ctx context.Context, clusterID string) (map[string]int, error) {
	cfg, err := e.AWS(ctx)
	if err != nil {
		return nil, err
	}
	found, err := harness.TaggedResources(ctx, cfg, harness.ClusterIDTag, clusterID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for typ, ids := range found {
		if len(ids) > 0 {
			out[typ] = len(ids)
		}
	}
	return out, nil
}

// Mismatch lists every planned type whose count differs from the plan
// (a duplicate or a missing resource) and every unplanned type found.
// Network interfaces are the instances' own and not planned separately.
func Mismatch(want, got map[string]int) []string {
	var out []string
	for typ, n := range want {
		if got[typ] != n {
			out = append(out, fmt.Sprintf("%s %d≠%d", typ, got[typ], n))
		}
	}
	for typ, n := range got {
		if _, planned := want[typ]; !planned && typ != "networkinterface" {
			out = append(out, fmt.Sprintf("%s %d unplanned", typ, n))
		}
	}
	sort.Strings(out)
	return out
}

// Leftovers lists what remains of a deleted cluster, by type.
func Leftovers(got map[string]int) []string {
	var out []string
	for typ, n := range got {
		out = append(out, fmt.Sprintf("%s %d", typ, n))
	}
	sort.Strings(out)
	return out
}
