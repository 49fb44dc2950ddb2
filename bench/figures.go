package main

import (
	"sort"
	"strings"
	"time"
)

// CriticalPath compares measured provision and delete times with the
// longest dependency chain of AWS's own latencies.
type CriticalPath struct {
	ProvisionSeconds      float64            `json:"provisionSeconds"`
	DeleteSeconds         float64            `json:"deleteSeconds"`
	ProvisionBoundSeconds float64            `json:"provisionBoundSeconds"`
	DeleteBoundSeconds    float64            `json:"deleteBoundSeconds"`
	ProvisionRatio        float64            `json:"provisionRatio"`
	DeleteRatio           float64            `json:"deleteRatio"`
	ProvisionPath         string             `json:"provisionCriticalPath"`
	DeletePath            string             `json:"deleteCriticalPath"`
	ProvisionPathSteps    []PathStep         `json:"provisionCriticalPathSteps"`
	Sequential            Sequential         `json:"sequentialBaseline"`
	ProvisionTasks        []TaskTiming       `json:"provisionTasks"`
	DeleteTasks           []TaskTiming       `json:"deleteTasks"`
	AWSLatencies          map[string]float64 `json:"awsLatencies"`
}

// Sequential is the baseline of every task one after another.
type Sequential struct {
	Method           string  `json:"method"`
	ProvisionSeconds float64 `json:"provisionSeconds"`
	DeleteSeconds    float64 `json:"deleteSeconds"`
	ProvisionRatio   float64 `json:"provisionRatio"`
	DeleteRatio      float64 `json:"deleteRatio"`
}

// TaskTiming is one task record in simulated seconds from the request, with
// the AWS transition it waits for (if any) so the excess is visible.
type TaskTiming struct {
	Name       string  `json:"name"`
	Start      float64 `json:"startSeconds"`
	End        float64 `json:"endSeconds"`
	AWSSeconds float64 `json:"awsLatencySeconds,omitempty"`
}

// waitsFor maps the tasks that wait on AWS to their latency kind.
func waitsFor(task string, deleting bool) string {
	switch {
	case task == "natGateways" && deleting:
		return "nat-gateway-deleted"
	case task == "natGateways":
		return "nat-gateway-available"
	case task == "instances" && deleting:
		return "instance-terminated"
	case strings.HasPrefix(task, "nodePool:"):
		return "instance-running"
	case task == "controlPlaneTargets":
		return "target-healthy"
	}
	return ""
}

func taskTimings(s *session, p phase, deleting bool) (out []TaskTiming, sum float64) {
	for _, t := range p.view.Tasks {
		if t.StartedAt == nil || t.FinishedAt == nil {
			continue
		}
		tt := TaskTiming{Name: t.Name,
			Start: round(s.simSeconds(t.StartedAt.Sub(p.requested)), 1),
			End:   round(s.simSeconds(t.FinishedAt.Sub(p.requested)), 1)}
		if k := waitsFor(t.Name, deleting); k != "" {
			tt.AWSSeconds = s.latencies[k]
		}
		out = append(out, tt)
		sum += tt.End - tt.Start
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out, sum
}

func criticalPathFigure(s *session, r *lifecycleResult) (*CriticalPath, error) {
	cp := &CriticalPath{
		ProvisionSeconds: round(r.provision.seconds(s), 1), DeleteSeconds: round(r.delete.seconds(s), 1),
		AWSLatencies: s.latencies,
	}
	var psum, dsum float64
	cp.ProvisionTasks, psum = taskTimings(s, r.provision, false)
	cp.DeleteTasks, dsum = taskTimings(s, r.delete, true)
	cp.Sequential = Sequential{
		Method: "sum of every task record's measured simulated duration (startedAt→finishedAt) of the same run: " +
			"the time with each task started only after the previous one finished, each task keeping its own internal parallelism (per-AZ NAT gateways, pool instances)",
		ProvisionSeconds: round(psum, 1), DeleteSeconds: round(dsum, 1),
	}
	return cp, cp.bound()
}

// bound computes the critical paths from the recorded latencies and every
// ratio to them (also when re-rendering a results.json).
func (cp *CriticalPath) bound() error {
	ppath, pbound, err := longestPath(provisionGraph, "clusterRunning", cp.AWSLatencies)
	if err != nil {
		return err
	}
	dpath, dbound, err := longestPath(deleteGraph, "vpcDeleted", cp.AWSLatencies)
	if err != nil {
		return err
	}
	cp.ProvisionBoundSeconds, cp.DeleteBoundSeconds = pbound, dbound
	cp.ProvisionPath, cp.DeletePath, cp.ProvisionPathSteps = pathString(ppath), pathString(dpath), ppath
	cp.ProvisionRatio = round(cp.ProvisionSeconds/pbound, 3)
	cp.DeleteRatio = round(cp.DeleteSeconds/dbound, 3)
	cp.Sequential.ProvisionRatio = round(cp.Sequential.ProvisionSeconds/pbound, 3)
	cp.Sequential.DeleteRatio = round(cp.Sequential.DeleteSeconds/dbound, 3)
	return nil
}

// CallFigures are the service's AWS calls to the customer account for one
// lifecycle of the example cluster.
type CallFigures struct {
	Total             int     `json:"total"`
	Provision         int     `json:"provision"`
	Delete            int     `json:"delete"`
	Mutating          int     `json:"mutating"`
	Describe          int     `json:"describe"`
	Throttled         int     `json:"throttled"`
	MutatingByAction  []Count `json:"mutatingByAction"`
	DescribeByAction  []Count `json:"describeByAction"`
	ByState           []Count `json:"byState"`
	DescribeShareNote string  `json:"note"`
}

func callFigures(r *lifecycleResult, byState map[string][]call) *CallFigures {
	prov, del := r.provisionCalls(r.customer), r.deleteCalls(r.customer)
	all := append(append([]call(nil), prov...), del...)
	f := &CallFigures{Total: len(all), Provision: len(prov), Delete: len(del)}
	mut := filter(all, func(c call) bool { return !readOnly(c.Action) })
	desc := filter(all, func(c call) bool { return readOnly(c.Action) })
	f.Mutating, f.Describe = len(mut), len(desc)
	f.Throttled = len(filter(all, call.throttled))
	f.MutatingByAction = countBy(mut, call.key)
	f.DescribeByAction = countBy(desc, call.key)
	for state, cs := range byState {
		f.ByState = append(f.ByState, Count{state, len(cs)})
	}
	sort.Slice(f.ByState, func(i, j int) bool { return f.ByState[i].Calls > f.ByState[j].Calls })
	f.DescribeShareNote = "calls made by the service's Lambdas (SDK app id lambda.*) to the customer account, from the create request to the end of the delete execution"
	return f
}

// PollLoop is one Wait + check loop: how many checks it made for how long
// an AWS wait, and the calls they cost.
type PollLoop struct {
	Execution       string  `json:"execution"`
	State           string  `json:"state"`
	AWSWaitSeconds  float64 `json:"awsWaitSeconds"`
	IntervalSeconds float64 `json:"waitStateSeconds"`
	Checks          int     `json:"checks"`
	Calls           int     `json:"calls"`
	CallsPerCheck   float64 `json:"callsPerCheck"`
	Actions         []Count `json:"actions"`
}

// checkWaits maps each check state to the AWS transition it waits for.
var checkWaits = map[string]map[string]string{
	"provision": {"CheckNatGateways": "nat-gateway-available", "CheckNodes": "instance-running", "CheckTargets": "target-healthy"},
	"delete":    {"CheckInstances": "instance-terminated", "CheckNatGateways": "nat-gateway-deleted", "CheckLoadBalancers": ""},
}

func pollLoops(s *session, name string, e execution, byState map[string][]call, waits map[string]float64) []PollLoop {
	entered := e.enteredByState()
	var out []PollLoop
	for state, kind := range checkWaits[name] {
		// Only the check's reads: a concurrent task of the same function can
		// lend a mutating call to the check's interval (see attribute).
		cs := filter(byState[state], func(c call) bool { return readOnly(c.Action) })
		l := PollLoop{Execution: name, State: state, AWSWaitSeconds: s.latencies[kind],
			IntervalSeconds: waits["WaitFor"+strings.TrimPrefix(state, "Check")],
			Checks:          entered[state], Calls: len(cs), Actions: countBy(cs, call.key)}
		if l.Checks > 0 {
			l.CallsPerCheck = round(float64(l.Calls)/float64(l.Checks), 2)
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AWSWaitSeconds < out[j].AWSWaitSeconds })
	return out
}

// Transitions are Step Functions state transitions (StateEntered events).
type Transitions struct {
	Provision int     `json:"provision"`
	Delete    int     `json:"delete"`
	Total     int     `json:"total"`
	ByState   []Count `json:"byState"`
}

func transitionFigures(r *lifecycleResult) *Transitions {
	t := &Transitions{Provision: r.provision.exec.transitions(), Delete: r.delete.exec.transitions()}
	t.Total = t.Provision + t.Delete
	m := map[string]int{}
	for _, e := range []execution{r.provision.exec, r.delete.exec} {
		for k, v := range e.enteredByState() {
			m[k] += v
		}
	}
	for k, v := range m {
		t.ByState = append(t.ByState, Count{k, v})
	}
	sort.Slice(t.ByState, func(i, j int) bool {
		if t.ByState[i].Calls != t.ByState[j].Calls {
			return t.ByState[i].Calls > t.ByState[j].Calls
		}
		return t.ByState[i].Name < t.ByState[j].Name
	})
	return t
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

func ms(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 2) }
