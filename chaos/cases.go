package chaos

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Fault kinds of the local cloud's injector.
const (
	Throttle       = "throttle"
	ServerError    = "server-error"
	Capacity       = "capacity"
	LostResponse   = "lost-response"
	CrashAfterCall = "crash-after-call"
)

// Fault is one injector rule (without the account, which the Env adds).
type Fault struct {
	Service, Action string
	Nth, Times      int
	Kind            string
}

// Case is one fault at one call site, driven through a whole lifecycle.
type Case struct {
	Site  Site
	Fault Fault
	// Resumable: the fault persists as AWS's would (no capacity in any AZ),
	// so the cluster must fail with a clear error naming it, then converge
	// on POST /retry once the fault is gone.
	Resumable bool
	want      string // what the error must mention when Resumable
}

func (c Case) Name() string {
	n := c.Site.String() + "/" + c.Fault.Kind
	if c.Resumable {
		n += "-everywhere"
	}
	return n
}

// burst is how many consecutive calls a fault kind hits: throttling and
// 5xx come in bursts on AWS; a lost response or a crash is one event.
var burst = map[string]int{Throttle: 3, ServerError: 2, LostResponse: 1, CrashAfterCall: 1, Capacity: 1}

// Kinds are the fault kinds every call site gets.
var Kinds = []string{Throttle, ServerError, LostResponse, CrashAfterCall}

// Matrix is every site × every kind, plus capacity for RunInstances: once
// (another attempt finds capacity) and in every AZ until it is lifted.
func Matrix(sites []Site) []Case {
	var out []Case
	for _, s := range sites {
		kinds := Kinds
		if s.Action == "RunInstances" {
			kinds = append(append([]string{}, Kinds...), Capacity)
		}
		for _, k := range kinds {
			out = append(out, Case{Site: s, Fault: Fault{Service: s.Service, Action: s.Action, Nth: s.FirstReal, Times: burst[k], Kind: k}})
		}
		if s.Action == "RunInstances" {
			out = append(out, Case{Site: s, Resumable: true, want: "insufficient instance capacity",
				Fault: Fault{Service: s.Service, Action: s.Action, Nth: s.FirstReal, Times: 10000, Kind: Capacity}})
		}
	}
	return out
}

// Fast is one case per fault kind (the first site that has it), for the
// test suite; it prefers sites in the middle of provisioning, where a
// wrong retry would leave the most behind.
func Fast(all []Case, prefer ...string) []Case {
	var out []Case
	taken := map[string]bool{}
	pick := func(ok func(Case) bool) {
		for _, c := range all {
			k := c.Name()[strings.LastIndex(c.Name(), "/")+1:]
			if !taken[k] && ok(c) {
				taken[k] = true
				out = append(out, c)
			}
		}
	}
	for _, p := range prefer {
		pick(func(c Case) bool { return c.Site.Action == p })
	}
	pick(func(Case) bool { return true })
	return out
}

// Result is one case's outcome.
type Result struct {
	Case     string
	Phase    string
	Pass     bool
	Fired    int
	Retried  bool
	Duration time.Duration
	Detail   string
}

// Timeouts bound one lifecycle phase.
type Timeouts struct{ Running, Deleted time.Duration }

// Run drives one case in its own account: create → Running → delete →
// Deleted with the fault armed, checking the inventory against the plan at
// Running and for zero leftovers at Deleted.
func Run(ctx context.Context, e *Env, c Case, shape Shape, to Timeouts) Result {
	start := time.Now()
	res := Result{Case: c.Name(), Phase: c.Site.Phase}
	err := run(ctx, e, c, shape, to, &res)
	res.Duration = time.Since(start).Round(time.Second)
	if err != nil {
		res.Detail = err.Error()
		return res
	}
	res.Pass = true
	return res
}

func run(ctx context.Context, e *Env, c Case, shape Shape, to Timeouts, res *Result) error {
	spec := shape.Spec("chaos", e.AccountID, e.ProfileID)
	want, err := Expected(spec)
	if err != nil {
		return err
	}
	rule, err := e.AddFault(ctx, c.Fault)
	if err != nil {
		return err
	}
	defer rule.Remove()
	id, err := e.Create(ctx, spec)
	if err != nil {
		return err
	}
	v, err := e.Wait(ctx, id, "Running", to.Running)
	if err != nil {
		return err
	}
	if v.Status == "Failed" {
		if !c.Resumable {
			return fmt.Errorf("provisioning failed: %s [%s]", v.StatusMessage, v.failedTasks())
		}
		if !strings.Contains(strings.ToLower(v.StatusMessage+v.failedTasks()), c.want) {
			return fmt.Errorf("failed without naming %s: %s [%s]", c.want, v.StatusMessage, v.failedTasks())
		}
		// Capacity came back: the customer retries and the workflow
		// continues from the failed step.
		if err := rule.Refresh(ctx); err != nil {
			return err
		}
		res.Fired = rule.Fired
		rule.Remove()
		res.Retried = true
		if err := e.Call(ctx, http.MethodPost, "/v1/clusters/"+id+"/retry", nil, http.StatusAccepted, nil); err != nil {
			return err
		}
		if v, err = e.Wait(ctx, id, "Running", to.Running); err != nil {
			return err
		}
		if v.Status != "Running" {
			return fmt.Errorf("retry failed: %s [%s]", v.StatusMessage, v.failedTasks())
		}
	} else if c.Resumable {
		return fmt.Errorf("reached Running although %s never let up", c.Fault.Kind)
	}
	got, err := e.Inventory(ctx, id)
	if err != nil {
		return err
	}
	if m := Mismatch(want, got); len(m) > 0 {
		return fmt.Errorf("at Running, inventory differs from the plan: %s", strings.Join(m, ", "))
	}
	if err := e.Call(ctx, http.MethodDelete, "/v1/clusters/"+id, nil, http.StatusAccepted, nil); err != nil {
		return err
	}
	if v, err = e.Wait(ctx, id, "Deleted", to.Deleted); err != nil {
		return err
	}
	if v.Status != "Deleted" {
		return fmt.Errorf("deletion failed: %s [%s]", v.StatusMessage, v.failedTasks())
	}
	if !res.Retried {
		if err := rule.Refresh(ctx); err != nil {
			return err
		}
		res.Fired = rule.Fired
	}
	if got, err = e.Inventory(ctx, id); err != nil {
		return err
	}
	if l := Leftovers(got); len(l) > 0 {
		return fmt.Errorf("left behind after Deleted: %s", strings.Join(l, ", "))
	}
	if res.Fired == 0 {
		return fmt.Errorf("the fault never fired: the call site was not exercised")
	}
	return nil
}

// FastPreference are the sites the fast subset takes first: NAT gateways
// (an EIP and an async resource per AZ), instances and the load balancer —
// where a wrong retry would leave the most behind.
var FastPreference = []string{"CreateNatGateway", "RunInstances", "CreateLoadBalancer", "AllocateAddress"}
