package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ErrNoSecrets means AccountAccess was asked for a secret-type account on a
// Store built without WithSecrets: a wiring fault, not a customer problem.
var ErrNoSecrets = errors.New("store has no secrets reader")

// WithSecrets lets the store resolve secret-type accounts' keys in
// AccountAccess. It returns s for chaining in main.
func (s *Store) WithSecrets(secrets *Secrets) *Store {
	s.secrets = secrets
	return s
}

// AccountAccess resolves a cloud account to what the service needs to act in
// it: the key pair from Secrets Manager, or the role with the tenant's
// ExternalId. The secret lives only in the returned value, never in the
// table. ErrNotFound if the account is not in scope.
func (s *Store) AccountAccess(ctx context.Context, scope domain.Scope, accountID string) (cloud.Access, error) {
	acc, err := s.GetCloudAccount(ctx, scope, accountID)
	if err != nil {
		return cloud.Access{}, err
	}
	switch acc.Type {
	case domain.AccountSecret:
		if s.secrets == nil {
			return cloud.Access{}, fmt.Errorf("access of account %s: %w", acc.ID, ErrNoSecrets)
		}
		key, err := s.secrets.GetAccessKey(ctx, acc.SecretRef)
		if err != nil {
			return cloud.Access{}, fmt.Errorf("access of account %s: %w", acc.ID, err)
		}
		return cloud.Access{Type: cloud.AccessSecret, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, nil
	case domain.AccountSTS:
		ext, err := s.ExternalID(ctx, scope.Tenant)
		if err != nil {
			return cloud.Access{}, fmt.Errorf("access of account %s: %w", acc.ID, err)
		}
		return cloud.Access{Type: cloud.AccessSTS, RoleARN: acc.RoleARN, ExternalID: ext}, nil
	default:
		return cloud.Access{}, fmt.Errorf("cloud account %s has unknown type %q", acc.ID, acc.Type)
	}
}
