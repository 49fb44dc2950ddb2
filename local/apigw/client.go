package apigw

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// LambdaEndpoint says where the Lambda API is and whose keys to sign with
// (the platform account's, in the local cloud).
type LambdaEndpoint struct {
	URL             string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
}

// NewLambdaClient builds the client the gateway invokes through. It reads
// nothing from the environment, so the gateway's identity never depends on
// the shell it was started from.
func NewLambdaClient(e LambdaEndpoint) *lambda.Client {
	region := e.Region
	if region == "" {
		region = "us-east-1"
	}
	return lambda.New(lambda.Options{
		Region:       region,
		BaseEndpoint: aws.String(e.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(e.AccessKeyID, e.SecretAccessKey, ""),
		// API Gateway does not retry a synchronous Lambda integration; the
		// caller sees the failure and decides.
		RetryMaxAttempts: 1,
	})
}
