package cloud

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

func TestRetryClassification(t *testing.T) {
	r := newRetryer(nil)
	if r.MaxAttempts() != MaxAttempts {
		t.Fatalf("MaxAttempts = %d", r.MaxAttempts())
	}
	for code, want := range map[string]bool{
		"RequestLimitExceeded":  true, // EC2's throttle
		"Throttling":            true, // IAM, STS, ELB
		"ThrottlingException":   true, // EKS, Service Quotas
		"InternalError":         true, // added by us
		"Unavailable":           true, // added by us
		"UnauthorizedOperation": false,
		"DryRunOperation":       false,
		"DependencyViolation":   false, // retried by the workflow, not per call
		"InvalidVpcID.NotFound": false,
	} {
		if got := r.IsErrorRetryable(&smithy.GenericAPIError{Code: code}); got != want {
			t.Errorf("IsErrorRetryable(%s) = %v, want %v", code, got, want)
		}
	}
}

// fakeEC2Transport answers every request with DescribeVpcs' empty result,
// after failing the first `throttle` attempts with RequestLimitExceeded, and
// records when each request arrived.
type fakeEC2Transport struct {
	throttle int32
	calls    atomic.Int32
	mu       sync.Mutex
	at       []time.Time
}

func (f *fakeEC2Transport) Do(req *http.Request) (*http.Response, error) {
	n := f.calls.Add(1)
	f.mu.Lock()
	f.at = append(f.at, time.Now())
	f.mu.Unlock()
	status, body := 200, `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>`
	if n <= f.throttle {
		status, body = 503, ec2Error("RequestLimitExceeded", "Request limit exceeded.")
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(bytes.NewBufferString(body)), Request: req}, nil
}

func testSession(t *testing.T, tr *fakeEC2Transport, limits RateLimits) *Session {
	t.Helper()
	cache := NewSessionCache(platformConfig("http://ec2.fake", tr), limits)
	sess, err := cache.Session(Access{Type: AccessSecret, AccessKeyID: "AKIDCUSTOMER", SecretAccessKey: "s"}, "eu-west-1", "cl-1")
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// The session's clients retry RequestLimitExceeded: the caller sees success.
func TestSessionRetriesThrottling(t *testing.T) {
	tr := &fakeEC2Transport{throttle: 1}
	sess := testSession(t, tr, RateLimits{})
	if _, err := sess.EC2().DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("throttled once, still failed: %v", err)
	}
	if got := tr.calls.Load(); got != 2 {
		t.Fatalf("%d attempts, want 2", got)
	}
}

// 41 concurrent calls against a budget of 40/s with a burst of 1 take at
// least a second: the limiter, not the caller's concurrency, sets the pace.
func TestRateLimiterBoundsRequestRate(t *testing.T) {
	tr := &fakeEC2Transport{}
	sess := testSession(t, tr, RateLimits{NonMutating: Rate{PerSecond: 40, Burst: 1}, Mutating: Rate{PerSecond: 40, Burst: 1}})
	const n = 41
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := sess.EC2().DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed < 950*time.Millisecond {
		t.Fatalf("%d calls took %v; a 40/s limit needs >= 1s", n, elapsed)
	}
	// No 250 ms window may hold more than burst + 40*0.25 requests.
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i := range tr.at {
		in := 0
		for _, u := range tr.at {
			if !u.Before(tr.at[i]) && u.Sub(tr.at[i]) < 250*time.Millisecond {
				in++
			}
		}
		if in > 12 {
			t.Fatalf("%d requests within 250ms of request %d", in, i)
		}
	}
}

// Sessions of one account and region share one budget whoever they act for;
// another region has its own.
func TestSessionsShareAccountBudget(t *testing.T) {
	cache := NewSessionCache(platformConfig("http://unused", nil), RateLimits{})
	role := Access{Type: AccessSTS, RoleARN: testRole, ExternalID: "e1"}
	a, _ := cache.Session(role, "us-east-1", "cl-1")
	b, _ := cache.Session(role, "us-east-1", "cl-2")
	c, _ := cache.Session(role, "us-west-2", "cl-1")
	again, _ := cache.Session(role, "us-east-1", "cl-1")
	other := role
	other.ExternalID = "e2" // another tenant naming the same role
	d, _ := cache.Session(other, "us-east-1", "cl-1")
	if a != again {
		t.Fatal("same key, new session")
	}
	if a == b || a == d {
		t.Fatal("sessions for different owners or ExternalIds were shared")
	}
	budget := func(s *Session) *accountLimits { return cache.accounts[accountKey(role)+"|"+s.Region] }
	if budget(a) == nil || budget(a) != budget(b) || budget(a) == budget(c) {
		t.Fatal("budgets not per (account, region)")
	}
}

func TestIsMutating(t *testing.T) {
	for op, want := range map[string]bool{"DescribeVpcs": false, "GetServiceQuota": false, "ListClusters": false, "CreateVpc": true, "RunInstances": true} {
		if isMutating(op) != want {
			t.Errorf("isMutating(%s) = %v", op, !want)
		}
	}
}
