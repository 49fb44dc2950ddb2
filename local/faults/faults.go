// Package faults injects AWS failures into chosen calls, so tests and
// benchmarks can prove the service survives throttling, 5xx, capacity
// errors, lost responses and Lambda crashes at a precise point.
package faults

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// Kind is what an injected fault does.
type Kind string

// Fault kinds.
const (
	Throttle       Kind = "throttle"         // answer the protocol's throttling error
	ServerError    Kind = "server-error"     // answer a 5xx
	Capacity       Kind = "capacity"         // answer InsufficientInstanceCapacity
	LostResponse   Kind = "lost-response"    // forward the call, then drop the connection
	CrashAfterCall Kind = "crash-after-call" // forward, kill the calling Lambda, drop the connection
)

// Rule selects calls to fail. Nth counts matching calls from 1; Nth 0 fails
// every matching call for as long as the rule exists (Times is then
// ignored). Otherwise calls Nth … Nth+Times-1 fail (Times defaults to 1).
// Empty Account, Service or Action match any.
type Rule struct {
	ID      string `json:"id"`
	Account string `json:"account,omitempty"`
	Service string `json:"service"`
	Action  string `json:"action,omitempty"`
	Nth     int    `json:"nth"`
	Times   int    `json:"times"`
	Kind    Kind   `json:"kind"`
	Seen    int    `json:"seen"` // matching calls so far
	Fired   int    `json:"fired"`
}

// Injector holds the rules. It is safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	rules  []*Rule
	nextID int
}

// New returns an injector without rules.
func New() *Injector { return &Injector{} }

// ErrInvalidRule is returned by Add for a rule that can never be applied.
var ErrInvalidRule = errors.New("invalid fault rule")

// Add validates and stores a rule, giving it an id if it has none.
func (f *Injector) Add(r Rule) (Rule, error) {
	switch r.Kind {
	case Throttle, ServerError, Capacity, LostResponse, CrashAfterCall:
	default:
		return Rule{}, fmt.Errorf("%w: unknown kind %q", ErrInvalidRule, r.Kind)
	}
	if r.Nth < 0 || r.Times < 0 {
		return Rule{}, fmt.Errorf("%w: nth and times must not be negative", ErrInvalidRule)
	}
	if r.Times == 0 {
		r.Times = 1
	}
	r.Seen, r.Fired = 0, 0
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.ID == "" {
		f.nextID++
		r.ID = "fault-" + strconv.Itoa(f.nextID)
	}
	f.rules = append(f.rules, &r)
	return r, nil
}

// Remove deletes a rule by id and reports whether it existed.
func (f *Injector) Remove(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (f *Injector) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Rules returns a copy of the rules with their counters.
func (f *Injector) Rules() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Rule, len(f.rules))
	for i, r := range f.rules {
		out[i] = *r
	}
	return out
}

// Match counts this call against every rule that selects it and returns
// the first rule that fires. Every selecting rule counts the call, so two
// rules on the same action keep independent, predictable positions.
func (f *Injector) Match(account, service, action string) (Rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var fired *Rule
	for _, r := range f.rules {
		if !r.selects(account, service, action) {
			continue
		}
		r.Seen++
		if fired == nil && r.fires() {
			r.Fired++
			fired = r
		}
	}
	if fired == nil {
		return Rule{}, false
	}
	return *fired, true
}

func (r *Rule) selects(account, service, action string) bool {
	return (r.Account == "" || r.Account == account) &&
		(r.Service == "" || strings.EqualFold(r.Service, service)) &&
		(r.Action == "" || strings.EqualFold(r.Action, action))
}

func (r *Rule) fires() bool {
	if r.Nth == 0 {
		return true
	}
	return r.Seen >= r.Nth && r.Seen < r.Nth+r.Times
}

// Forwards reports whether the call must still reach its backend (the
// fault happens after it took effect).
func (k Kind) Forwards() bool { return k == LostResponse || k == CrashAfterCall }

// Error is the AWS error a fault of kind k answers in protocol p; nil for
// kinds that drop the connection instead of answering.
func (k Kind) Error(p awsproto.Protocol, instanceType string) *awsproto.APIError {
	switch k {
	case Throttle:
		switch p {
		case awsproto.ProtocolEC2Query:
			return awsproto.Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		case awsproto.ProtocolQuery:
			return awsproto.Errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
		case awsproto.ProtocolREST:
			return awsproto.Errorf(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		default:
			return awsproto.Errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		}
	case ServerError:
		if p == awsproto.ProtocolEC2Query {
			return awsproto.Errorf(http.StatusInternalServerError, "InternalError", "An internal error has occurred")
		}
		return awsproto.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Please try again later.")
	case Capacity:
		if instanceType == "" {
			instanceType = "the requested"
		}
		return awsproto.Errorf(http.StatusInternalServerError, "InsufficientInstanceCapacity",
			"We currently do not have sufficient %s capacity in the Availability Zone you requested. Our system will be working on provisioning additional capacity.", instanceType)
	}
	return nil
}
