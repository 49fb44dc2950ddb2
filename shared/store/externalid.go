package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

const attrExternalID = "externalId"

// ExternalID returns the tenant's sts:ExternalId, creating it on first use.
// It is per tenant, not per project, because it goes into the trust policy
// of the customer's role and must never change afterwards: a conditional
// put makes the first writer win and everyone else read the winner.
func (s *Store) ExternalID(ctx context.Context, tenant string) (string, error) {
	key := keyOf(tenantPK(tenant), "EXTERNALID")
	if id, err := s.readExternalID(ctx, key); err != nil || id != "" {
		return id, err
	}
	item := keyOf(tenantPK(tenant), "EXTERNALID")
	item[attrKind] = &types.AttributeValueMemberS{Value: "EXTERNALID"}
	item[attrTenant] = &types.AttributeValueMemberS{Value: tenant}
	item[attrExternalID] = &types.AttributeValueMemberS{Value: domain.NewExternalID()}
	expr, err := buildCondition(notExists())
	if err != nil {
		return "", err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(),
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf): // another request created it first
		return s.readExternalID(ctx, key)
	case err != nil:
		return "", fmt.Errorf("create external id: %w", err)
	}
	return item[attrExternalID].(*types.AttributeValueMemberS).Value, nil
}

func (s *Store) readExternalID(ctx context.Context, key map[string]types.AttributeValue) (string, error) {
	got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("get external id: %w", err)
	}
	if v, ok := got.Item[attrExternalID].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}
