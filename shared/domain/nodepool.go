package domain

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// SpotMaxPrice is the spot max price for a pool: percent of the on-demand
// price, rounded to 4 decimals because RunInstances takes MaxPrice as a
// decimal string and AWS prices have 4 significant decimals. It never rounds
// to 0, which AWS would reject, for a tiny instance at a low percentage.
func SpotMaxPrice(onDemand float64, percent int) float64 {
	p := math.Round(onDemand*float64(percent)/100*1e4) / 1e4
	if p <= 0 && onDemand > 0 && percent > 0 {
		p = 0.0001
	}
	return p
}

// FormatSpotPrice renders a price as RunInstances' MaxPrice wants it.
func FormatSpotPrice(p float64) string { return strconv.FormatFloat(p, 'f', 4, 64) }

// SpotAZsInRange returns, in the pool's AZ order, the AZs whose current spot
// price is at most maxPrice. An AZ without a price (no history, or the type
// not offered there) is out of range: launching there could only fail.
func SpotAZsInRange(current map[string]float64, maxPrice float64, azs []string) []string {
	var out []string
	for _, az := range azs {
		if p, ok := current[az]; ok && p <= maxPrice {
			out = append(out, az)
		}
	}
	return out
}

// ScaleDownVictims picks which nodes to remove to bring a pool down to size.
// In order: nodes in AZs the pool no longer uses, nodes that are not
// running (they serve nothing), then one at a time from the AZ with the most
// nodes, newest first — a newer node has the least state and the shortest
// warm cache, and taking from the fullest AZ keeps the spread even.
func ScaleDownVictims(nodes []Node, size int, azs []string) []Node {
	remaining := slices.Clone(nodes)
	var victims []Node
	take := func(i int) {
		victims = append(victims, remaining[i])
		remaining = slices.Delete(remaining, i, i+1)
	}
	for _, bad := range []func(Node) bool{
		func(n Node) bool { return !slices.Contains(azs, n.AZ) },
		func(n Node) bool { return n.State != "running" },
	} {
		for len(remaining) > size {
			i := slices.IndexFunc(remaining, bad)
			if i < 0 {
				break
			}
			take(i)
		}
	}
	for len(remaining) > size {
		take(scaleDownPick(remaining, azs))
	}
	return victims
}

// scaleDownPick is the index of the newest node in the fullest AZ; ties
// between AZs go to the AZ later in the pool's order, so the first AZs keep
// the extra nodes as SpreadAcrossAZs gives them.
func scaleDownPick(nodes []Node, azs []string) int {
	count := map[string]int{}
	for _, n := range nodes {
		count[n.AZ]++
	}
	fullest := ""
	for _, az := range azs {
		if count[az] > 0 && count[az] >= count[fullest] {
			fullest = az
		}
	}
	best := -1
	for i, n := range nodes {
		if n.AZ == fullest && (best < 0 || newer(n, nodes[best])) {
			best = i
		}
	}
	return best
}

// newer orders nodes by launch time, then instance id so ties are stable.
func newer(a, b Node) bool {
	if c := a.LaunchedAt.Compare(b.LaunchedAt); c != 0 {
		return c > 0
	}
	return a.InstanceID > b.InstanceID
}

// Rolling-update step actions. Terminate includes cordon and drain.
const (
	StepLaunch    = "launch"
	StepTerminate = "terminate"
)

// Step is one action of a node pool update, done in order: the workflow waits
// for a launched node to be Ready (expandFirst) or a terminated one to be
// gone (contractFirst) before the next step.
type Step struct {
	Action     string `json:"action"`
	AZ         string `json:"az"`
	InstanceID string `json:"instanceId,omitempty"` // terminate: the node
	Replaces   string `json:"replaces,omitempty"`   // launch: the node it replaces
}

// Outdated reports whether a node must be replaced to match the pool spec:
// changes that a running instance cannot take in place.
func Outdated(n Node, desired NodePoolSpec) bool {
	return n.InstanceType != desired.InstanceType ||
		n.RootVolumeGiB != desired.RootVolumeGiB ||
		n.Capacity != desired.Capacity.Type ||
		!slices.Contains(desired.AZs, n.AZ)
}

// PlanRollingUpdate turns a pool's current nodes and its desired spec into
// ordered steps: first remove surplus nodes (never replace a node only to
// remove it), then replace outdated nodes one at a time, oldest first —
// expandFirst launches the replacement before terminating, contractFirst
// the reverse — then launch what is missing. A replacement stays in its
// node's AZ, unless that AZ left the pool; then it goes where the spread
// is shortest. Labels and taints are not here: they change in place.
func PlanRollingUpdate(current []Node, desired NodePoolSpec) []Step {
	var steps []Step
	nodes := slices.Clone(current)
	if len(nodes) > desired.Size {
		victims := ScaleDownVictims(nodes, desired.Size, desired.AZs)
		for _, v := range victims {
			steps = append(steps, Step{Action: StepTerminate, AZ: v.AZ, InstanceID: v.InstanceID})
			nodes = slices.DeleteFunc(nodes, func(n Node) bool { return n.InstanceID == v.InstanceID })
		}
	}
	count := map[string]int{} // nodes per AZ after the update so far
	for _, n := range nodes {
		if !Outdated(n, desired) {
			count[n.AZ]++
		}
	}
	target := SpreadAcrossAZs(desired.Size, desired.AZs)
	place := func(prefer string) string {
		az := prefer
		if !slices.Contains(desired.AZs, az) {
			az = shortestAZ(desired.AZs, count, target)
		}
		count[az]++
		return az
	}
	slices.SortStableFunc(nodes, func(a, b Node) int { return cmp.Compare(a.LaunchedAt.UnixNano(), b.LaunchedAt.UnixNano()) })
	for _, n := range nodes {
		if !Outdated(n, desired) {
			continue
		}
		launch := Step{Action: StepLaunch, AZ: place(n.AZ), Replaces: n.InstanceID}
		term := Step{Action: StepTerminate, AZ: n.AZ, InstanceID: n.InstanceID}
		if desired.RollingUpdate == RollingContractFirst {
			steps = append(steps, term, launch)
		} else {
			steps = append(steps, launch, term)
		}
	}
	for range desired.Size - len(nodes) {
		steps = append(steps, Step{Action: StepLaunch, AZ: place("")})
	}
	return steps
}

// shortestAZ is the AZ furthest below its target count, first in pool order on ties.
func shortestAZ(azs []string, count, target map[string]int) string {
	best, bestGap := "", math.MinInt
	for _, az := range azs {
		if gap := target[az] - count[az]; gap > bestGap {
			best, bestGap = az, gap
		}
	}
	return best
}
