package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ForceDeleteScheduleName names the one-time schedule that unlocks force
// delete for one deletion; the generation makes a later deletion's
// schedule a different one. The API creates it, markDeleted deletes it.
func ForceDeleteScheduleName(clusterID string, generation int) string {
	return fmt.Sprintf("forcedelete-%s-%d", clusterID, generation)
}

// UnlockInput is the force-delete schedule's Input.
type UnlockInput struct {
	Cluster ClusterRef `json:"cluster"`
}

// UnlockResult is the forcedelete-unlock function's answer.
type UnlockResult struct {
	Unlocked bool   `json:"unlocked"`
	Reason   string `json:"reason,omitempty"`
}

// Unlocker is the forcedelete-unlock handler.
type Unlocker struct {
	store  ClusterStore
	now    func() time.Time
	logger *slog.Logger
}

// NewUnlocker returns the handler over deps' Store, Now and Logger.
func NewUnlocker(deps Deps) *Unlocker {
	h := New(deps, nil) // for the defaults
	return &Unlocker{store: h.deps.Store, now: h.deps.Now, logger: h.deps.Logger}
}

// errNotSameDeletion aborts the update: the schedule belongs to a deletion
// that is over (Deleted, or a retry/new delete moved the generation on).
var errNotSameDeletion = errors.New("not the same deletion")

// Handle marks the cluster force-deletable if it is still in the deletion
// the schedule was made for; otherwise it does nothing.
func (u *Unlocker) Handle(ctx context.Context, in UnlockInput) (UnlockResult, error) {
	log := u.logger.With("action", "forceDeleteUnlock", "clusterId", in.Cluster.ID, "generation", in.Cluster.Generation)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("requestId", lc.AwsRequestID)
	}
	var reason string
	_, err := u.store.UpdateCluster(ctx, in.Cluster.Scope(), in.Cluster.ID, func(c *domain.Cluster) error {
		switch {
		case c.Status != domain.StatusDeleting:
			reason = fmt.Sprintf("cluster is %s", c.Status)
		case c.Generation != in.Cluster.Generation:
			reason = fmt.Sprintf("cluster is in generation %d, the schedule was for %d", c.Generation, in.Cluster.Generation)
		case c.ForceDelete.Available:
			reason = "already unlocked"
		default:
			now := u.now()
			c.ForceDelete.Available = true
			if c.ForceDelete.AvailableAt == nil {
				c.ForceDelete.AvailableAt = &now
			}
			return nil
		}
		return errNotSameDeletion
	})
	switch {
	case errors.Is(err, errNotSameDeletion):
		log.Info("force delete not unlocked", "reason", reason)
		return UnlockResult{Reason: reason}, nil
	case err != nil:
		log.Error("unlock force delete", "err", err)
		return UnlockResult{}, fmt.Errorf("unlock force delete of cluster %s: %w", in.Cluster.ID, err)
	}
	log.Info("force delete unlocked")
	return UnlockResult{Unlocked: true}, nil
}
