// Package calls records every AWS call the front router answers, so tests
// and benchmarks can assert how many calls of which action a workflow made
// and which of them failed.
package calls

import (
	"sort"
	"sync"
	"time"
)

// Call is one answered request.
type Call struct {
	Time      time.Time `json:"time"`
	Account   string    `json:"account"`
	Principal string    `json:"principal"`
	Service   string    `json:"service"`
	Action    string    `json:"action"`
	Status    int       `json:"status"`
	ErrorCode string    `json:"errorCode,omitempty"`
	AppID     string    `json:"appId,omitempty"`
	DryRun    bool      `json:"dryRun,omitempty"`
}

// Key identifies a counter.
type Key struct {
	Account string `json:"account"`
	Service string `json:"service"`
	Action  string `json:"action"`
}

// Count is the number of calls, and of failed ones, for one Key.
type Count struct {
	Key
	Calls  int `json:"calls"`
	Errors int `json:"errors"`
}

// DefaultLogSize bounds the call log; counts are never dropped.
const DefaultLogSize = 100_000

// Recorder is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	log     []Call
	limit   int
	dropped int
	counts  map[Key]*Count
}

// New returns a recorder keeping at most DefaultLogSize calls in its log.
func New() *Recorder {
	return &Recorder{limit: DefaultLogSize, counts: map[Key]*Count{}}
}

// Record adds a call.
func (r *Recorder) Record(c Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.log) >= r.limit {
		// Drop the oldest half at once so recording stays O(1) amortised.
		half := len(r.log) / 2
		r.dropped += half
		r.log = append(r.log[:0], r.log[half:]...)
	}
	r.log = append(r.log, c)
	k := Key{c.Account, c.Service, c.Action}
	n, ok := r.counts[k]
	if !ok {
		n = &Count{Key: k}
		r.counts[k] = n
	}
	n.Calls++
	if c.Status >= 400 || c.ErrorCode != "" {
		n.Errors++
	}
}

// Calls returns the log, oldest first.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.log...)
}

// Dropped is how many old calls the bounded log has discarded.
func (r *Recorder) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Counts returns every counter, ordered by account, service, action.
func (r *Recorder) Counts() []Count {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Count, 0, len(r.counts))
	for _, c := range r.counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Action < b.Action
	})
	return out
}

// Count returns the number of calls of service/action in account; an empty
// account, service or action matches any.
func (r *Recorder) Count(account, service, action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	for k, c := range r.counts {
		if (account == "" || k.Account == account) && (service == "" || k.Service == service) && (action == "" || k.Action == action) {
			total += c.Calls
		}
	}
	return total
}

// Reset forgets every call and counter.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log, r.dropped, r.counts = nil, 0, map[Key]*Count{}
}
