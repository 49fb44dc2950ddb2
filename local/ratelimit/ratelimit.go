// Package ratelimit applies EC2's request throttling: token buckets per
// account, region and API, sized by action class with AWS's published
// defaults ("Request throttling for the Amazon EC2 API"), plus the resource
// token buckets of RunInstances, TerminateInstances, StartInstances and
// StopInstances, which are charged per instance. Following the current
// documentation, each API has its own bucket ("each API is evaluated
// individually"); the class only decides the bucket's size and refill rate.
package ratelimit

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Class is an EC2 throttling class.
type Class string

// Request classes, and the resource buckets (one per API).
const (
	NonMutating            Class = "non-mutating"
	UnfilteredNonMutating  Class = "unfiltered-unpaginated-non-mutating"
	Mutating               Class = "mutating"
	RunInstancesResource   Class = "resource:RunInstances"
	TerminateResource      Class = "resource:TerminateInstances"
	StartInstancesResource Class = "resource:StartInstances"
	StopInstancesResource  Class = "resource:StopInstances"
)

// Bucket is a token bucket's size and refill rate (tokens per AWS second).
type Bucket struct {
	Capacity float64
	Refill   float64
}

// Defaults are AWS's published default bucket sizes and refill rates.
var Defaults = map[Class]Bucket{
	NonMutating:            {Capacity: 100, Refill: 20},
	UnfilteredNonMutating:  {Capacity: 50, Refill: 10},
	Mutating:               {Capacity: 200, Refill: 5},
	RunInstancesResource:   {Capacity: 1000, Refill: 2},
	TerminateResource:      {Capacity: 1000, Refill: 20},
	StartInstancesResource: {Capacity: 1000, Refill: 2},
	StopInstancesResource:  {Capacity: 1000, Refill: 20},
}

// resourceClass maps the APIs with resource buckets to them.
var resourceClass = map[string]Class{
	"RunInstances":       RunInstancesResource,
	"TerminateInstances": TerminateResource,
	"StartInstances":     StartInstancesResource,
	"StopInstances":      StopInstancesResource,
}

// Classify returns the request class of an EC2 call.
func Classify(action string, form url.Values) Class {
	if !isNonMutating(action) {
		return Mutating
	}
	for k := range form {
		switch k {
		case "Action", "Version", "DryRun":
		default:
			// Any filter, id list or pagination parameter moves the call
			// out of the small unfiltered/unpaginated bucket.
			return NonMutating
		}
	}
	return UnfilteredNonMutating
}

func isNonMutating(action string) bool {
	for _, p := range []string{"Describe", "Get", "List", "Search"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

type bucketKey struct {
	account, region, action string
	class                   Class
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter is safe for concurrent use.
type Limiter struct {
	mu        sync.Mutex
	enabled   bool
	scale     float64 // wall seconds per AWS second
	specs     map[Class]Bucket
	buckets   map[bucketKey]*bucket
	throttled map[Class]int64
	now       func() time.Time
}

// New returns an enabled limiter with the AWS defaults at real speed.
func New() *Limiter {
	specs := make(map[Class]Bucket, len(Defaults))
	for k, v := range Defaults {
		specs[k] = v
	}
	return &Limiter{enabled: true, scale: 1, specs: specs, buckets: map[bucketKey]*bucket{}, throttled: map[Class]int64{}, now: time.Now}
}

// SetEnabled switches throttling on or off.
func (l *Limiter) SetEnabled(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enabled = on
}

// Enabled reports whether throttling is on.
func (l *Limiter) Enabled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.enabled
}

// SetTimeScale sets wall seconds per AWS second (latency.Model.Scale()):
// buckets refill in simulated time, so a workflow whose waits are scaled
// down sees the same throttling, per simulated second, as on AWS.
func (l *Limiter) SetTimeScale(scale float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if scale > 0 {
		l.scale = scale
	}
}

// SetBucket overrides one class's bucket (tests and benchmarks).
func (l *Limiter) SetBucket(c Class, b Bucket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.specs[c] = b
	for k := range l.buckets {
		if k.class == c {
			delete(l.buckets, k)
		}
	}
}

// Allow takes the tokens an EC2 call needs and reports whether it may
// proceed. A refused call takes nothing and is counted as throttled.
func (l *Limiter) Allow(accountID, region, action string, form url.Values) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.enabled {
		return true
	}
	now := l.now()
	class := Classify(action, form)
	req := l.bucket(bucketKey{accountID, region, action, class}, now)
	var res *bucket
	cost := 0.0
	if rc, ok := resourceClass[action]; ok {
		res = l.bucket(bucketKey{accountID, region, action, rc}, now)
		cost = instanceCount(action, form)
		if res.tokens < cost {
			l.throttled[rc]++
			return false
		}
	}
	if req.tokens < 1 {
		l.throttled[class]++
		return false
	}
	req.tokens--
	if res != nil {
		res.tokens -= cost
	}
	return true
}

// bucket returns the refilled bucket for k, creating a full one if needed.
func (l *Limiter) bucket(k bucketKey, now time.Time) *bucket {
	spec := l.specs[k.class]
	b, ok := l.buckets[k]
	if !ok {
		b = &bucket{tokens: spec.Capacity, last: now}
		l.buckets[k] = b
		return b
	}
	awsSeconds := now.Sub(b.last).Seconds() / l.scale
	b.tokens = min(spec.Capacity, b.tokens+awsSeconds*spec.Refill)
	b.last = now
	return b
}

// instanceCount is the resource-token cost: MaxCount for RunInstances, the
// number of instance ids for the others.
func instanceCount(action string, form url.Values) float64 {
	if action == "RunInstances" {
		n, err := strconv.Atoi(form.Get("MaxCount"))
		if err != nil || n < 1 {
			return 1
		}
		return float64(n)
	}
	n := 0
	for k := range form {
		if strings.HasPrefix(k, "InstanceId.") {
			n++
		}
	}
	return float64(max(n, 1))
}

// Throttled returns how many calls each class has refused.
func (l *Limiter) Throttled() map[Class]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[Class]int64, len(l.throttled))
	for k, v := range l.throttled {
		out[k] = v
	}
	return out
}

// Reset refills every bucket and zeroes the counters.
func (l *Limiter) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buckets = map[bucketKey]*bucket{}
	l.throttled = map[Class]int64{}
}
