package workflow

import (
	"context"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ClusterStore is what the task handlers need from persistence. *store.Store
// implements it (shared/store/clusters.go, tasks.go, ledger.go, nodes.go).
// Errors: store.ErrNotFound, store.ErrConflict.
type ClusterStore interface {
	GetCluster(ctx context.Context, scope domain.Scope, id string) (*domain.Cluster, error)
	// UpdateCluster reads the cluster, applies mutate and writes it back on
	// the version it read (optimistic locking), re-reading and re-applying
	// on a conflict a few times before giving up with ErrConflict. mutate
	// may return an error to abort without writing.
	UpdateCluster(ctx context.Context, scope domain.Scope, id string, mutate func(*domain.Cluster) error) (*domain.Cluster, error)

	// PutTask upserts one task record (by name) of the cluster's task list.
	PutTask(ctx context.Context, scope domain.Scope, clusterID string, t domain.Task) error
	Tasks(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Task, error)

	// RecordResource upserts one ledger entry (by Key, or by ID when Key is
	// empty) the moment AWS returned its id.
	RecordResource(ctx context.Context, scope domain.Scope, clusterID string, r domain.Resource) error
	Resources(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Resource, error)

	// PutNodes replaces the live node list of one pool.
	PutNodes(ctx context.Context, scope domain.Scope, clusterID, pool string, nodes []domain.Node) error
	Nodes(ctx context.Context, scope domain.Scope, clusterID string) (map[string][]domain.Node, error)

	GetClusterProfile(ctx context.Context, scope domain.Scope, id string) (*domain.ClusterProfile, error)
	// AccountAccess resolves a cloud account to what the service needs to
	// act in it: keys from Secrets Manager, or the role with the tenant's
	// ExternalId. The secret lives only in the returned value.
	AccountAccess(ctx context.Context, scope domain.Scope, accountID string) (cloud.Access, error)
}
