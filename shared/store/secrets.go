package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// SecretsManagerAPI is the subset of the Secrets Manager client used here.
type SecretsManagerAPI interface {
	CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	DeleteSecret(context.Context, *secretsmanager.DeleteSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
}

// Tag keys on every secret, for ownership, ABAC policies and leak sweeps.
const (
	TagTenant       = "clusterforge.io/tenant"
	TagProject      = "clusterforge.io/project"
	TagCloudAccount = "clusterforge.io/cloud-account-id"
)

// Secrets keeps cloud-account access keys in Secrets Manager, one secret per
// account named <prefix><tenant>/<account id>. DynamoDB only ever holds the
// secret's ARN.
type Secrets struct {
	client SecretsManagerAPI
	prefix string
}

// NewSecrets returns a Secrets whose secret names start with prefix
// (SECRET_PREFIX, e.g. "clusterforge/").
func NewSecrets(client SecretsManagerAPI, prefix string) *Secrets {
	return &Secrets{client: client, prefix: prefix}
}

// SecretName is the Secrets Manager name of an account's access key.
func (s *Secrets) SecretName(tenant, accountID string) string {
	return s.prefix + tenant + "/" + accountID
}

// PutAccessKey creates the account's secret and returns its ARN.
func (s *Secrets) PutAccessKey(ctx context.Context, scope domain.Scope, accountID string, key domain.AccessKey) (string, error) {
	value, err := json.Marshal(key)
	if err != nil {
		return "", fmt.Errorf("encode access key: %w", err)
	}
	out, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String(s.SecretName(scope.Tenant, accountID)),
		Description:  aws.String("ClusterForge cloud account access key"),
		SecretString: aws.String(string(value)),
		Tags: []smtypes.Tag{
			{Key: aws.String(TagTenant), Value: aws.String(scope.Tenant)},
			{Key: aws.String(TagProject), Value: aws.String(scope.Project)},
			{Key: aws.String(TagCloudAccount), Value: aws.String(accountID)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("create secret for account %s: %w", accountID, err)
	}
	return aws.ToString(out.ARN), nil
}

// GetAccessKey reads an account's key pair into memory.
func (s *Secrets) GetAccessKey(ctx context.Context, ref string) (domain.AccessKey, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ref)})
	if err != nil {
		return domain.AccessKey{}, fmt.Errorf("read secret %s: %w", ref, err)
	}
	var key domain.AccessKey
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &key); err != nil {
		// Never wrap the json error: it may quote the secret's content.
		return domain.AccessKey{}, fmt.Errorf("secret %s does not hold an access key", ref)
	}
	return key, nil
}

// DeleteSecret deletes an account's secret at once (no recovery window: a
// customer removing their keys expects them gone). A missing secret is fine.
func (s *Secrets) DeleteSecret(ctx context.Context, ref string) error {
	_, err := s.client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
		SecretId: aws.String(ref), ForceDeleteWithoutRecovery: aws.Bool(true),
	})
	var nf *smtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("delete secret %s: %w", ref, err)
	}
	return nil
}
