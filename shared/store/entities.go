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

// The helpers below implement the life cycle every named entity shares
// (accounts, profiles, and clusters next): create with a name unique per
// project, get, list, versioned replace and delete. The name is kept unique
// by a second item, NAME#<kind>#<name>, written in the same transaction as
// the entity, because DynamoDB has no unique secondary constraints.

// entityItem marshals v (a domain struct) and adds the key attributes.
func entityItem(scope domain.Scope, kind, id string, v any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s %s: %w", kind, id, err)
	}
	for k, val := range keyOf(ScopePK(scope), entitySK(kind, id)) {
		item[k] = val
	}
	item[attrKind] = &types.AttributeValueMemberS{Value: kind}
	item[attrTenant] = &types.AttributeValueMemberS{Value: scope.Tenant}
	item[attrProj] = &types.AttributeValueMemberS{Value: scope.Project}
	return item, nil
}

func nameItem(scope domain.Scope, kind, name, id string) map[string]types.AttributeValue {
	item := keyOf(ScopePK(scope), nameSK(kind, name))
	item[attrKind] = &types.AttributeValueMemberS{Value: "NAME#" + kind}
	item[attrOwner] = &types.AttributeValueMemberS{Value: id}
	return item
}

func buildCondition(c expression.ConditionBuilder) (expression.Expression, error) {
	expr, err := expression.NewBuilder().WithCondition(c).Build()
	if err != nil {
		return expr, fmt.Errorf("build condition: %w", err)
	}
	return expr, nil
}

func notExists() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name(attrPK))
}

func versionIs(v int) expression.ConditionBuilder {
	return expression.Name(attrVer).Equal(expression.Value(v))
}

func ownedBy(id string) expression.ConditionBuilder {
	return expression.Name(attrOwner).Equal(expression.Value(id))
}

func (s *Store) conditionalPut(item map[string]types.AttributeValue, c expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := buildCondition(c)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil
}

func (s *Store) conditionalDelete(key map[string]types.AttributeValue, c expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := buildCondition(c)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(s.table), Key: key, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// transact runs the writes and returns, when the transaction was cancelled
// by conditions, the indexes of the writes whose condition failed.
func (s *Store) transact(ctx context.Context, what string, writes ...types.TransactWriteItem) (failed []int, err error) {
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				failed = append(failed, i)
			}
		}
		if len(failed) > 0 {
			return failed, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return nil, nil
}

// createNamed writes a new entity and its name item; a taken name (or id)
// is ErrAlreadyExists.
func (s *Store) createNamed(ctx context.Context, scope domain.Scope, kind, id, name string, v any) error {
	item, err := entityItem(scope, kind, id, v)
	if err != nil {
		return err
	}
	putEntity, err := s.conditionalPut(item, notExists())
	if err != nil {
		return err
	}
	putName, err := s.conditionalPut(nameItem(scope, kind, name, id), notExists())
	if err != nil {
		return err
	}
	failed, err := s.transact(ctx, "create "+kind+" "+id, putEntity, putName)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("name %q is taken in this project: %w", name, ErrAlreadyExists)
	}
	return nil
}

// replaceNamed overwrites an entity whose stored version is expected, moving
// its name item when the name changed. v must already carry the new version.
func (s *Store) replaceNamed(ctx context.Context, scope domain.Scope, kind, id, oldName, newName string, expected int, v any) error {
	item, err := entityItem(scope, kind, id, v)
	if err != nil {
		return err
	}
	put, err := s.conditionalPut(item, expression.AttributeExists(expression.Name(attrPK)).And(versionIs(expected)))
	if err != nil {
		return err
	}
	writes := []types.TransactWriteItem{put}
	if oldName != newName {
		dropOld, err := s.conditionalDelete(keyOf(ScopePK(scope), nameSK(kind, oldName)), ownedBy(id))
		if err != nil {
			return err
		}
		putNew, err := s.conditionalPut(nameItem(scope, kind, newName, id), notExists())
		if err != nil {
			return err
		}
		writes = append(writes, dropOld, putNew)
	}
	failed, err := s.transact(ctx, "update "+kind+" "+id, writes...)
	if err != nil || len(failed) == 0 {
		return err
	}
	if failed[0] == 0 || failed[0] == 1 {
		return s.staleOrGone(ctx, scope, kind, id)
	}
	return fmt.Errorf("name %q is taken in this project: %w", newName, ErrAlreadyExists)
}

// deleteNamed removes an entity at the expected version and its name item.
func (s *Store) deleteNamed(ctx context.Context, scope domain.Scope, kind, id, name string, expected int) error {
	delEntity, err := s.conditionalDelete(keyOf(ScopePK(scope), entitySK(kind, id)), versionIs(expected))
	if err != nil {
		return err
	}
	delName, err := s.conditionalDelete(keyOf(ScopePK(scope), nameSK(kind, name)), ownedBy(id))
	if err != nil {
		return err
	}
	failed, err := s.transact(ctx, "delete "+kind+" "+id, delEntity, delName)
	if err != nil || len(failed) == 0 {
		return err
	}
	return s.staleOrGone(ctx, scope, kind, id)
}

// staleOrGone tells apart the two reasons a versioned write fails.
func (s *Store) staleOrGone(ctx context.Context, scope domain.Scope, kind, id string) error {
	var probe struct{}
	if err := s.getEntity(ctx, scope, kind, id, &probe); err != nil {
		return err
	}
	return fmt.Errorf("%s %s was changed by another request: %w", kind, id, ErrConflict)
}

// getEntity reads one entity (strongly consistent: a client that just wrote
// expects to read its write).
func (s *Store) getEntity(ctx context.Context, scope domain.Scope, kind, id string, out any) error {
	got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyOf(ScopePK(scope), entitySK(kind, id)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	if got.Item == nil {
		return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound)
	}
	if err := attributevalue.UnmarshalMap(got.Item, out); err != nil {
		return fmt.Errorf("unmarshal %s %s: %w", kind, id, err)
	}
	return nil
}

// listEntities returns one page of a kind's entities in id (= creation) order.
func listEntities[T any](ctx context.Context, s *Store, scope domain.Scope, kind string, page Page) ([]T, string, error) {
	pk := ScopePK(scope)
	start, err := decodeToken(page.Token, attrPK, pk)
	if err != nil {
		return nil, "", err
	}
	keyCond := expression.Key(attrPK).Equal(expression.Value(pk)).
		And(expression.Key(attrSK).BeginsWith(kind + "#"))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, "", fmt.Errorf("build list %s query: %w", kind, err)
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		Limit: aws.Int32(page.limit()), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", kind, err)
	}
	items := make([]T, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, "", fmt.Errorf("unmarshal %s list: %w", kind, err)
	}
	next, err := encodeToken(out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}
