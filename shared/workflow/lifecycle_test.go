package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// lambdaCause is how Step Functions' Catch carries a Lambda function error.
func lambdaCause(errorType, message string) *StatesError {
	return &StatesError{Error: errorType, Cause: `{"errorMessage":` + quote(message) + `,"errorType":"` + errorType + `"}`}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestMarkFailedRecordsTheFailedTask(t *testing.T) {
	e := newEnv(t, nil)
	// What a failing ensureNatGateway answers reaches markFailed via Catch.
	e.factory.net.err = cloud.ErrResourceFailed
	_, err := e.run("ensureNatGateway", func(in *Input) { in.AZ = "eu-west-1b" })
	wantType(t, err, ErrFailed)
	// markFailed must not depend on the task having recorded its own
	// failure, nor blame another task still running in a parallel branch.
	started := *e.store.task(TaskNATGateways).StartedAt
	e.now = e.now.Add(time.Minute)
	later := e.now
	e.store.tasks = []domain.Task{
		{Name: TaskNATGateways, State: domain.TaskRunning, StartedAt: &started, Done: 1, Total: 3},
		{Name: TaskLoadBalancer, State: domain.TaskRunning, StartedAt: &later},
	}

	if _, err := e.run("markFailed", func(in *Input) { in.Error = lambdaCause(ErrFailed, errorMessage(err)) }); err != nil {
		t.Fatal(err)
	}
	task := e.store.task(TaskNATGateways)
	if task.State != domain.TaskFailed || !strings.Contains(task.Message, "resource failed") ||
		!task.StartedAt.Equal(started) || task.Done != 1 || task.Total != 3 {
		t.Errorf("task %+v, want natGateways Failed with the cause", task)
	}
	if lb := e.store.task(TaskLoadBalancer); lb.State != domain.TaskRunning {
		t.Errorf("loadBalancer %+v was blamed", lb)
	}
	c := e.store.cluster
	if c.Status != domain.StatusFailed || !strings.HasPrefix(c.StatusMessage, "natGateways failed: TaskFailed: ") {
		t.Errorf("cluster %s %q", c.Status, c.StatusMessage)
	}
}

func TestMarkFailedWithoutTaskNameBlamesTheRunningTask(t *testing.T) {
	e := newEnv(t, nil)
	early, late := e.now.Add(-time.Minute), e.now
	e.store.tasks = []domain.Task{
		{Name: TaskVPC, State: domain.TaskSucceeded, StartedAt: &early},
		{Name: TaskBastion, State: domain.TaskRunning, StartedAt: &early},
		{Name: TaskLoadBalancer, State: domain.TaskRunning, StartedAt: &late},
	}
	in := &StatesError{Error: "States.Timeout", Cause: "Task timed out after 120 seconds"}
	if _, err := e.run("markFailed", func(i *Input) { i.Error = in }); err != nil {
		t.Fatal(err)
	}
	if task := e.store.task(TaskLoadBalancer); task.State != domain.TaskFailed || !strings.Contains(task.Message, "States.Timeout") {
		t.Errorf("task %+v, want loadBalancer Failed", task)
	}
}

func TestMarkRunningFinishesEverything(t *testing.T) {
	e := newEnv(t, nil)
	e.store.tasks = []domain.Task{{Name: TaskSubnets, State: domain.TaskRunning, Done: 2, Total: 3}}
	if _, err := e.run("markRunning", nil); err != nil {
		t.Fatal(err)
	}
	if task := e.store.task(TaskSubnets); task.State != domain.TaskSucceeded || task.Done != 3 {
		t.Errorf("task %+v", task)
	}
	if c := e.store.cluster; c.Status != domain.StatusRunning || c.Progress != 100 {
		t.Errorf("cluster %s %d%%", c.Status, c.Progress)
	}
}

func TestDeletionLifecycle(t *testing.T) {
	since := time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)
	e := newEnv(t, func(c *domain.Cluster) { c.Status, c.DeletingSince, c.Generation = domain.StatusDeleting, &since, 2 })
	gen2 := func(in *Input) { in.Cluster.Generation = 2 }
	if _, err := e.run("beginDeletion", gen2); err != nil {
		t.Fatal(err)
	}
	for _, n := range DeletionTasks {
		if task := e.store.task(n); task.State != domain.TaskPending {
			t.Errorf("task %s %+v, want Pending", n, task)
		}
	}
	e.factory.net.err = cloud.ErrDependencyViolation
	_, err := e.run("deleteVpc", gen2)
	wantType(t, err, ErrDependencyViolation)
	if _, err := e.run("markDeletionStuck", func(in *Input) { gen2(in); in.Error = lambdaCause(ErrDependencyViolation, errorMessage(err)) }); err != nil {
		t.Fatal(err)
	}
	c := e.store.cluster
	if c.Status != domain.StatusDeleting || !strings.Contains(c.StatusMessage, "stuck at vpc") ||
		!strings.Contains(c.StatusMessage, "force delete unlocks at 2025-01-02T03:15:00Z") {
		t.Errorf("cluster %s %q", c.Status, c.StatusMessage)
	}
	if task := e.store.task(TaskVPC); task.State != domain.TaskFailed {
		t.Errorf("vpc task %+v", task)
	}

	if _, err := e.run("markDeleted", gen2); err != nil {
		t.Fatal(err)
	}
	if c := e.store.cluster; c.Status != domain.StatusDeleted || c.Progress != 100 {
		t.Errorf("cluster %s %d%%", c.Status, c.Progress)
	}
	if want := ForceDeleteScheduleName(testClusterID, 2); len(e.schedules.deleted) != 1 || e.schedules.deleted[0] != want {
		t.Errorf("schedules deleted %v, want [%s]", e.schedules.deleted, want)
	}
	// A task of the stopped execution finishing late is a no-op now.
	e.calls.log = nil
	if _, err := e.run("deleteVpc", gen2); err != nil || len(e.calls.list()) != 0 {
		t.Errorf("after Deleted: err %v calls %v", err, e.calls.list())
	}
}

func TestForceDeleteUnlockOnlyUnlocksTheSameDeletion(t *testing.T) {
	since := time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		status domain.ClusterStatus
		gen    int
		want   bool
	}{
		{"same deletion", domain.StatusDeleting, 4, true},
		{"a later deletion", domain.StatusDeleting, 5, false},
		{"deleted", domain.StatusDeleted, 4, false},
		{"running again", domain.StatusRunning, 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *domain.Cluster) { c.Status, c.Generation, c.DeletingSince = tc.status, tc.gen, &since })
			res, err := NewUnlocker(e.deps).Handle(context.Background(), UnlockInput{
				Cluster: ClusterRef{ID: testClusterID, Tenant: testScope.Tenant, Project: testScope.Project, Generation: 4}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Unlocked != tc.want || e.store.cluster.ForceDelete.Available != tc.want {
				t.Errorf("result %+v, available %v, want %v", res, e.store.cluster.ForceDelete.Available, tc.want)
			}
			if !tc.want && res.Reason == "" {
				t.Error("no reason for not unlocking")
			}
		})
	}
}
