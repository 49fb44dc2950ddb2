package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestMapError(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: code + " message"} }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"dependency violation sentinel", fmt.Errorf("x: %w", cloud.ErrDependencyViolation), ErrDependencyViolation},
		{"dependency violation code", api("DependencyViolation"), ErrDependencyViolation},
		{"throttled after retries", &retry.MaxAttemptsError{Attempt: 8, Err: api("Throttling")}, ErrRetryable},
		{"throttle code", api("RequestLimitExceeded"), ErrRetryable},
		{"server fault after retries", &retry.MaxAttemptsError{Attempt: 8, Err: api("InternalError")}, ErrRetryable},
		{"5xx", &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New("unavailable")}, ErrRetryable},
		{"deadline", context.DeadlineExceeded, ErrRetryable},
		{"resource failed", fmt.Errorf("nat: %w", cloud.ErrResourceFailed), ErrFailed},
		{"capacity", fmt.Errorf("launch: %w", api("InsufficientInstanceCapacity")), ErrFailed},
		{"validation", api("InvalidParameterValue"), ErrFailed},
		{"credentials", &cloud.CredentialsError{Type: cloud.AccessSTS, RoleARN: "arn:aws:iam::222222222222:role/x", Code: "AccessDenied"}, ErrFailed},
		{"already typed", fmt.Errorf("ctx: %w", Fail(ErrPreflightFailed, "two problems")), ErrPreflightFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError(tc.err)
			if ErrorType(got) != tc.want {
				t.Fatalf("errorType %q, want %q", ErrorType(got), tc.want)
			}
			// The Lambda runtime type-asserts the error value itself.
			if _, ok := got.(interface{ Error() string }); !ok || ErrorType(got) == "" {
				t.Fatal("not an invoke error")
			}
		})
	}
	if msg := errorMessage(mapError(fmt.Errorf("ctx: %w", Fail(ErrFailed, "inner")))); msg != "ctx: inner" {
		t.Errorf("wrapped message %q, want %q", msg, "ctx: inner")
	}
}

func TestStaleGenerationIsANoop(t *testing.T) {
	e := newEnv(t, func(c *domain.Cluster) { c.Generation = 3 })
	out, err := e.run("ensureVpc", func(in *Input) { in.Cluster.Generation = 2 })
	if err != nil {
		t.Fatal(err)
	}
	m, ok := out.(map[string]any)
	if !ok || m["stale"] != true || m["ready"] != true || m["waitingForSpotPrice"] != false {
		t.Errorf("answer %#v, want a stale, ready no-op", out)
	}
	if len(e.calls.list()) != 0 || e.store.puts != 0 || e.sessions.n != 0 {
		t.Errorf("calls %v, %d task writes, %d sessions: a stale task must not act", e.calls.list(), e.store.puts, e.sessions.n)
	}
	// The current generation does act.
	if _, err := e.run("ensureVpc", func(in *Input) { in.Cluster.Generation = 3 }); err != nil || len(e.calls.list()) != 1 {
		t.Errorf("current generation: err %v, calls %v", err, e.calls.list())
	}
}

func TestUnknownActionAndCluster(t *testing.T) {
	e := newEnv(t, nil)
	_, err := New(e.deps, NetworkActions).Handle(context.Background(), Input{Action: "markRunning",
		Cluster: ClusterRef{ID: testClusterID, Tenant: "acme", Project: "web", Generation: 1}})
	wantType(t, err, ErrFailed, "unknown action")
	_, err = e.run("ensureVpc", func(in *Input) { in.Cluster.Tenant = "other" })
	wantType(t, err, ErrFailed, "not found") // another tenant's cluster is not found, and not retried
}
