package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// The resource ledger (DESIGN §1) is one item per resource under the
// cluster's partition: RES#<plan key>, or RES#<id> for resources the plan
// does not name (e.g. ENIs found during deletion). Recording is a plain
// upsert: the workflow records the moment AWS returns an id, and again
// when the state changes.
const kindResource = "RES"

func resourceSK(r domain.Resource) string {
	if r.Key != "" {
		return kindResource + "#" + r.Key
	}
	return kindResource + "#" + r.ID
}

// RecordResource upserts one ledger entry (by Key, or by ID without one).
func (s *Store) RecordResource(ctx context.Context, scope domain.Scope, clusterID string, r domain.Resource) error {
	if r.Key == "" && r.ID == "" {
		return fmt.Errorf("record resource of cluster %s: neither key nor id", clusterID)
	}
	item, err := childItem(scope, clusterID, resourceSK(r), kindResource, r)
	if err != nil {
		return err
	}
	return s.putChild(ctx, item, "resource "+resourceSK(r)+" of cluster "+clusterID)
}

// Resources lists the cluster's ledger, ordered by key.
func (s *Store) Resources(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Resource, error) {
	items, err := s.queryChildren(ctx, scope, clusterID, kindResource+"#")
	if err != nil {
		return nil, err
	}
	return decodeResources(clusterID, items)
}

// decodeResources decodes RES# items, keeping their (key) order.
func decodeResources(clusterID string, items []map[string]types.AttributeValue) ([]domain.Resource, error) {
	out := make([]domain.Resource, len(items))
	for i, item := range items {
		if err := unmarshalJSONTagged(item, &out[i]); err != nil {
			return nil, fmt.Errorf("unmarshal resource of cluster %s: %w", clusterID, err)
		}
	}
	return out, nil
}
