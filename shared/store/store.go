// Package store is ClusterForge's persistence: one DynamoDB table holding
// every entity (single-table design, see keys.go) and Secrets Manager for
// cloud-account access keys.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Errors callers branch on with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict means the item changed since it was read (its version
	// moved on): re-read and retry, or report 409.
	ErrConflict = errors.New("version conflict")
	// ErrInvalidToken is a pagination token this store did not issue for
	// this scope and listing.
	ErrInvalidToken = errors.New("invalid pagination token")
)

// DynamoDBAPI is the subset of the DynamoDB client the store uses.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and writes the service table.
type Store struct {
	db    DynamoDBAPI
	table string
	// secrets reads access keys for AccountAccess; set with WithSecrets.
	secrets *Secrets
	// Now is the clock for timestamps and idempotency expiry; tests replace it.
	Now func() time.Time
}

// New returns a Store over the named table.
func New(db DynamoDBAPI, table string) *Store {
	return &Store{db: db, table: table, Now: time.Now}
}

// Table layout names, shared with the CDK app and the local launcher.
const (
	IndexGSI1 = "GSI1"
	// TTLAttribute holds an epoch-seconds expiry (idempotency records).
	// CreateTableInput cannot carry TTL settings: whoever creates the table
	// enables it with TimeToLiveInput.
	TTLAttribute = "expiresAt"
)

// TableDefinition is the one definition of the service table: the CDK app
// and the local launcher both create the table from it.
func TableDefinition(name string) *dynamodb.CreateTableInput {
	str := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange},
		}
	}
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str(attrPK), str(attrSK), str(attrGSI1PK), str(attrGSI1SK)},
		KeySchema:            key(attrPK, attrSK),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String(IndexGSI1),
			KeySchema:  key(attrGSI1PK, attrGSI1SK),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	}
}

// TimeToLiveInput enables expiry of idempotency records on the table.
func TimeToLiveInput(name string) *dynamodb.UpdateTimeToLiveInput {
	return &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(TTLAttribute), Enabled: aws.Bool(true),
		},
	}
}
