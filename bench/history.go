package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/clusterforge/clusterforge/local/launcher"
)

// execution is what the bench keeps of one Step Functions execution.
type execution struct {
	arn         string
	status      string
	start, stop time.Time
	events      []sfntypes.HistoryEvent
}

// waitExecution polls DescribeExecution (platform keys, not the API, so the
// API Lambda's DynamoDB reads stay out of the per-lifecycle counts) until the
// execution is no longer running.
func (s *session) waitExecution(ctx context.Context, arn string, timeout time.Duration) (execution, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := s.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return execution{}, fmt.Errorf("describe execution %s: %w", arn, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return execution{arn: arn, status: string(out.Status), start: aws.ToTime(out.StartDate), stop: aws.ToTime(out.StopDate)}, nil
		}
		if time.Now().After(deadline) {
			return execution{}, fmt.Errorf("execution %s still running after %s", arn, timeout)
		}
		select {
		case <-ctx.Done():
			return execution{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// history reads every event of the execution.
func (s *session) history(ctx context.Context, e *execution) error {
	p := sfn.NewGetExecutionHistoryPaginator(s.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(e.arn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("execution history %s: %w", e.arn, err)
		}
		e.events = append(e.events, page.Events...)
	}
	return nil
}

// transitions counts StateEntered events: what Step Functions Standard bills.
func (e execution) transitions() int {
	n := 0
	for _, ev := range e.events {
		if strings.HasSuffix(string(ev.Type), "StateEntered") {
			n++
		}
	}
	return n
}

// enteredByState counts StateEntered events per state name.
func (e execution) enteredByState() map[string]int {
	m := map[string]int{}
	for _, ev := range e.events {
		if d := ev.StateEnteredEventDetails; d != nil {
			m[aws.ToString(d.Name)]++
		}
	}
	return m
}

// lambdaRuns are the Lambda invocations of the execution with their
// durations (LambdaFunctionStarted → Succeeded/Failed/TimedOut).
func (e execution) lambdaRuns() (n int, total time.Duration) {
	var open []time.Time
	for _, ev := range e.events {
		switch ev.Type {
		case sfntypes.HistoryEventTypeLambdaFunctionStarted:
			open = append(open, aws.ToTime(ev.Timestamp))
			n++
		case sfntypes.HistoryEventTypeLambdaFunctionSucceeded, sfntypes.HistoryEventTypeLambdaFunctionFailed,
			sfntypes.HistoryEventTypeLambdaFunctionTimedOut:
			if len(open) > 0 {
				total += aws.ToTime(ev.Timestamp).Sub(open[0])
				open = open[1:]
			}
		}
	}
	return n, total
}

// taskInterval is one run of a Task state, for attributing AWS calls to it.
type taskInterval struct {
	state, function string
	from, to        time.Time
}

// taskIntervals pairs each TaskStateEntered with the first later
// TaskStateExited of the same name (FIFO, so concurrent Map iterations pair
// up roughly in order) and names the function the state invokes.
func (e execution) taskIntervals(functionOf map[string]string) []taskInterval {
	open := map[string][]time.Time{}
	var out []taskInterval
	end := e.stop
	for _, ev := range e.events {
		switch ev.Type {
		case sfntypes.HistoryEventTypeTaskStateEntered:
			name := aws.ToString(ev.StateEnteredEventDetails.Name)
			open[name] = append(open[name], aws.ToTime(ev.Timestamp))
		case sfntypes.HistoryEventTypeTaskStateExited:
			name := aws.ToString(ev.StateExitedEventDetails.Name)
			if q := open[name]; len(q) > 0 {
				out = append(out, taskInterval{name, functionOf[name], q[0], aws.ToTime(ev.Timestamp)})
				open[name] = q[1:]
			}
		}
	}
	for name, q := range open { // failed or still running at the end
		for _, t := range q {
			out = append(out, taskInterval{name, functionOf[name], t, end})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from.Before(out[j].from) })
	return out
}

// attribute names the Task state that made each call: the latest-entered
// interval of a state that invokes the calling function and spans the call.
// It is approximate where two states of the same function overlap in time
// (e.g. DeleteSecurityGroups beside CheckNatGateways): the history does not
// say which process ran which invocation.
func attribute(calls []call, intervals []taskInterval) map[string][]call {
	out := map[string][]call{}
	for _, c := range calls {
		state := "(unattributed)"
		for _, in := range intervals {
			if in.function == c.function() && !c.Time.Before(in.from) && !c.Time.After(in.to) {
				state = in.state
			}
		}
		out[state] = append(out[state], c)
	}
	return out
}

// aslStates walks a state machine definition (nested Map and Parallel too)
// for the function each Task state invokes and each Wait state's seconds.
func aslStates(root, machine string) (functions map[string]string, waits map[string]float64, err error) {
	raw, err := os.ReadFile(filepath.Join(root, "statemachines", machine+".asl.json"))
	if err != nil {
		return nil, nil, err
	}
	var def any
	if err := json.Unmarshal(raw, &def); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", machine, err)
	}
	functions, waits = map[string]string{}, map[string]float64{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if states, ok := t["States"].(map[string]any); ok {
				for name, st := range states {
					m, _ := st.(map[string]any)
					if res, ok := m["Resource"].(string); ok && m["Type"] == "Task" {
						// "${NetworkFunctionArn}" → the launcher's function name.
						ph := strings.TrimSuffix(strings.TrimPrefix(res, "${"), "FunctionArn}")
						functions[name] = launcher.FunctionName(ph)
					}
					if sec, ok := m["Seconds"].(float64); ok && m["Type"] == "Wait" {
						waits[name] = sec
					}
				}
			}
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(def)
	return functions, waits, nil
}
