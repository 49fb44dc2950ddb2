package sfn_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/clusterforge/clusterforge/local/lambdarun"
	"github.com/clusterforge/clusterforge/local/lambdarun/lambdatest"
	"github.com/clusterforge/clusterforge/local/sfn"
)

const roleARN = "arn:aws:iam::111111111111:role/states"

// startServer runs server.mjs against lambdaEndpoint. It skips the test
// when node_modules is missing: the Makefile runs `npm ci` in local/sfn
// first, and tests install nothing themselves.
func startServer(t *testing.T, lambdaEndpoint string, scale float64) *awssfn.Client {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Skip("local/sfn/node_modules is missing: run `npm ci` in local/sfn (the Makefile does) to run this test")
	}
	srv, err := sfn.Start(context.WithoutCancel(t.Context()), sfn.Options{
		Dir: dir, AccountID: "111111111111", Region: lambdatest.Region,
		LambdaEndpoint: lambdaEndpoint, AccessKeyID: lambdatest.AccessKeyID,
		SecretAccessKey: lambdatest.SecretAccessKey, TimeScale: scale, LogWriter: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return awssfn.New(awssfn.Options{
		Region:       lambdatest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(lambdatest.AccessKeyID, lambdatest.SecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL()),
	})
}

func createAndStart(t *testing.T, c *awssfn.Client, name, definition string) string {
	t.Helper()
	sm, err := c.CreateStateMachine(t.Context(), &awssfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(roleARN),
	})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.StartExecution(t.Context(), &awssfn.StartExecutionInput{
		StateMachineArn: sm.StateMachineArn, Name: aws.String("run-1"), Input: aws.String(`{"cluster":"c1"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return *ex.ExecutionArn
}

func awaitDone(t *testing.T, c *awssfn.Client, arn string) *awssfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeExecution(t.Context(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != types.ExecutionStatusRunning {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still RUNNING after 30 s", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func history(t *testing.T, c *awssfn.Client, arn string) []types.HistoryEvent {
	t.Helper()
	var events []types.HistoryEvent
	p := awssfn.NewGetExecutionHistoryPaginator(c, &awssfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), MaxResults: 5, // several pages
	})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, page.Events...)
	}
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() {
			for _, ev := range events {
				t.Logf("%d<-%d %s %s", ev.Id, ev.PreviousEventId, ev.Type, eventDetails(ev))
			}
		}
	})
	return events
}

func TestLambdaErrorsDriveRetryAndCatch(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "count")
	env := lambdatest.Start(t, lambdarun.Function{
		Name: "flaky", Binary: lambdatest.Fixture(t), TimeoutSeconds: 10,
		Env: map[string]string{"COUNT_FILE": counter, "FAIL_SEQUENCE": "Transient,Transient,Fatal"},
	})
	c := startServer(t, env.Kumo.URL, 0.01)

	arn := createAndStart(t, c, "provision", `{
	  "StartAt": "Provision",
	  "States": {
	    "Provision": {
	      "Type": "Task", "Resource": "`+lambdatest.FunctionARN("flaky")+`",
	      "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2}],
	      "Catch": [{"ErrorEquals": ["Fatal"], "Next": "Recovered", "ResultPath": "$.error"}],
	      "Next": "Done"
	    },
	    "Recovered": {"Type": "Pass", "End": true},
	    "Done": {"Type": "Succeed"}
	  }
	}`)

	out := awaitDone(t, c, arn)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	if !strings.Contains(aws.ToString(out.Output), `"Error":"Fatal"`) {
		t.Fatalf("output %s does not carry the caught Fatal error", aws.ToString(out.Output))
	}

	var scheduled int
	var failures []string
	var sawRecovered bool
	for _, ev := range history(t, c, arn) {
		switch ev.Type {
		case types.HistoryEventTypeLambdaFunctionScheduled:
			scheduled++
		case types.HistoryEventTypeLambdaFunctionFailed:
			failures = append(failures, aws.ToString(ev.LambdaFunctionFailedEventDetails.Error))
		case types.HistoryEventTypePassStateEntered:
			sawRecovered = aws.ToString(ev.StateEnteredEventDetails.Name) == "Recovered"
		}
	}
	if scheduled != 3 {
		t.Errorf("%d LambdaFunctionScheduled events, want 3", scheduled)
	}
	if got := strings.Join(failures, ","); got != "Transient,Transient,Fatal" {
		t.Errorf("LambdaFunctionFailed errors %q, want Transient,Transient,Fatal", got)
	}
	if !sawRecovered {
		t.Error("the Catch path (Pass state Recovered) was not entered")
	}
}

func TestWaitStateIsScaled(t *testing.T) {
	c := startServer(t, "http://127.0.0.1:1", 0.01)
	arn := createAndStart(t, c, "waiter", `{
	  "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 60, "End": true}}
	}`)
	out := awaitDone(t, c, arn)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s, want SUCCEEDED", out.Status)
	}
	var entered, exited time.Time
	for _, ev := range history(t, c, arn) {
		switch ev.Type {
		case types.HistoryEventTypeWaitStateEntered:
			entered = aws.ToTime(ev.Timestamp)
		case types.HistoryEventTypeWaitStateExited:
			exited = aws.ToTime(ev.Timestamp)
		}
	}
	// 60 AWS seconds × 0.01 = 0.6 wall seconds.
	if d := exited.Sub(entered); d < 550*time.Millisecond || d > 1200*time.Millisecond {
		t.Fatalf("Wait of 60 s at scale 0.01 took %s, want ~0.6 s", d)
	}
}

func TestStopAndIdempotentStart(t *testing.T) {
	c := startServer(t, "http://127.0.0.1:1", 1)
	arn := createAndStart(t, c, "long", `{
	  "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": true}}
	}`)
	smARN := strings.Replace(strings.TrimSuffix(arn, ":run-1"), ":execution:", ":stateMachine:", 1)

	// Same name and input while running: the same execution.
	again, err := c.StartExecution(t.Context(), &awssfn.StartExecutionInput{
		StateMachineArn: aws.String(smARN), Name: aws.String("run-1"), Input: aws.String(`{"cluster":"c1"}`),
	})
	if err != nil || *again.ExecutionArn != arn {
		t.Fatalf("restart with same name and input: %v, %v", again, err)
	}
	// Different input: ExecutionAlreadyExists.
	_, err = c.StartExecution(t.Context(), &awssfn.StartExecutionInput{
		StateMachineArn: aws.String(smARN), Name: aws.String("run-1"), Input: aws.String(`{}`),
	})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("different input: err %v, want ExecutionAlreadyExists", err)
	}

	if _, err := c.StopExecution(t.Context(), &awssfn.StopExecutionInput{
		ExecutionArn: aws.String(arn), Error: aws.String("Cancelled"), Cause: aws.String("test"),
	}); err != nil {
		t.Fatal(err)
	}
	out := awaitDone(t, c, arn)
	if out.Status != types.ExecutionStatusAborted || out.StopDate == nil {
		t.Fatalf("status %s stop %v, want ABORTED with a stop date", out.Status, out.StopDate)
	}
	list, err := c.ListExecutions(t.Context(), &awssfn.ListExecutionsInput{
		StateMachineArn: aws.String(smARN), StatusFilter: types.ExecutionStatusAborted,
	})
	if err != nil || len(list.Executions) != 1 {
		t.Fatalf("ListExecutions(ABORTED) = %v, %v; want one", list, err)
	}
	_, err = c.DescribeExecution(t.Context(), &awssfn.DescribeExecutionInput{ExecutionArn: aws.String(arn + "x")})
	var missing *types.ExecutionDoesNotExist
	if !errors.As(err, &missing) {
		t.Fatalf("unknown execution: err %v, want ExecutionDoesNotExist", err)
	}
}

// eventDetails summarises an event's details for failure logs.
func eventDetails(ev types.HistoryEvent) string {
	switch {
	case ev.LambdaFunctionFailedEventDetails != nil:
		d := ev.LambdaFunctionFailedEventDetails
		return aws.ToString(d.Error) + ": " + aws.ToString(d.Cause)
	case ev.LambdaFunctionScheduledEventDetails != nil:
		return aws.ToString(ev.LambdaFunctionScheduledEventDetails.Resource)
	case ev.StateEnteredEventDetails != nil:
		return aws.ToString(ev.StateEnteredEventDetails.Name)
	case ev.StateExitedEventDetails != nil:
		return aws.ToString(ev.StateExitedEventDetails.Name) + " → " + aws.ToString(ev.StateExitedEventDetails.Output)
	}
	return ""
}
