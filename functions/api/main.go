// Command api is the API Gateway (HTTP API) Lambda: it wires configuration
// and AWS clients to shared/api and starts the Lambda runtime.
//
// Environment: TABLE_NAME (required), SECRET_PREFIX, PLATFORM_ACCOUNT_ID,
// LOG_LEVEL; AWS_ENDPOINT_URL points every client at a local cloud.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/store"
)

func main() {
	log := api.NewLogger(os.Stdout, os.Getenv("LOG_LEVEL"))
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		log.Error("TABLE_NAME is not set")
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	handler := api.New(api.Deps{
		Store:             store.New(dynamodb.NewFromConfig(cfg), table),
		Secrets:           store.NewSecrets(secretsmanager.NewFromConfig(cfg), os.Getenv("SECRET_PREFIX")),
		Validator:         cloud.NewValidator(cfg),
		PlatformAccountID: os.Getenv("PLATFORM_ACCOUNT_ID"),
		Logger:            log,
	})
	lambda.Start(handler.Handle)
}
