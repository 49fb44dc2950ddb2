package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// LifecycleActions is the lifecycle function's action table: the cluster
// status transitions at the ends of the workflows.
var LifecycleActions = map[string]ActionFunc{
	"markRunning":       markRunning,
	"markFailed":        markFailed,
	"beginDeletion":     beginDeletion,
	"markDeleted":       markDeleted,
	"markDeletionStuck": markDeletionStuck,
	"markUpdated":       markUpdated,      // update-nodepool (nodepool_update.go)
	"markUpdateFailed":  markUpdateFailed, // update-nodepool (nodepool_update.go)
}

// Schedules removes the one-time force-delete unlock schedule the API
// created on DELETE, named ForceDeleteScheduleName (api.Schedules
// implements it over EventBridge Scheduler). A missing schedule is not an
// error.
type Schedules interface {
	Delete(ctx context.Context, name string) error
}

func markRunning(ctx context.Context, c *Call) (any, error) {
	// Reaching markRunning means every step succeeded; a per-AZ task whose
	// last two iterations raced on the task record may still say n-1/n.
	if err := c.finishTasks(ctx, ProvisionTasks(c.Cluster.ClusterSpec)); err != nil {
		return nil, err
	}
	return nil, c.setStatus(ctx, domain.StatusRunning, func(cl *domain.Cluster) {
		cl.Progress, cl.StatusMessage = 100, ""
	})
}

func markFailed(ctx context.Context, c *Call) (any, error) {
	task, msg, err := c.failTask(ctx)
	if err != nil {
		return nil, err
	}
	return nil, c.setStatus(ctx, domain.StatusFailed, func(cl *domain.Cluster) {
		cl.StatusMessage = fmt.Sprintf("%s failed: %s. POST /v1/clusters/%s/retry resumes from it.", task, msg, cl.ID)
	})
}

func beginDeletion(ctx context.Context, c *Call) (any, error) {
	for _, name := range DeletionTasksOf(c.Cluster.ClusterSpec) {
		if err := c.putTask(ctx, domain.Task{Name: name, State: domain.TaskPending}); err != nil {
			return nil, err
		}
	}
	now := c.Now()
	return nil, c.setStatus(ctx, domain.StatusDeleting, func(cl *domain.Cluster) {
		if cl.DeletingSince == nil {
			cl.DeletingSince = &now
		}
		cl.Progress, cl.StatusMessage = 0, "deleting"
	})
}

func markDeleted(ctx context.Context, c *Call) (any, error) {
	if err := c.finishTasks(ctx, DeletionTasksOf(c.Cluster.ClusterSpec)); err != nil {
		return nil, err
	}
	if err := c.setStatus(ctx, domain.StatusDeleted, func(cl *domain.Cluster) {
		cl.Progress, cl.StatusMessage = 100, ""
		cl.ForceDelete.Available = false
	}); err != nil {
		return nil, err
	}
	// Leftover schedules and secrets are harmless (the unlock no-ops on a
	// Deleted cluster) but clutter the platform account: clean up, and
	// only log a failure rather than fail a finished deletion.
	if c.deps.Schedules != nil {
		if err := c.deps.Schedules.Delete(ctx, ForceDeleteScheduleName(c.Cluster.ID, c.Input.Cluster.Generation)); err != nil {
			c.Log.Warn("delete force-delete schedule", "err", err)
		}
	}
	if c.deps.Bootstrap != nil {
		if err := c.deps.Bootstrap.DeleteBootstrapSecrets(ctx, c.Scope, c.Cluster.ID); err != nil {
			c.Log.Warn("delete bootstrap secrets", "err", err)
		}
	}
	return nil, nil
}

func markDeletionStuck(ctx context.Context, c *Call) (any, error) {
	task, msg, err := c.failTask(ctx)
	if err != nil {
		return nil, err
	}
	_, err = c.deps.Store.UpdateCluster(ctx, c.Scope, c.Cluster.ID, func(cl *domain.Cluster) error {
		at := c.forceDeleteAt(cl)
		if cl.ForceDelete.AvailableAt == nil {
			cl.ForceDelete.AvailableAt = &at
		}
		// The cluster stays Deleting: only a new DELETE or force delete
		// moves it on.
		cl.StatusMessage = fmt.Sprintf("deletion stuck at %s: %s. DELETE again to retry; force delete unlocks at %s.",
			task, msg, cl.ForceDelete.AvailableAt.UTC().Format(time.RFC3339))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record stuck deletion: %w", err)
	}
	return nil, nil
}

// forceDeleteAt is when force delete unlocks: deletingSince + the delay.
func (c *Call) forceDeleteAt(cl *domain.Cluster) time.Time {
	since := c.Now()
	if cl.DeletingSince != nil {
		since = *cl.DeletingSince
	}
	return since.Add(c.deps.ForceDeleteDelay)
}

// setStatus moves the cluster to status (a no-op if it is there already)
// and applies more changes in the same write.
func (c *Call) setStatus(ctx context.Context, status domain.ClusterStatus, more func(*domain.Cluster)) error {
	_, err := c.deps.Store.UpdateCluster(ctx, c.Scope, c.Cluster.ID, func(cl *domain.Cluster) error {
		if cl.Status != status {
			if !domain.CanTransition(cl.Status, status) {
				return Fail(ErrFailed, "cluster is %s, cannot become %s", cl.Status, status)
			}
			cl.Status = status
		}
		more(cl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("set cluster %s %s: %w", c.Cluster.ID, status, err)
	}
	return nil
}

// finishTasks marks the named tasks that are still Pending or Running as
// Succeeded.
func (c *Call) finishTasks(ctx context.Context, names []string) error {
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return fmt.Errorf("read tasks: %w", err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	now := c.Now()
	for _, t := range tasks {
		if !want[t.Name] || t.State.Done() {
			continue
		}
		t.State, t.FinishedAt = domain.TaskSucceeded, &now
		if t.StartedAt == nil {
			t.StartedAt = &now
		}
		if t.Total > 0 {
			t.Done = t.Total
		}
		if err := c.putTask(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// failTask marks the task the Catch's error names Failed — or, when the
// error does not name one (a Lambda timeout or crash), the task that was
// running most recently — and returns its name and the message.
func (c *Call) failTask(ctx context.Context) (task, msg string, err error) {
	task, msg = parseCause(c.Input.Error)
	if msg == "" {
		msg = "unknown error"
	}
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return "", "", fmt.Errorf("read tasks: %w", err)
	}
	var failed *domain.Task
	for i := range tasks {
		t := &tasks[i]
		switch {
		case task != "" && t.Name == task:
			failed = t
		case task == "" && t.State == domain.TaskRunning && t.StartedAt != nil &&
			(failed == nil || t.StartedAt.After(*failed.StartedAt)):
			failed = t
		}
	}
	if failed == nil {
		if task == "" {
			return "a workflow step", msg, nil
		}
		failed = &domain.Task{Name: task}
	}
	now := c.Now()
	failed.State, failed.FinishedAt, failed.Message = domain.TaskFailed, &now, msg
	if failed.StartedAt == nil {
		failed.StartedAt = &now
	}
	return failed.Name, msg, c.putTask(ctx, *failed)
}
