package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// Clusters are stored as one item (CLU#<id>) plus child items under their
// own partition (tasks.go, ledger.go, nodes.go), so the workflow's frequent
// progress writes never contend with the cluster's versioned writes.
//
// The cluster types carry json tags only; they are encoded with json as the
// attributevalue tag key, so the stored attribute names are the API's.

// MaxUpdateAttempts bounds UpdateCluster's re-read-and-retry loop.
const MaxUpdateAttempts = 5

func withJSONTags(o *attributevalue.EncoderOptions) { o.TagKey = "json" }
func fromJSONTags(o *attributevalue.DecoderOptions) { o.TagKey = "json" }
func marshalJSONTagged(v any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(v, withJSONTags)
}
func unmarshalJSONTagged(m map[string]types.AttributeValue, out any) error {
	return attributevalue.UnmarshalMapWithOptions(m, out, fromJSONTags)
}

// clusterItem is a cluster as stored. domain.Cluster's own "nodePools" are
// the pools with their live nodes (built at read time from POOL# items) and
// shadow the spec's pools; this shallower field shadows them in turn, so the
// stored "nodePools" are the spec's.
type clusterItem struct {
	domain.Cluster
	NodePools []domain.NodePoolSpec `json:"nodePools"`
}

// clusterPK is the partition of a cluster's child items.
func clusterPK(scope domain.Scope, id string) string {
	return ScopePK(scope) + "#" + KindCluster + "#" + id
}

// clusterAttrs encodes c with its keys. A cluster that is not Deleted
// carries the GSI1 keys that make CloudAccountInUse see it; derived fields
// (tasks, resources, nodes, progress) live in child items or are computed.
func clusterAttrs(scope domain.Scope, c *domain.Cluster) (map[string]types.AttributeValue, error) {
	it := clusterItem{Cluster: *c, NodePools: c.ClusterSpec.NodePools}
	it.Tasks, it.Resources, it.Cluster.NodePools, it.Progress = nil, nil, nil, 0
	item, err := marshalJSONTagged(it)
	if err != nil {
		return nil, fmt.Errorf("marshal cluster %s: %w", c.ID, err)
	}
	for k, v := range keyOf(ScopePK(scope), entitySK(KindCluster, c.ID)) {
		item[k] = v
	}
	// No "kind" attribute here, unlike other entities: the spec's own
	// "kind" (self-managed, eks) holds that name; the SK says CLU#.
	item[attrTenant] = &types.AttributeValueMemberS{Value: scope.Tenant}
	item[attrProj] = &types.AttributeValueMemberS{Value: scope.Project}
	if c.Status != domain.StatusDeleted {
		pk, sk := AccountUseKeys(scope, c.CloudAccountID, c.ID)
		item[attrGSI1PK] = &types.AttributeValueMemberS{Value: pk}
		item[attrGSI1SK] = &types.AttributeValueMemberS{Value: sk}
	}
	return item, nil
}

func decodeCluster(item map[string]types.AttributeValue) (*domain.Cluster, error) {
	var it clusterItem
	if err := unmarshalJSONTagged(item, &it); err != nil {
		return nil, fmt.Errorf("unmarshal cluster: %w", err)
	}
	c := it.Cluster
	c.ClusterSpec.NodePools = it.NodePools
	return &c, nil
}

// CreateCluster stores a new cluster at version 1 with its initial tasks,
// in one transaction that also claims the name in the project and checks
// that the cloud account still exists (so an account delete racing this
// create cannot strand the cluster). ErrAlreadyExists if the name is taken;
// ErrNotFound if the account is gone.
func (s *Store) CreateCluster(ctx context.Context, scope domain.Scope, c *domain.Cluster) error {
	c.Version = 1
	item, err := clusterAttrs(scope, c)
	if err != nil {
		return err
	}
	putCluster, err := s.conditionalPut(item, notExists())
	if err != nil {
		return err
	}
	putName, err := s.conditionalPut(nameItem(scope, KindCluster, c.Name, c.ID), notExists())
	if err != nil {
		return err
	}
	accountExists, err := buildCondition(expression.AttributeExists(expression.Name(attrPK)))
	if err != nil {
		return err
	}
	checkAccount := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(s.table), Key: keyOf(ScopePK(scope), entitySK(KindCloudAccount, c.CloudAccountID)),
		ConditionExpression: accountExists.Condition(), ExpressionAttributeNames: accountExists.Names(),
	}}
	writes := []types.TransactWriteItem{putCluster, putName, checkAccount}
	for i, t := range c.Tasks {
		put, err := s.taskPut(scope, c.ID, i, t)
		if err != nil {
			return err
		}
		writes = append(writes, put)
	}
	failed, err := s.transact(ctx, "create cluster "+c.ID, writes...)
	if err != nil || len(failed) == 0 {
		return err
	}
	switch failed[0] {
	case 2:
		return fmt.Errorf("cloud account %s: %w", c.CloudAccountID, ErrNotFound)
	default:
		return fmt.Errorf("cluster name %q is taken in this project: %w", c.Name, ErrAlreadyExists)
	}
}

// GetCluster reads one cluster (Deleted ones too: they stay readable for
// audit). It does not fill the derived fields: see Tasks, Resources, Nodes.
func (s *Store) GetCluster(ctx context.Context, scope domain.Scope, id string) (*domain.Cluster, error) {
	got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyOf(ScopePK(scope), entitySK(KindCluster, id)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get cluster %s: %w", id, err)
	}
	if got.Item == nil {
		return nil, fmt.Errorf("cluster %s: %w", id, ErrNotFound)
	}
	return decodeCluster(got.Item)
}

// ListClusters returns one page of the project's clusters that are not
// Deleted, oldest first. A filtered query can return short pages, so it
// queries again (each time for at most what is still missing, which keeps
// the next token exact) until the page is full or the partition ends.
func (s *Store) ListClusters(ctx context.Context, scope domain.Scope, page Page) ([]domain.Cluster, string, error) {
	pk := ScopePK(scope)
	start, err := decodeToken(page.Token, attrPK, pk)
	if err != nil {
		return nil, "", err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(pk)).
			And(expression.Key(attrSK).BeginsWith(KindCluster + "#"))).
		WithFilter(expression.Name("status").NotEqual(expression.Value(domain.StatusDeleted))).
		Build()
	if err != nil {
		return nil, "", fmt.Errorf("build list clusters query: %w", err)
	}
	want := int(page.limit())
	out := make([]domain.Cluster, 0, want)
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(s.table), KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			Limit: aws.Int32(int32(want - len(out))), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, "", fmt.Errorf("list clusters: %w", err)
		}
		for _, item := range res.Items {
			c, err := decodeCluster(item)
			if err != nil {
				return nil, "", err
			}
			out = append(out, *c)
		}
		start = res.LastEvaluatedKey
		if len(start) == 0 || len(out) >= want {
			break
		}
	}
	next, err := encodeToken(start)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// UpdateCluster reads the cluster, applies mutate and writes it back on the
// version it read. On a version conflict it re-reads and re-applies mutate,
// up to MaxUpdateAttempts times, then gives up with ErrConflict; mutate
// must therefore decide from the cluster it is given, not from captured
// state. An error from mutate aborts without writing and is returned as is.
// Reaching Deleted releases the name and leaves the account-use index.
func (s *Store) UpdateCluster(ctx context.Context, scope domain.Scope, id string, mutate func(*domain.Cluster) error) (*domain.Cluster, error) {
	var lastErr error
	for range MaxUpdateAttempts {
		c, err := s.GetCluster(ctx, scope, id)
		if err != nil {
			return nil, err
		}
		before := *c
		if err := mutate(c); err != nil {
			return nil, err
		}
		lastErr = s.replaceCluster(ctx, scope, &before, c)
		if !errors.Is(lastErr, ErrConflict) {
			if lastErr != nil {
				return nil, lastErr
			}
			return c, nil
		}
	}
	return nil, lastErr
}

// ErrImmutable is returned for an update that changes what a cluster is
// identified by (id, name, cloud account).
var ErrImmutable = errors.New("immutable field changed")

// replaceCluster writes next if the stored cluster is still at before's
// version; next.Version becomes before's + 1.
func (s *Store) replaceCluster(ctx context.Context, scope domain.Scope, before, next *domain.Cluster) error {
	if next.ID != before.ID || next.Name != before.Name || next.CloudAccountID != before.CloudAccountID {
		return fmt.Errorf("cluster %s: id, name and cloud account cannot change: %w", before.ID, ErrImmutable)
	}
	next.Version = before.Version + 1
	item, err := clusterAttrs(scope, next)
	if err != nil {
		return err
	}
	put, err := s.conditionalPut(item, expression.AttributeExists(expression.Name(attrPK)).And(versionIs(int(before.Version))))
	if err != nil {
		return err
	}
	writes := []types.TransactWriteItem{put}
	if before.Status != domain.StatusDeleted && next.Status == domain.StatusDeleted {
		// The name is free for a new cluster once this one is gone. The
		// condition tolerates a missing name item, never another owner's.
		release, err := s.conditionalDelete(keyOf(ScopePK(scope), nameSK(KindCluster, before.Name)),
			notExists().Or(ownedBy(before.ID)))
		if err != nil {
			return err
		}
		writes = append(writes, release)
	}
	failed, err := s.transact(ctx, "update cluster "+before.ID, writes...)
	if err != nil || len(failed) == 0 {
		return err
	}
	return s.staleOrGone(ctx, scope, KindCluster, before.ID)
}

// queryChildren reads every item of a cluster's child kind (TASK#, RES#,
// POOL#), or with prefix "" the whole child partition, following pages.
func (s *Store) queryChildren(ctx context.Context, scope domain.Scope, clusterID, prefix string) ([]map[string]types.AttributeValue, error) {
	keyCond := expression.Key(attrPK).Equal(expression.Value(clusterPK(scope, clusterID)))
	if prefix != "" {
		keyCond = keyCond.And(expression.Key(attrSK).BeginsWith(prefix))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, fmt.Errorf("build %s query: %w", prefix, err)
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s of cluster %s: %w", prefix, clusterID, err)
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// childItem encodes v (json tags) under the cluster's child partition.
func childItem(scope domain.Scope, clusterID, sk, kind string, v any) (map[string]types.AttributeValue, error) {
	item, err := marshalJSONTagged(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s of cluster %s: %w", kind, clusterID, err)
	}
	for k, val := range keyOf(clusterPK(scope, clusterID), sk) {
		item[k] = val
	}
	item[attrKind] = &types.AttributeValueMemberS{Value: kind}
	return item, nil
}

// putChild upserts one child item.
func (s *Store) putChild(ctx context.Context, item map[string]types.AttributeValue, what string) error {
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	return nil
}
