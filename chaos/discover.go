package chaos

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Site is one mutating AWS call site of the provision or delete workflow,
// as a clean run's call accounting shows it.
type Site struct {
	Service, Action string
	Phase           string // provision | delete: where its first real call happened
	// FirstReal is the 1-based position of the first call that was not a
	// DryRun permission probe, so a fault at that position hits the real
	// create and not the preflight's probe of it.
	FirstReal int
	Calls     int // real calls in the clean run
}

func (s Site) String() string { return s.Service + ":" + s.Action }

// call is one entry of GET {admin}/calls.
type call struct {
	Time            time.Time
	Service, Action string
	AppID           string
	ErrorCode       string
	DryRun          bool
}

// Calls reads the account's call log.
func (e *Env) Calls(ctx context.Context) ([]call, error) {
	var log struct{ Calls []call }
	if _, err := e.Cloud.Admin(ctx, http.MethodGet, "/calls?account="+e.Customer.AccountID, nil, &log); err != nil {
		return nil, err
	}
	sort.SliceStable(log.Calls, func(i, j int) bool { return log.Calls[i].Time.Before(log.Calls[j].Time) })
	return log.Calls, nil
}

// Mutating is AWS's own rule (Describe*, Get*, List* read; everything else
// writes), plus the IAM policy simulator, which only evaluates.
func Mutating(action string) bool {
	for _, p := range []string{"Describe", "Get", "List", "Simulate"} {
		if strings.HasPrefix(action, p) {
			return false
		}
	}
	return true
}

// Discover runs one clean create → Running → delete → Deleted in its own
// account and derives the mutating call sites from its call accounting,
// so a new call the workflows start making gets its chaos cases without
// anyone editing a list.
func Discover(ctx context.Context, e *Env, shape Shape, timeout time.Duration) ([]Site, error) {
	id, err := e.Create(ctx, shape.Spec("discover", e.AccountID, e.ProfileID))
	if err != nil {
		return nil, err
	}
	if v, err := e.Wait(ctx, id, "Running", timeout); err != nil || v.Status != "Running" {
		return nil, fmt.Errorf("clean run did not reach Running: %v %s %s", err, v.StatusMessage, v.failedTasks())
	}
	deleteAt := time.Now()
	if err := e.Call(ctx, http.MethodDelete, "/v1/clusters/"+id, nil, http.StatusAccepted, nil); err != nil {
		return nil, err
	}
	if v, err := e.Wait(ctx, id, "Deleted", timeout); err != nil || v.Status != "Deleted" {
		return nil, fmt.Errorf("clean run did not reach Deleted: %v %s %s", err, v.StatusMessage, v.failedTasks())
	}
	calls, err := e.Calls(ctx)
	if err != nil {
		return nil, err
	}
	return sites(calls, deleteAt), nil
}

// sites folds a call log (in time order) into call sites.
func sites(calls []call, deleteAt time.Time) []Site {
	byKey := map[string]*Site{}
	seen := map[string]int{}
	var order []string
	for _, c := range calls {
		if !strings.HasPrefix(c.AppID, "lambda.") || !Mutating(c.Action) {
			continue
		}
		key := c.Service + ":" + c.Action
		seen[key]++
		if c.DryRun {
			continue
		}
		s, ok := byKey[key]
		if !ok {
			phase := "provision"
			if c.Time.After(deleteAt) {
				phase = "delete"
			}
			s = &Site{Service: c.Service, Action: c.Action, Phase: phase, FirstReal: seen[key]}
			byKey[key] = s
			order = append(order, key)
		}
		s.Calls++
	}
	out := make([]Site, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out
}
