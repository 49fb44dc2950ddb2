package cloud

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Retry policy for calls into customer accounts.
const (
	// MaxAttempts is high because a provisioning step that gives up hands
	// the retry to Step Functions, which restarts the whole task; eight
	// attempts with backoff capped at MaxBackoff ride out a throttling burst
	// of a minute or so inside one call.
	MaxAttempts = 8
	MaxBackoff  = 20 * time.Second

	// retryQuotaTokens is the SDK's retry token bucket, shared by all clients
	// of one (account, region). A throttle retry costs 5 tokens and another
	// retry 14; successes refund. When an account is persistently failing the
	// bucket empties and calls fail fast instead of multiplying the load by
	// MaxAttempts, which is what a provider that makes hundreds of calls per
	// cluster needs (ratelimit.None would let retries amplify an outage).
	retryQuotaTokens = 500
)

// extraRetryableCodes are retried in addition to the SDK's defaults. The
// SDK already treats RequestLimitExceeded, Throttling, ThrottlingException,
// EC2ThrottledException, TooManyRequestsException (and more, see
// retry.DefaultThrottleErrorCodes) as throttles, HTTP 500/502/503/504 and
// connection errors as transient. EC2 also reports server faults by code
// (InternalError, Unavailable) and these are worth retrying even when an
// intermediary rewrote the status.
var extraRetryableCodes = map[string]struct{}{
	"InternalError":      {},
	"InternalFailure":    {},
	"ServiceUnavailable": {},
	"Unavailable":        {},
}

// newRetryer builds the standard retryer with our attempt budget, sharing
// quota (the retry token bucket) between all clients of one account/region.
func newRetryer(quota retry.RateLimiter) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.MaxBackoff = MaxBackoff // full-jitter exponential, capped
		if quota != nil {
			o.RateLimiter = quota
		}
		o.Retryables = append(append([]retry.IsErrorRetryable{}, o.Retryables...),
			retry.RetryableErrorCode{Codes: extraRetryableCodes})
	})
}

// Rate is a token bucket: a sustained rate and a burst.
type Rate struct {
	PerSecond float64
	Burst     int
}

// RateLimits are the client-side request budgets of one customer account in
// one region, per service, by action class.
//
// EC2 publishes its account-level budgets as token buckets: non-mutating
// (Describe*) actions a bucket of 100 refilled at 20/s, mutating actions
// 200 at 5/s (unfiltered, unpaginated describes 50 at 5/s). The defaults
// take half of each refill rate, because the customer's own tooling and
// other vendors draw from the same bucket, and a smaller burst so that a
// batch of clusters starting together cannot drain it. The other services
// get the same, conservative, budget.
type RateLimits struct {
	NonMutating Rate
	Mutating    Rate
}

// DefaultRateLimits are the budgets used unless a SessionCache is given others.
var DefaultRateLimits = RateLimits{
	NonMutating: Rate{PerSecond: 10, Burst: 50},
	Mutating:    Rate{PerSecond: 2.5, Burst: 50},
}

// isMutating classifies an operation for the budget. AWS's own rule is by
// action name: Describe*, Get* and List* read; everything else writes.
func isMutating(operation string) bool {
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(operation, p) {
			return false
		}
	}
	return true
}

// accountLimits is the request budget and retry quota of one (customer
// account, region), shared by every session and client acting there, so N
// concurrent clusters in one account share one budget instead of getting N.
type accountLimits struct {
	limits     RateLimits
	retryQuota retry.RateLimiter

	mu      sync.Mutex
	buckets map[string]*rate.Limiter // "<service>/<mutating>"
}

func newAccountLimits(l RateLimits) *accountLimits {
	return &accountLimits{
		limits:     l,
		retryQuota: ratelimit.NewTokenRateLimit(retryQuotaTokens),
		buckets:    map[string]*rate.Limiter{},
	}
}

func (a *accountLimits) bucket(service, operation string) *rate.Limiter {
	mut := isMutating(operation)
	key := fmt.Sprintf("%s/%t", service, mut)
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.buckets[key]
	if !ok {
		r := a.limits.NonMutating
		if mut {
			r = a.limits.Mutating
		}
		b = rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst)
		a.buckets[key] = b
	}
	return b
}

// Wait blocks until the operation may be sent or ctx ends.
func (a *accountLimits) Wait(ctx context.Context, service, operation string) error {
	return a.bucket(service, operation).Wait(ctx)
}

// rateLimitMiddleware waits for a token before every attempt. It sits after
// the retry middleware in the Finalize step so that retries pay too: AWS
// charges each attempt against the account's bucket, not each operation.
type rateLimitMiddleware struct{ limits *accountLimits }

func (rateLimitMiddleware) ID() string { return "ClusterForgeAccountRateLimit" }

func (m rateLimitMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
	if err := m.limits.Wait(ctx, service, op); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("client rate limit %s %s: %w", service, op, err)
	}
	return next.HandleFinalize(ctx, in)
}

// addTo installs the middleware; used as an aws.Config APIOptions entry.
func (m rateLimitMiddleware) addTo(stack *middleware.Stack) error {
	if err := stack.Finalize.Insert(m, "Retry", middleware.After); err != nil {
		// A stack without the retry middleware (none of the clients we build)
		// still gets limited, once per operation.
		return stack.Finalize.Add(m, middleware.After)
	}
	return nil
}
