package cloud

import (
	"context"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ClusterScope is what every reconcile and delete function needs to know
// about the cluster it works for (cluster-api-provider-aws's ClusterScope).
type ClusterScope struct {
	ClusterID   string
	ClusterName string
	Region      string
	// Generation counts the cluster's workflows; it goes into ClientTokens.
	Generation int
	// UserTags are the cluster's own tags, propagated to every resource.
	UserTags map[string]string
	// Plan is the deterministic resource plan (domain.PlanCluster).
	Plan domain.Plan
	// Ledger records every resource the moment AWS returns its id.
	Ledger Ledger
}

// Ledger is the resource ledger of DESIGN §1: deletion and leak scans work
// from it and from tag discovery, never from memory.
type Ledger interface {
	// Record upserts one resource by its key (or id when it has no key).
	Record(ctx context.Context, r domain.Resource) error
	// Resources lists what the ledger holds for the cluster.
	Resources(ctx context.Context) ([]domain.Resource, error)
}

// Tags returns the tag set of a planned resource (Name, the user's tags,
// the ownership and discovery tags, clusterforge.io/cluster-id and
// clusterforge.io/resource-key).
func (s *ClusterScope) Tags(resourceKey string) map[string]string {
	return domain.Tags(s.ClusterName, s.ClusterID, resourceKey, s.UserTags)
}

// ClientToken is the idempotency token of a planned resource for this
// cluster generation.
func (s *ClusterScope) ClientToken(resourceKey string) string {
	return domain.ClientToken(s.ClusterID, resourceKey, s.Generation)
}

// Progress is what a check reports to the state machine and the task list.
type Progress struct {
	Ready   bool
	Done    int
	Total   int
	Message string
}
