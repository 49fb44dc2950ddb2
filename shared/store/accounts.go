package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// CreateCloudAccount stores a new account at version 1. ErrAlreadyExists if
// the name is taken in the project.
func (s *Store) CreateCloudAccount(ctx context.Context, scope domain.Scope, a *domain.CloudAccount) error {
	a.Version = 1
	return s.createNamed(ctx, scope, KindCloudAccount, a.ID, a.Name, a)
}

// GetCloudAccount reads one account; ErrNotFound if it is not in scope.
func (s *Store) GetCloudAccount(ctx context.Context, scope domain.Scope, id string) (*domain.CloudAccount, error) {
	var a domain.CloudAccount
	if err := s.getEntity(ctx, scope, KindCloudAccount, id, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListCloudAccounts returns one page of the project's accounts, oldest first.
func (s *Store) ListCloudAccounts(ctx context.Context, scope domain.Scope, page Page) ([]domain.CloudAccount, string, error) {
	return listEntities[domain.CloudAccount](ctx, s, scope, KindCloudAccount, page)
}

// DeleteCloudAccount deletes the account as it was read (a.Version):
// ErrConflict if it changed since, ErrNotFound if it is gone.
func (s *Store) DeleteCloudAccount(ctx context.Context, scope domain.Scope, a *domain.CloudAccount) error {
	return s.deleteNamed(ctx, scope, KindCloudAccount, a.ID, a.Name, a.Version)
}

// CloudAccountInUse reports whether any cluster that is not Deleted uses the
// account (clusters index themselves under GSI1PK = accountUsePK). Cluster
// creation must also ConditionCheck that the account item still exists, so
// a delete racing a create cannot strand a cluster.
func (s *Store) CloudAccountInUse(ctx context.Context, scope domain.Scope, id string) (bool, error) {
	keyCond := expression.Key(attrGSI1PK).Equal(expression.Value(accountUsePK(scope, id)))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return false, fmt.Errorf("build account use query: %w", err)
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.table), IndexName: aws.String(IndexGSI1),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(1),
	})
	if err != nil {
		return false, fmt.Errorf("query clusters of account %s: %w", id, err)
	}
	return len(out.Items) > 0, nil
}

// AccountUseKeys are the GSI1 attributes a cluster item carries while it
// uses the account, so CloudAccountInUse finds it.
func AccountUseKeys(scope domain.Scope, accountID, clusterID string) (gsi1pk, gsi1sk string) {
	return accountUsePK(scope, accountID), entitySK(KindCluster, clusterID)
}
