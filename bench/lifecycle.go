package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
	"github.com/clusterforge/clusterforge/local/launcher"
)

// clusterView is what the bench reads of a cluster.
type clusterView struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Message      string    `json:"statusMessage"`
	ExecutionARN string    `json:"executionArn"`
	CreatedAt    time.Time `json:"createdAt"`
	Tasks        []struct {
		Name       string     `json:"name"`
		State      string     `json:"state"`
		StartedAt  *time.Time `json:"startedAt"`
		FinishedAt *time.Time `json:"finishedAt"`
	} `json:"tasks"`
}

// phase is one half of a lifecycle: provision or delete.
type phase struct {
	requested time.Time // when the bench sent POST or DELETE
	answered  time.Time // when the API answered it
	exec      execution
	view      clusterView // the cluster right after the execution ended
}

// seconds is the phase's simulated duration as the user sees it: from the
// request to the end of the execution that carries it out.
func (p phase) seconds(s *session) float64 { return s.simSeconds(p.exec.stop.Sub(p.requested)) }

// lifecycleResult is one cluster created and deleted, with everything the
// figures need.
type lifecycleResult struct {
	clusterID          string
	provision, delete  phase
	calls              callLog
	customer, platform string
}

// runLifecycle creates DESIGN §3's example cluster, waits for Running,
// deletes it and waits for Deleted, then reads the call log and both
// executions' histories. The call log is reset first so it holds exactly
// this lifecycle.
func runLifecycle(ctx context.Context, s *session, name string) (*lifecycleResult, error) {
	if err := s.resetCalls(ctx); err != nil {
		return nil, err
	}
	r := &lifecycleResult{customer: s.cloud.Customer.AccountID, platform: launcher.PlatformAccountID}
	var c clusterView
	r.provision.requested = time.Now()
	if err := s.api(ctx, http.MethodPost, "/v1/clusters", harness.ExampleCluster(name, s.accountID, s.profileID), &c); err != nil {
		return nil, err
	}
	r.provision.answered = time.Now()
	r.clusterID = c.ID
	if err := s.finishPhase(ctx, &r.provision, c, "Running"); err != nil {
		return r, err
	}
	r.delete.requested = time.Now()
	if err := s.api(ctx, http.MethodDelete, "/v1/clusters/"+c.ID, nil, nil); err != nil {
		return r, err
	}
	r.delete.answered = time.Now()
	if err := s.api(ctx, http.MethodGet, "/v1/clusters/"+c.ID, nil, &c); err != nil {
		return r, err
	}
	if err := s.finishPhase(ctx, &r.delete, c, "Deleted"); err != nil {
		return r, err
	}
	var err error
	r.calls, err = s.calls(ctx)
	return r, err
}

// finishPhase waits for the cluster's current execution, reads its history
// and the cluster's final view, and checks the cluster reached want.
func (s *session) finishPhase(ctx context.Context, p *phase, c clusterView, want string) error {
	if c.ExecutionARN == "" {
		return fmt.Errorf("cluster %s: no executionArn in the answer", c.ID)
	}
	var err error
	if p.exec, err = s.waitExecution(ctx, c.ExecutionARN, 10*time.Minute); err != nil {
		return err
	}
	if err := s.history(ctx, &p.exec); err != nil {
		return err
	}
	if err := s.api(ctx, http.MethodGet, "/v1/clusters/"+c.ID, nil, &p.view); err != nil {
		return err
	}
	if p.view.Status != want {
		return fmt.Errorf("cluster %s: %s (%s) after its execution ended %s, wanted %s", c.ID, p.view.Status, p.view.Message, p.exec.status, want)
	}
	return nil
}

// windows split the lifecycle's service calls into provision and delete.
func (r *lifecycleResult) provisionCalls(account string) []call {
	return serviceCallsIn(r.calls.Calls, account, r.provision.requested, r.delete.requested)
}

func (r *lifecycleResult) deleteCalls(account string) []call {
	return serviceCallsIn(r.calls.Calls, account, r.delete.requested, r.delete.exec.stop.Add(time.Second))
}

// platformCalls are the service's calls to its own account (DynamoDB,
// Secrets Manager, Scheduler, …) that the lifecycle caused: every task
// Lambda's, and the API Lambda's only while it served the POST and the
// DELETE — the bench's own GETs are a client's choice, not the lifecycle's.
func (r *lifecycleResult) platformCalls() []call {
	in := func(c call, p phase) bool { return !c.Time.Before(p.requested) && !c.Time.After(p.answered) }
	return filter(r.calls.Calls, func(c call) bool {
		switch fn := c.function(); {
		case c.Account != r.platform || fn == "":
			return false
		case fn == "api":
			return in(c, r.provision) || in(c, r.delete)
		default:
			return true
		}
	})
}
