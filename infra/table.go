package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/jsii-runtime-go"

	"github.com/clusterforge/clusterforge/shared/store"
)

// newTable is the service's single table. Its keys and index come from
// store.TableDefinition, the same input the local cloud creates its table
// with, so the code, the local cloud and AWS cannot disagree on the schema.
func newTable(stack awscdk.Stack) awsdynamodb.Table {
	def := store.TableDefinition("clusterforge")
	key := awskms.NewKey(stack, jsii.String("TableKey"), &awskms.KeyProps{
		Description: jsii.String("ClusterForge table: tenants' accounts, clusters, ledger"),
		// Yearly rotation: the table stays readable, old key material is kept.
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	pk, sk := keyPair(def.KeySchema, def.AttributeDefinitions)
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:  pk,
		SortKey:       sk,
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey: key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		// Idempotency records expire by themselves (store.TTLAttribute).
		TimeToLiveAttribute: jsii.String(store.TTLAttribute),
		DeletionProtection:  jsii.Bool(true),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
	})
	for _, gsi := range def.GlobalSecondaryIndexes {
		if gsi.Projection == nil || gsi.Projection.ProjectionType != ddbtypes.ProjectionTypeAll {
			panic(fmt.Sprintf("index %s: only ALL projections are mapped", *gsi.IndexName))
		}
		gpk, gsk := keyPair(gsi.KeySchema, def.AttributeDefinitions)
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      gsi.IndexName,
			PartitionKey:   gpk,
			SortKey:        gsk,
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return table
}

// keyPair turns a DynamoDB API key schema into CDK attributes.
func keyPair(schema []ddbtypes.KeySchemaElement, defs []ddbtypes.AttributeDefinition) (hash, rng *awsdynamodb.Attribute) {
	for _, k := range schema {
		attr := &awsdynamodb.Attribute{Name: k.AttributeName, Type: attributeType(*k.AttributeName, defs)}
		if k.KeyType == ddbtypes.KeyTypeHash {
			hash = attr
		} else {
			rng = attr
		}
	}
	return hash, rng
}

func attributeType(name string, defs []ddbtypes.AttributeDefinition) awsdynamodb.AttributeType {
	for _, d := range defs {
		if *d.AttributeName != name {
			continue
		}
		switch d.AttributeType {
		case ddbtypes.ScalarAttributeTypeS:
			return awsdynamodb.AttributeType_STRING
		case ddbtypes.ScalarAttributeTypeN:
			return awsdynamodb.AttributeType_NUMBER
		case ddbtypes.ScalarAttributeTypeB:
			return awsdynamodb.AttributeType_BINARY
		}
	}
	panic(fmt.Sprintf("key attribute %s has no definition in store.TableDefinition", name))
}
