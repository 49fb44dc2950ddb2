// Package storetest runs the store against a real DynamoDB and Secrets
// Manager emulator (kumo, in process) for tests in any package.
package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/sivchari/kumo"
)

// kumo keeps one global store per process, so one server serves the whole
// test binary and every Env gets its own table.
var (
	serverOnce sync.Once
	server     *kumo.Server
	tables     atomic.Int64
)

// Env is a fresh table plus the clients and stores over it.
type Env struct {
	DynamoDB       *dynamodb.Client
	SecretsManager *secretsmanager.Client
	Table          string
	Store          *store.Store
	Secrets        *store.Secrets
	SecretPrefix   string
}

// New creates a table from store.TableDefinition in the shared emulator.
func New(t testing.TB) *Env {
	t.Helper()
	serverOnce.Do(func() { server = kumo.NewServer() })
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")),
		config.WithBaseEndpoint(server.URL),
	)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	n := tables.Add(1)
	env := &Env{
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			// kumo does not send the X-Amz-Crc32 of its responses.
			o.DisableValidateResponseChecksum = true
		}),
		SecretsManager: secretsmanager.NewFromConfig(cfg),
		Table:          fmt.Sprintf("clusterforge-test-%d", n),
		SecretPrefix:   fmt.Sprintf("clusterforge-test-%d/", n),
	}
	ctx := context.Background()
	if _, err := env.DynamoDB.CreateTable(ctx, store.TableDefinition(env.Table)); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := env.DynamoDB.UpdateTimeToLive(ctx, store.TimeToLiveInput(env.Table)); err != nil {
		t.Fatalf("enable ttl: %v", err)
	}
	env.Secrets = store.NewSecrets(env.SecretsManager, env.SecretPrefix)
	env.Store = store.New(env.DynamoDB, env.Table).WithSecrets(env.Secrets)
	return env
}

// ItemCount is the number of items in the table (a full scan: tests only).
func (e *Env) ItemCount(t testing.TB) int {
	t.Helper()
	out, err := e.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(e.Table)})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return len(out.Items)
}

// SecretNames lists this env's secrets (by prefix).
func (e *Env) SecretNames(t testing.TB) []string {
	t.Helper()
	var names []string
	p := secretsmanager.NewListSecretsPaginator(e.SecretsManager, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list secrets: %v", err)
		}
		for _, s := range out.SecretList {
			if name := aws.ToString(s.Name); strings.HasPrefix(name, e.SecretPrefix) {
				names = append(names, name)
			}
		}
	}
	return names
}
