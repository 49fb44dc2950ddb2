package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// Live nodes are one item per pool (POOL#<name>) holding the pool's node
// list: the workflow observes a pool as a whole (DescribeInstances by the
// pool's tags) and replaces its list, so one item keeps the list consistent.
const kindPool = "POOL"

type poolItem struct {
	Pool  string        `json:"pool"`
	Nodes []domain.Node `json:"nodes"`
}

// PutNodes replaces the live node list of one pool.
func (s *Store) PutNodes(ctx context.Context, scope domain.Scope, clusterID, pool string, nodes []domain.Node) error {
	if nodes == nil {
		nodes = []domain.Node{}
	}
	item, err := childItem(scope, clusterID, kindPool+"#"+pool, kindPool, poolItem{Pool: pool, Nodes: nodes})
	if err != nil {
		return err
	}
	return s.putChild(ctx, item, "nodes of pool "+pool+" of cluster "+clusterID)
}

// Nodes returns the live nodes of every pool that has reported, by pool name.
func (s *Store) Nodes(ctx context.Context, scope domain.Scope, clusterID string) (map[string][]domain.Node, error) {
	items, err := s.queryChildren(ctx, scope, clusterID, kindPool+"#")
	if err != nil {
		return nil, err
	}
	return decodeNodes(clusterID, items)
}

// decodeNodes decodes POOL# items into nodes by pool name.
func decodeNodes(clusterID string, items []map[string]types.AttributeValue) (map[string][]domain.Node, error) {
	out := make(map[string][]domain.Node, len(items))
	for _, item := range items {
		var p poolItem
		if err := unmarshalJSONTagged(item, &p); err != nil {
			return nil, fmt.Errorf("unmarshal nodes of cluster %s: %w", clusterID, err)
		}
		out[p.Pool] = p.Nodes
	}
	return out, nil
}
