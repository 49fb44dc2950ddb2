package main

import (
	"fmt"
	"strings"
)

// step is one node of a dependency graph: an AWS resource reaching a state.
// Its own duration is the latency model's transition (kind), or zero for an
// API call, which completes in well under a simulated second.
type step struct {
	kind string   // a local/latency Kind ("nat-gateway-available"), "" for a call
	deps []string // steps that must be done first
}

// provisionGraph is what AWS itself forces on a 3-AZ dynamic cluster
// (DESIGN §4): a NAT gateway needs its subnet and EIP; private instances need
// their route to it (kubeadm pulls images through it); a target is checked
// only once its instance runs and the NLB is active. The NLB's own
// provisioning (load-balancer-active) is on the graph because it is real AWS
// behaviour, even though the local cloud answers it at once.
var provisionGraph = map[string]step{
	"vpc":                 {},
	"subnets":             {deps: []string{"vpc"}},
	"eip":                 {},
	"natGatewayAvailable": {kind: "nat-gateway-available", deps: []string{"subnets", "eip"}},
	"privateRoutes":       {deps: []string{"natGatewayAvailable"}},
	"loadBalancerActive":  {kind: "load-balancer-active", deps: []string{"subnets"}},
	"instancesRunning":    {kind: "instance-running", deps: []string{"privateRoutes"}},
	"targetsRegistered":   {deps: []string{"instancesRunning", "loadBalancerActive"}},
	"targetsHealthy":      {kind: "target-healthy", deps: []string{"targetsRegistered"}},
	"bastionRunning":      {kind: "instance-running", deps: []string{"subnets"}},
	"clusterRunning":      {deps: []string{"targetsHealthy", "bastionRunning"}},
}

// deleteGraph: nothing forces instance termination and NAT gateway deletion
// to wait for each other; subnets (and so the VPC) wait for both.
var deleteGraph = map[string]step{
	"instancesTerminated": {kind: "instance-terminated"},
	"loadBalancerDeleted": {},
	"natGatewaysDeleted":  {kind: "nat-gateway-deleted"},
	"addressesReleased":   {deps: []string{"natGatewaysDeleted"}},
	"securityGroups":      {deps: []string{"instancesTerminated", "loadBalancerDeleted"}},
	"subnetsDeleted":      {deps: []string{"instancesTerminated", "natGatewaysDeleted", "securityGroups"}},
	"vpcDeleted":          {deps: []string{"subnetsDeleted", "addressesReleased"}},
}

// PathStep is one step of the critical path with its simulated interval.
type PathStep struct {
	Step  string  `json:"step"`
	Kind  string  `json:"kind,omitempty"`
	Start float64 `json:"startSeconds"`
	End   float64 `json:"endSeconds"`
}

// longestPath returns the critical path through g to its final step end,
// with the given AWS latencies (seconds by kind), and its length. A kind missing from the
// latencies is an error: the bound must come from the model, never a guess.
func longestPath(g map[string]step, end string, latencies map[string]float64) ([]PathStep, float64, error) {
	finish := map[string]float64{}
	via := map[string]string{}
	var visit func(name string, seen map[string]bool) (float64, error)
	visit = func(name string, seen map[string]bool) (float64, error) {
		if f, ok := finish[name]; ok {
			return f, nil
		}
		s, ok := g[name]
		if !ok {
			return 0, fmt.Errorf("critical path: unknown step %q", name)
		}
		if seen[name] {
			return 0, fmt.Errorf("critical path: cycle at %q", name)
		}
		seen[name] = true
		start := 0.0
		for i, d := range s.deps { // ties go to the first declared dependency
			f, err := visit(d, seen)
			if err != nil {
				return 0, err
			}
			if i == 0 || f > start { // zero-length steps stay on the path too
				start, via[name] = f, d
			}
		}
		own := 0.0
		if s.kind != "" {
			v, ok := latencies[s.kind]
			if !ok {
				return 0, fmt.Errorf("critical path: the clock reports no latency for %s", s.kind)
			}
			own = v
		}
		finish[name] = start + own
		return finish[name], nil
	}
	total, err := visit(end, map[string]bool{})
	if err != nil {
		return nil, 0, err
	}
	var path []PathStep
	for n := end; n != ""; n = via[n] {
		s := g[n]
		own := latencies[s.kind]
		path = append([]PathStep{{Step: n, Kind: s.kind, Start: finish[n] - own, End: finish[n]}}, path...)
	}
	return path, total, nil
}

func pathString(path []PathStep) string {
	parts := make([]string, 0, len(path))
	for _, p := range path {
		if p.Kind == "" {
			parts = append(parts, p.Step)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%.0f s)", p.Step, p.End-p.Start))
	}
	return strings.Join(parts, " → ")
}
