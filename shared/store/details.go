package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// A cluster's tasks, ledger and pools share one partition (clusterPK), so
// ClusterChildren reads all three with one Query over the partition instead
// of one Query per kind. The cluster item itself lives in the project's
// partition (ScopePK, CLU#<id>) — where listing, name uniqueness and the
// versioned writes need it — so it cannot come back in that Query;
// ClusterDetails reads it with a GetItem alongside, at the same time.

// ClusterChildren returns the cluster's tasks (workflow order), ledger
// (ordered by key) and live nodes by pool, as Tasks, Resources and Nodes do,
// from one paginated Query.
func (s *Store) ClusterChildren(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Task, []domain.Resource, map[string][]domain.Node, error) {
	items, err := s.queryChildren(ctx, scope, clusterID, "")
	if err != nil {
		return nil, nil, nil, err
	}
	var tasks, resources, pools []map[string]types.AttributeValue
	for _, item := range items {
		sk, _ := item[attrSK].(*types.AttributeValueMemberS)
		if sk == nil {
			continue
		}
		kind, _, _ := strings.Cut(sk.Value, "#")
		switch kind {
		case kindTask:
			tasks = append(tasks, item)
		case kindResource:
			resources = append(resources, item)
		case kindPool:
			pools = append(pools, item)
		}
	}
	t, err := decodeTasks(clusterID, tasks)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := decodeResources(clusterID, resources)
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := decodeNodes(clusterID, pools)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, r, n, nil
}

// ClusterDetails reads the cluster and its children (ClusterChildren) in
// two concurrent requests: the GET answer costs one round trip, not four.
// ErrNotFound when the cluster does not exist in scope; the children of a
// cluster that is not there are never returned. Both reads are strongly
// consistent but not one snapshot, as with separate reads: a workflow may
// record progress between them, which the next read shows.
func (s *Store) ClusterDetails(ctx context.Context, scope domain.Scope, id string) (*domain.Cluster, []domain.Task, []domain.Resource, map[string][]domain.Node, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg        sync.WaitGroup
		tasks     []domain.Task
		resources []domain.Resource
		nodes     map[string][]domain.Node
		childErr  error
	)
	wg.Go(func() {
		tasks, resources, nodes, childErr = s.ClusterChildren(ctx, scope, id)
	})
	c, err := s.GetCluster(ctx, scope, id)
	if err != nil {
		cancel() // the children are of no use without their cluster
		wg.Wait()
		return nil, nil, nil, nil, err
	}
	wg.Wait()
	if childErr != nil {
		return nil, nil, nil, nil, fmt.Errorf("read cluster %s: %w", id, childErr)
	}
	return c, tasks, resources, nodes, nil
}
