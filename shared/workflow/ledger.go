package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// storeLedger is cloud.Ledger over the store's per-cluster resource ledger.
type storeLedger struct {
	store     ClusterStore
	scope     domain.Scope
	clusterID string
}

var _ cloud.Ledger = storeLedger{}

func (l storeLedger) Record(ctx context.Context, r domain.Resource) error {
	if err := l.store.RecordResource(ctx, l.scope, l.clusterID, r); err != nil {
		return fmt.Errorf("record %s %s in the ledger: %w", r.Type, r.ID, err)
	}
	return nil
}

func (l storeLedger) Resources(ctx context.Context) ([]domain.Resource, error) {
	rs, err := l.store.Resources(ctx, l.scope, l.clusterID)
	if err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	return rs, nil
}

// gone are ledger states of resources that no longer exist.
var gone = map[string]bool{"deleted": true, "terminated": true, "released": true, "failed": true}

// ledgerKeys is the set of live resource keys in the cluster's ledger.
func (c *Call) ledgerKeys(ctx context.Context) (map[string]domain.Resource, error) {
	rs, err := c.deps.Store.Resources(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	out := make(map[string]domain.Resource, len(rs))
	for _, r := range rs {
		if r.Key != "" && !gone[r.State] {
			out[r.Key] = r
		}
	}
	return out, nil
}

// everRecorded reports whether the ledger ever held a resource with key,
// whatever its state now.
func (c *Call) everRecorded(ctx context.Context, key string) (bool, error) {
	rs, err := c.deps.Store.Resources(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return false, fmt.Errorf("read the ledger: %w", err)
	}
	for _, r := range rs {
		if r.Key == key {
			return true, nil
		}
	}
	return false, nil
}
