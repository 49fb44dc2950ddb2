package domain

import (
	"cmp"
	"slices"
)

// Actions of NextPoolStep besides StepLaunch and StepTerminate.
const (
	StepWait = "wait" // a node is still starting or stopping: check again later
	StepDone = "done" // the pool matches its spec
)

// PoolStep is what a node pool update does next. Launch carries one AZ per
// node to launch; Terminate the nodes to terminate.
type PoolStep struct {
	Action    string
	LaunchAZs []string
	Terminate []Node
	Reason    string // for the task message: why this step
}

// NextPoolStep is one turn of a node pool's update loop, decided from what
// runs now rather than from a stored plan, so that a retried or resumed
// turn simply decides again (cluster-api's reconcile, not a script):
//
//  1. a node is pending or shutting down → wait: replacements happen one
//     at a time and expandFirst only removes a node once its replacement
//     runs;
//  2. more nodes than the size → terminate: an outdated node first (the
//     old half of an expandFirst replacement), else the ScaleDownVictims;
//  3. fewer → launch the missing ones where the spread is shortest;
//  4. an outdated node → PlanRollingUpdate's first step: expandFirst
//     launches its replacement, contractFirst terminates it;
//  5. else done.
//
// serial limits steps 2 and 3 to one node per turn: the control plane adds
// and removes etcd members one at a time. nodes are the pool's instances in
// any state; desired.AZs must be the pool's effective AZs.
func NextPoolStep(nodes []Node, desired NodePoolSpec, serial bool) PoolStep {
	var alive []Node
	for _, n := range nodes {
		switch n.State {
		case "pending", "shutting-down", "stopping":
			return PoolStep{Action: StepWait, Reason: "node " + n.InstanceID + " is " + n.State}
		case "running":
			alive = append(alive, n)
		}
	}
	limit := func(k int) int {
		if serial {
			return min(k, 1)
		}
		return k
	}
	switch {
	case len(alive) > desired.Size:
		surplus := len(alive) - desired.Size
		// Outdated nodes go first (never replace a node only to remove
		// it); when all or none are outdated, keep the AZ spread.
		victims := outdatedOldestFirst(alive, desired)
		if len(victims) == 0 || len(victims) == len(alive) {
			victims = ScaleDownVictims(alive, desired.Size, desired.AZs)
		} else if len(victims) < surplus {
			rest := slices.DeleteFunc(slices.Clone(alive), func(n Node) bool { return Outdated(n, desired) })
			victims = append(victims, ScaleDownVictims(rest, len(rest)-(surplus-len(victims)), desired.AZs)...)
		}
		return PoolStep{Action: StepTerminate, Terminate: victims[:limit(surplus)], Reason: "above size"}
	case len(alive) < desired.Size:
		return PoolStep{Action: StepLaunch, LaunchAZs: spreadLaunches(alive, desired, limit(desired.Size-len(alive))), Reason: "below size"}
	}
	steps := PlanRollingUpdate(alive, desired)
	if len(steps) == 0 {
		return PoolStep{Action: StepDone}
	}
	s := steps[0]
	if s.Action == StepLaunch {
		return PoolStep{Action: StepLaunch, LaunchAZs: []string{s.AZ}, Reason: "replaces " + s.Replaces}
	}
	i := slices.IndexFunc(alive, func(n Node) bool { return n.InstanceID == s.InstanceID })
	return PoolStep{Action: StepTerminate, Terminate: []Node{alive[i]}, Reason: "outdated"}
}

// outdatedOldestFirst are the nodes that no longer match the spec, oldest
// first: the order PlanRollingUpdate replaces them in.
func outdatedOldestFirst(nodes []Node, desired NodePoolSpec) []Node {
	var out []Node
	for _, n := range nodes {
		if Outdated(n, desired) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b Node) int { return cmp.Compare(a.LaunchedAt.UnixNano(), b.LaunchedAt.UnixNano()) })
	return out
}

// spreadLaunches places k new nodes, each in the AZ furthest below its
// SpreadAcrossAZs share, counting the nodes that run now.
func spreadLaunches(alive []Node, desired NodePoolSpec, k int) []string {
	count := map[string]int{}
	for _, n := range alive {
		count[n.AZ]++
	}
	target := SpreadAcrossAZs(desired.Size, desired.AZs)
	out := make([]string, 0, k)
	for range k {
		az := shortestAZ(desired.AZs, count, target)
		count[az]++
		out = append(out, az)
	}
	return out
}
