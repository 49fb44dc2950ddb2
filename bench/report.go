package main

import (
	"fmt"
	"sort"
	"strings"
)

// renderMarkdown writes RESULTS.md from the results alone, so the page and
// results.json never disagree; the sentences that explain a shortfall are
// derived from the same numbers.
func renderMarkdown(r *Results) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.Machine
	w("# ClusterForge benchmark results\n")
	w("Written by `make bench` (bench/, its own Go module) on %s: %d cores, %s, time scale %.3g wall s per simulated AWS s, load average %s at the start and %s at the end, %.0f s in all.", m.Date, m.Cores, m.GoVersion, m.TimeScale, m.LoadAvgStart, m.LoadAvgEnd, m.WallSeconds)
	w("*%s.* Every figure below was measured in that run; the critical-path bounds are computed from the local cloud's latency model (`GET {admin}/clock` → awsLatencies). Raw numbers: [results.json](results.json).\n", m.SharedCPUNote)
	if len(r.Errors) > 0 {
		w("**Phases that failed:** %s\n", strings.Join(r.Errors, "; "))
	}
	w("## Goals\n")
	w("| figure | measured | goal | met |")
	w("|---|---:|---:|:---:|")
	for _, g := range r.Goals {
		w("| %s | %v %s | ≤ %v %s | %s |", g.Figure, g.Measured, g.Unit, g.Goal, g.Unit, map[bool]string{true: "yes", false: "**no**"}[g.Met])
	}
	w("")
	for _, section := range []func(*strings.Builder, *Results){criticalSection, callsSection, transitionsSection, costSection, scaleSection, apiSection, lambdaSection} {
		section(&b, r)
	}
	return b.String()
}

func criticalSection(b *strings.Builder, r *Results) {
	c := r.ProvisionVsCritical
	if c == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## Provision and delete time vs the critical path\n")
	w("| | measured (simulated s) | critical path (s) | ratio | sequential baseline (s) | its ratio |")
	w("|---|---:|---:|---:|---:|---:|")
	w("| provision | %.1f | %.0f | %.3f | %.1f | %.3f |", c.ProvisionSeconds, c.ProvisionBoundSeconds, c.ProvisionRatio, c.Sequential.ProvisionSeconds, c.Sequential.ProvisionRatio)
	w("| delete | %.1f | %.0f | %.3f | %.1f | %.3f |", c.DeleteSeconds, c.DeleteBoundSeconds, c.DeleteRatio, c.Sequential.DeleteSeconds, c.Sequential.DeleteRatio)
	w("")
	w("- Provision critical path: %s.", c.ProvisionPath)
	w("- Delete critical path: %s (instance termination and NAT gateway deletion depend on nothing of each other; subnets wait for both).", c.DeletePath)
	w("- Measured = from the request to the end of its Step Functions execution, wall time ÷ time scale. Sequential baseline: %s.", c.Sequential.Method)
	w("\n![Gantt of one provisioning vs the critical path](gantt.png)\n")
	w("Where the time goes (task records, simulated seconds from the request; AWS = the transition the task waits for):\n")
	for _, set := range []struct {
		name  string
		tasks []TaskTiming
	}{{"provision", c.ProvisionTasks}, {"delete", c.DeleteTasks}} {
		w("| %s task | start | end | duration | AWS | excess |", set.name)
		w("|---|---:|---:|---:|---:|---:|")
		for _, t := range set.tasks {
			aws, excess := "", ""
			if t.AWSSeconds > 0 {
				aws = fmt.Sprintf("%.0f", t.AWSSeconds)
				excess = fmt.Sprintf("%+.1f", t.End-t.Start-t.AWSSeconds)
			}
			w("| %s | %.1f | %.1f | %.1f | %s | %s |", t.Name, t.Start, t.End, t.End-t.Start, aws, excess)
		}
		w("")
	}
	w("Reading the tables: a wait task's excess over its AWS transition is the polling granularity (the Wait interval); what a task waits for before it starts is the ordering the state machine imposes.\n")
}

func callsSection(b *strings.Builder, r *Results) {
	c := r.AWSCalls
	if c == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## AWS calls per cluster lifecycle\n")
	w("%d calls (%d provision, %d delete): %d mutating, %d describe, %d throttled — %s.\n", c.Total, c.Provision, c.Delete, c.Mutating, c.Describe, c.Throttled, c.DescribeShareNote)
	w("| mutating action | calls | | describe action | calls |")
	w("|---|---:|---|---|---:|")
	for i := range max(len(c.MutatingByAction), len(c.DescribeByAction)) {
		row := [4]string{}
		if i < len(c.MutatingByAction) {
			row[0], row[1] = c.MutatingByAction[i].Name, fmt.Sprint(c.MutatingByAction[i].Calls)
		}
		if i < len(c.DescribeByAction) {
			row[2], row[3] = c.DescribeByAction[i].Name, fmt.Sprint(c.DescribeByAction[i].Calls)
		}
		w("| %s | %s | | %s | %s |", row[0], row[1], row[2], row[3])
	}
	w("\nBy the state that made them (top 12): %s.\n", topList(c.ByState, 12))
	if len(r.PollingBackoff) > 0 {
		w("### Polling: check loops vs how long AWS takes\n")
		w("The Wait states have fixed intervals, so checks grow linearly with the AWS wait; a NAT gateway twice as slow costs twice the checks. The local latency model cannot be changed from outside the local cloud, so instead of a second run with a slower NAT gateway, every loop of the same run is one point: wait length → checks and calls.\n")
		w("| loop | AWS wait (s) | Wait state (s) | checks | calls | calls/check | actions |")
		w("|---|---:|---:|---:|---:|---:|---|")
		for _, l := range r.PollingBackoff {
			w("| %s/%s | %.0f | %.0f | %d | %d | %.2f | %s |", l.Execution, l.State, l.AWSWaitSeconds, l.IntervalSeconds, l.Checks, l.Calls, l.CallsPerCheck, topList(l.Actions, 4))
		}
		w("\n![Check loops: calls vs wait length](polling.png)\n")
	}
}

func transitionsSection(b *strings.Builder, r *Results) {
	t := r.StateTransitions
	if t == nil {
		return
	}
	fmt.Fprintf(b, "## Step Functions state transitions per lifecycle\n\n%d (%d provision + %d delete), counted as StateEntered events of GetExecutionHistory. Most entered states: %s.\n\n",
		t.Total, t.Provision, t.Delete, topList(t.ByState, 12))
}

func costSection(b *strings.Builder, r *Results) {
	c := r.PlatformCost
	if c == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## Platform cost per lifecycle\n")
	w("| item | quantity | USD |")
	w("|---|---|---:|")
	w("| Step Functions | %d transitions | %.6f |", c.Transitions, c.ByItemUSD["stepFunctions"])
	w("| Lambda | %d requests, %.1f s, %.2f GB-s | %.6f |", c.LambdaRequests, c.LambdaSeconds, c.LambdaGBSeconds, c.ByItemUSD["lambda"])
	w("| DynamoDB | %d write, %d read units | %.6f |", c.DynamoDBWrites, c.DynamoDBReads, c.ByItemUSD["dynamodb"])
	w("| Secrets Manager | %d calls | %.6f |", c.SecretsCalls, c.ByItemUSD["secretsManager"])
	w("| EventBridge Scheduler | %d invocations (%d API calls) | %.6f |", c.SchedulerRuns, c.SchedulerCalls, c.ByItemUSD["scheduler"])
	w("| **total** | | **%.6f** |", c.TotalUSD)
	w("\nDynamoDB by action: %s.\n", topList(c.DynamoDBByAction, 10))
	for _, a := range c.Assumptions {
		w("- %s", a)
	}
	w("")
}

func scaleSection(b *strings.Builder, r *Results) {
	s := r.Scale
	if s == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## Concurrent clusters under EC2's request limits\n")
	w("%s.\n", s.Setup)
	w("| clusters | Lambda procs/fn | wall s | simulated s | provision p50 / max (sim s) | delete p50 / max (sim s) | AWS calls | throttles absorbed | failures | leftovers | load after |")
	w("|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|")
	for _, run := range s.Runs {
		w("| %d | %d | %.0f | %.0f | %.0f / %.0f | %.0f / %.0f | %d | %d %s | %d | %d | %s |", run.Clusters, run.LambdaConcurrency, run.WallSeconds, run.SimulatedSeconds,
			run.ProvisionP50, run.ProvisionMax, run.DeleteP50, run.DeleteMax, run.AWSCalls, run.Throttled, classList(run.ThrottledByClass), run.Failures, run.Leftovers, run.LoadAvg)
	}
	for _, run := range s.Runs {
		for _, f := range run.FailureMessages {
			w("\n- failure (%d clusters): %s", run.Clusters, f)
		}
	}
	for _, sk := range s.Skipped {
		w("\n- skipped: %s", sk)
	}
	if len(s.Runs) > 1 {
		first, last := s.Runs[0], s.Runs[len(s.Runs)-1]
		w("\nFrom %d to %d clusters (×%.1f) the slowest provisioning went from %.0f to %.0f simulated s (×%.2f) and the whole run from %.0f to %.0f wall s (×%.2f). Simulated time here includes local CPU time ÷ time scale: on 2 shared cores every wall second of queueing is %.0f simulated seconds.",
			first.Clusters, last.Clusters, float64(last.Clusters)/float64(first.Clusters), first.ProvisionMax, last.ProvisionMax, safeDiv(last.ProvisionMax, first.ProvisionMax),
			first.WallSeconds, last.WallSeconds, safeDiv(last.WallSeconds, first.WallSeconds), safeDiv(1, r.Machine.TimeScale))
	}
	w("\n![Time vs cluster count](scale.png)\n")
}

func apiSection(b *strings.Builder, r *Results) {
	a := r.APILatency
	if a == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## API latency (warm, through the local API gateway)\n")
	w("%d clusters stored and Running; %s.\n", a.ClustersStored, a.Note)
	w("| request | n | p50 ms | p99 ms | max ms |")
	w("|---|---:|---:|---:|---:|")
	w("| GET /v1/clusters/{id} | %d | %.1f | %.1f | %.1f |", a.GetCluster.Requests, a.GetCluster.P50, a.GetCluster.P99, a.GetCluster.Max)
	w("| GET /v1/clusters?limit=100 (%d items) | %d | %.1f | %.1f | %.1f |", a.ListClusters.Items, a.ListClusters.Requests, a.ListClusters.P50, a.ListClusters.P99, a.ListClusters.Max)
	w("")
}

func lambdaSection(b *strings.Builder, r *Results) {
	if len(r.LambdaSize) == 0 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## Lambda package size and cold start\n")
	init := map[string]FunctionInits{}
	method := ""
	if r.LambdaColdStart != nil {
		method = r.LambdaColdStart.Method
		for _, f := range r.LambdaColdStart.Functions {
			init[f.Function] = f
		}
	}
	w("| function | binary MB | zipped MB | init median ms | init max ms | all cold starts (ms) |")
	w("|---|---:|---:|---:|---:|---|")
	for _, l := range r.LambdaSize {
		f := init[l.Function]
		w("| %s | %.2f | %.2f | %.1f | %.1f | %v |", l.Function, float64(l.BinaryBytes)/(1<<20), l.ZippedMB, f.MedianMs, f.MaxMs, f.InitMs)
	}
	w("\nZipped with archive/zip (deflate), one `bootstrap` per archive as the provided.al2023 runtime expects. Init: %s.\n", method)
}

func topList(cs []Count, n int) string {
	var parts []string
	for i, c := range cs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", c.Name, c.Calls))
	}
	return strings.Join(parts, ", ")
}

func classList(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for k, v := range m {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
