package scheduler_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/clusterforge/clusterforge/local/lambdarun"
	"github.com/clusterforge/clusterforge/local/lambdarun/lambdatest"
	"github.com/clusterforge/clusterforge/local/scheduler"
)

func TestOneTimeScheduleFiresOnceAndIsDeleted(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "count")
	env := lambdatest.Start(t, lambdarun.Function{
		Name: "reaper", Binary: lambdatest.Fixture(t),
		Env: map[string]string{"COUNT_FILE": counter},
	})
	sc := awsscheduler.NewFromConfig(env.Config)
	d, err := scheduler.Start(t.Context(), scheduler.Options{SchedulerClient: sc, LambdaClient: env.Lambda})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)

	// at() has whole seconds: round up so the schedule is at least 1 s away.
	at := time.Now().UTC().Add(time.Second).Truncate(time.Second).Add(time.Second)
	input := `{"clusterId":"c-123","action":"expire"}`
	if _, err := sc.CreateSchedule(t.Context(), &awsscheduler.CreateScheduleInput{
		Name:                  aws.String("expire-c-123"),
		ScheduleExpression:    aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		FlexibleTimeWindow:    &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
		Target: &types.Target{
			Arn:         aws.String(lambdatest.FunctionARN("reaper")),
			RoleArn:     aws.String("arn:aws:iam::000000000000:role/scheduler"),
			Input:       aws.String(input),
			RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)},
		},
	}); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for len(d.Fired()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("schedule did not fire within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	f := d.Fired()[0]
	if f.FiredAt.Before(at) {
		t.Fatalf("fired at %s, before its time %s", f.FiredAt, at)
	}
	if f.Err != "" || !f.Deleted {
		t.Fatalf("firing %+v: want success and deletion", f)
	}

	// The invocation is asynchronous: wait for the function to record it,
	// then give a duplicate firing the chance to show up before counting.
	for len(invocations(counter)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond)
	lines := invocations(counter)
	if len(lines) != 1 {
		t.Fatalf("function invoked %d times, want once: %q", len(lines), lines)
	}
	var got, want map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &got)
	_ = json.Unmarshal([]byte(input), &want)
	if got["clusterId"] != want["clusterId"] || got["action"] != want["action"] {
		t.Fatalf("function received %s, want %s", lines[0], input)
	}

	_, err = sc.GetSchedule(t.Context(), &awsscheduler.GetScheduleInput{Name: aws.String("expire-c-123")})
	var gone *types.ResourceNotFoundException
	if !errors.As(err, &gone) {
		t.Fatalf("GetSchedule after completion: %v, want ResourceNotFoundException", err)
	}
	if n := len(d.Fired()); n != 1 {
		t.Fatalf("%d firings, want 1", n)
	}
}

// invocations returns the events the fixture recorded, one per invocation.
func invocations(path string) []string {
	b, _ := os.ReadFile(path)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
