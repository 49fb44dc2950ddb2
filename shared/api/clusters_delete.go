package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// LeftoverScanner finds what a cluster left in the customer's account, from
// its ledger and by tag discovery. shared/cloud's finders implement it.
type LeftoverScanner interface {
	Scan(ctx context.Context, access cloud.Access, c *domain.Cluster, ledger []domain.Resource) ([]cloud.Leftover, error)
}

// ErrCodeForceDeleteNotAvailable is the 409 code while force delete is locked.
const ErrCodeForceDeleteNotAvailable = "ForceDeleteNotAvailable"

func conflict(code, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: msg}
}

// deleting reports whether a deletion has begun and not finished: Deleting,
// or Failed after a deletion got stuck (its deletingSince stays set).
func deleting(c *domain.Cluster) bool {
	return c.Status == domain.StatusDeleting || (c.Status == domain.StatusFailed && c.DeletingSince != nil)
}

// forceDeleteSchedule names the schedule that unlocks force delete for the
// cluster's current deletion generation.
func forceDeleteSchedule(c *domain.Cluster) string {
	return workflow.ForceDeleteScheduleName(c.ID, c.Generation)
}

func (h *Handler) deleteCluster(ctx context.Context, r *request) (response, error) {
	c, err := h.loadForWorkflow(ctx, r, notDeleted)
	if err != nil {
		return response{}, err
	}
	if c, err = h.startDeletion(ctx, r, c); err != nil {
		return response{}, err
	}
	return h.clusterResponse(ctx, r, c, http.StatusAccepted)
}

func notDeleted(c *domain.Cluster) error {
	if c.Status == domain.StatusDeleted {
		return conflict("conflict", "the cluster is already deleted")
	}
	return nil
}

// startDeletion moves the cluster to Deleting under a new generation and
// starts its kind's delete workflow for it. On a cluster already being
// deleted it is a retry: deletingSince (and so when force delete unlocks)
// stays, the running execution is replaced by a fresh one (every delete
// task is idempotent, so restarting is safe and un-sticks a dead execution).
func (h *Handler) startDeletion(ctx context.Context, r *request, loaded *domain.Cluster) (*domain.Cluster, error) {
	machine := h.workflowsOf(loaded.Kind).delete
	if err := requireMachine(machine, loaded.Kind, "deletions"); err != nil {
		return nil, err
	}
	scope, id := r.principal.Scope, loaded.ID
	// Whole seconds: the schedule's at() has no fractions, so availableAt
	// is exactly when the unlock fires.
	now := h.now().UTC().Truncate(time.Second)
	var previous string
	c, err := h.clusters.UpdateCluster(ctx, scope, id, func(cur *domain.Cluster) error {
		if err := notDeleted(cur); err != nil {
			return err
		}
		if cur.DeletingSince == nil {
			cur.DeletingSince = &now
			cur.ForceDelete = domain.ForceDelete{}
		}
		previous = cur.ExecutionARN
		cur.Status, cur.StatusMessage = domain.StatusDeleting, ""
		cur.Generation++
		cur.ExecutionARN = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Stop whatever ran (provisioning, an update, or the deletion being
	// retried): the delete workflow removes what it had created.
	if err := h.deps.Executions.Stop(ctx, previous, "superseded by deletion generation "+fmt.Sprint(c.Generation)); err != nil {
		return nil, err
	}
	// Deletion progress must not count the provisioning tasks.
	if err := h.clusters.ResetTasks(ctx, scope, c.ID, pendingTasks(workflow.DeletionTasksOf(c.ClusterSpec))); err != nil {
		return nil, fmt.Errorf("reset tasks of %s: %w", c.ID, err)
	}
	if c, err = h.startWorkflow(ctx, r, c, machine); err != nil {
		return nil, err
	}
	// The unlock is one schedule per generation: the forcedelete-unlock
	// Lambda only unlocks the deletion generation it was created for.
	at := c.DeletingSince.Add(h.forceDeleteDelay)
	if earliest := now.Add(time.Second); at.Before(earliest) {
		at = earliest // a retry after the delay: unlock at once
	}
	if err := h.deps.Schedules.CreateOneTime(ctx, forceDeleteSchedule(c), at, workflowInput(scope, c)); err != nil {
		return nil, err
	}
	r.log.InfoContext(ctx, "deletion started", "clusterId", c.ID, "generation", c.Generation, "forceDeleteAt", at)
	return c, nil
}

func (h *Handler) forceDeleteCluster(ctx context.Context, r *request) (response, error) {
	c, err := h.loadForWorkflow(ctx, r, func(c *domain.Cluster) error {
		if !deleting(c) {
			return conflict("conflict", "only a cluster being deleted can be force deleted; delete it first")
		}
		return nil
	})
	if err != nil {
		return response{}, err
	}
	// The flag set by the schedule's forcedelete-unlock run is the only
	// authority, even when availableAt has passed by this Lambda's clock:
	// the unlock also checks that the cluster is still in the same
	// deletion generation, which a clock comparison here cannot, and one
	// decision point keeps the API and the unlock from disagreeing.
	if !c.ForceDelete.Available {
		at := c.DeletingSince.Add(h.forceDeleteDelay).UTC()
		e := conflict(ErrCodeForceDeleteNotAvailable, "force delete becomes available at "+at.Format(time.RFC3339))
		e.AvailableAt = &at
		return response{}, e
	}
	scope := r.principal.Scope
	if err := h.deps.Executions.Stop(ctx, c.ExecutionARN, "force delete"); err != nil {
		return response{}, err
	}
	leftovers, note := h.scanLeftovers(ctx, scope, c)
	gen := c.Generation
	c, err = h.clusters.UpdateCluster(ctx, scope, c.ID, func(cur *domain.Cluster) error {
		if cur.Generation != gen || !deleting(cur) {
			return conflict("conflict", "the cluster changed during force delete; read it again")
		}
		cur.Status, cur.StatusMessage = domain.StatusDeleted, note
		cur.ForceDeleted, cur.LeftoverResources = true, leftovers
		return nil
	})
	if err != nil {
		return response{}, err
	}
	// The schedule may not have fired or been removed yet; a leftover one
	// is harmless (the unlock refuses a Deleted cluster), so only log.
	if err := h.deps.Schedules.Delete(context.WithoutCancel(ctx), forceDeleteSchedule(c)); err != nil {
		r.log.WarnContext(ctx, "delete force-delete schedule", "clusterId", c.ID, "err", err)
	}
	r.log.InfoContext(ctx, "cluster force deleted", "clusterId", c.ID, "leftovers", len(leftovers))
	return h.clusterResponse(ctx, r, c, http.StatusOK)
}

// scanLeftovers lists what is still in the account. Force delete is the
// way out of a deletion that cannot finish — often because the customer
// already revoked the role — so a scan that cannot run falls back to the
// ledger instead of blocking, and says so in the returned note.
func (h *Handler) scanLeftovers(ctx context.Context, scope domain.Scope, c *domain.Cluster) ([]domain.Leftover, string) {
	ledger, err := h.clusters.Resources(ctx, scope, c.ID)
	if err != nil {
		return nil, "force deleted; neither the account nor the ledger could be read, leftovers unknown"
	}
	if h.deps.Scanner == nil {
		return ledgerLeftovers(c.Region, ledger), "force deleted; leftovers are the ledger's resources not known to be deleted (no account scan configured)"
	}
	found, err := h.scanAccount(ctx, scope, c, ledger)
	if err != nil {
		return ledgerLeftovers(c.Region, ledger), "force deleted; the account scan failed (" + err.Error() + "), leftovers are the ledger's resources not known to be deleted"
	}
	out := make([]domain.Leftover, len(found))
	for i, l := range found {
		out[i] = domain.Leftover{Type: l.Type, ID: l.ID, Region: l.Region, State: l.State, Reason: l.Reason}
	}
	return out, "force deleted; leftoverResources are still in the account"
}

func (h *Handler) scanAccount(ctx context.Context, scope domain.Scope, c *domain.Cluster, ledger []domain.Resource) ([]cloud.Leftover, error) {
	access, err := h.clusters.AccountAccess(ctx, scope, c.CloudAccountID)
	if err != nil {
		return nil, err
	}
	return h.deps.Scanner.Scan(ctx, access, c, ledger)
}

// goneStates are ledger states after which a resource no longer exists.
var goneStates = map[string]bool{"deleted": true, "terminated": true, "released": true}

// reasonLedgerOnly explains a leftover taken from the ledger alone.
const reasonLedgerOnly = "recorded in the resource ledger and not known to be deleted (the account was not scanned)"

func ledgerLeftovers(region string, ledger []domain.Resource) []domain.Leftover {
	out := []domain.Leftover{}
	for _, r := range ledger {
		if !goneStates[r.State] {
			out = append(out, domain.Leftover{Type: r.Type, ID: r.ID, Region: region, State: r.State, Reason: reasonLedgerOnly})
		}
	}
	return out
}

func (h *Handler) retryCluster(ctx context.Context, r *request) (response, error) {
	c, err := h.loadForWorkflow(ctx, r, func(c *domain.Cluster) error {
		if !deleting(c) && c.Status != domain.StatusFailed {
			return conflict("conflict", "only a Failed cluster or a stuck deletion can be retried; the cluster is "+string(c.Status))
		}
		return nil
	})
	if err != nil {
		return response{}, err
	}
	if deleting(c) {
		c, err = h.startDeletion(ctx, r, c)
	} else {
		c, err = h.resumeProvisioning(ctx, r, c)
	}
	if err != nil {
		return response{}, err
	}
	return h.clusterResponse(ctx, r, c, http.StatusAccepted)
}

// resumeProvisioning starts the kind's provision workflow again under a
// new generation. Tasks that succeeded stay Succeeded (their steps find
// their resources by tags and pass quickly); failed ones go back to Pending.
func (h *Handler) resumeProvisioning(ctx context.Context, r *request, loaded *domain.Cluster) (*domain.Cluster, error) {
	machine := h.workflowsOf(loaded.Kind).provision
	if err := requireMachine(machine, loaded.Kind, "provisioning"); err != nil {
		return nil, err
	}
	scope, id := r.principal.Scope, loaded.ID
	c, err := h.clusters.UpdateCluster(ctx, scope, id, func(cur *domain.Cluster) error {
		if cur.Status != domain.StatusFailed || cur.DeletingSince != nil {
			return conflict("conflict", "the cluster changed; read it again")
		}
		cur.Status, cur.StatusMessage = domain.StatusProvisioning, ""
		cur.Generation++
		cur.ExecutionARN = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	tasks, err := h.clusters.Tasks(ctx, scope, c.ID)
	if err != nil {
		return nil, err
	}
	// Rewritten whole, not upserted: a step that runs again must start a
	// fresh clock, or its wait-loop deadline would count from the failure.
	for i, t := range tasks {
		if t.State == domain.TaskFailed || t.State == domain.TaskRunning {
			tasks[i] = domain.Task{Name: t.Name, State: domain.TaskPending}
		}
	}
	if err := h.clusters.ResetTasks(ctx, scope, c.ID, tasks); err != nil {
		return nil, fmt.Errorf("reset failed tasks of %s: %w", c.ID, err)
	}
	return h.startWorkflow(ctx, r, c, machine)
}
