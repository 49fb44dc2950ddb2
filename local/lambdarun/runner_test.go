package lambdarun_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/clusterforge/clusterforge/local/lambdarun"
	"github.com/clusterforge/clusterforge/local/lambdarun/lambdatest"
)

func TestInvokeServedByRealBinary(t *testing.T) {
	env := lambdatest.Start(t, lambdarun.Function{Name: "echo", Binary: lambdatest.Fixture(t), Concurrency: 2})

	out, err := env.Lambda.Invoke(t.Context(), &lambda.InvokeInput{
		FunctionName: aws.String("echo"),
		Payload:      []byte(`{"hello":"world"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", *out.FunctionError, out.Payload)
	}
	if !strings.Contains(string(out.Payload), `"hello":"world"`) {
		t.Fatalf("payload %s does not echo the input", out.Payload)
	}
	if got := len(env.Runner.InitDurations()["echo"]); got != 2 {
		t.Fatalf("init durations recorded for %d processes, want 2", got)
	}
}

func TestKilledProcessFailsInvocationAndRestarts(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "count")
	env := lambdatest.Start(t, lambdarun.Function{
		Name: "sleeper", Binary: lambdatest.Fixture(t), TimeoutSeconds: 30,
		Env: map[string]string{"COUNT_FILE": counter},
	})

	type result struct {
		out *lambda.InvokeOutput
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		out, err := env.Lambda.Invoke(t.Context(), &lambda.InvokeInput{
			FunctionName: aws.String("sleeper"),
			Payload:      []byte(`{"sleepSeconds": 20}`),
		})
		done <- result{out, err, time.Now()}
	}()
	waitFor(t, func() bool { b, _ := os.ReadFile(counter); return len(b) > 0 }, "the invocation to start")

	killedAt := time.Now()
	if !env.Runner.Kill(lambdarun.AppID("sleeper", 0)) {
		t.Fatal("Kill found no running process")
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke still blocked 5 s after the process was killed")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	if took := res.at.Sub(killedAt); took > 2*time.Second {
		t.Fatalf("Runtime.ExitError arrived %s after the kill, want promptly", took)
	}
	if res.out.FunctionError == nil {
		t.Fatalf("no FunctionError; payload %s", res.out.Payload)
	}
	var payload struct{ ErrorType, ErrorMessage string }
	if err := json.Unmarshal(res.out.Payload, &payload); err != nil {
		t.Fatalf("payload %s: %v", res.out.Payload, err)
	}
	if payload.ErrorType != "Runtime.ExitError" || !strings.Contains(payload.ErrorMessage, "Runtime exited with error: signal: killed") {
		t.Fatalf("payload %+v, want Runtime.ExitError … signal: killed", payload)
	}

	// The restarted process serves the next invocation.
	out, err := env.Lambda.Invoke(t.Context(), &lambda.InvokeInput{
		FunctionName: aws.String("sleeper"),
		Payload:      []byte(`{}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("after restart: function error %s", out.Payload)
	}
	if got := len(env.Runner.InitDurations()["sleeper"]); got != 2 {
		t.Fatalf("init durations for %d process starts, want 2 (start + restart)", got)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
