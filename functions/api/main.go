// Command api is the API Gateway (HTTP API) Lambda: it wires configuration
// and AWS clients to shared/api and starts the Lambda runtime.
//
// Environment: TABLE_NAME (required), SECRET_PREFIX, PLATFORM_ACCOUNT_ID,
// LOG_LEVEL; the cluster workflows: PROVISION_STATE_MACHINE_ARN,
// DELETE_STATE_MACHINE_ARN, UPDATE_NODEPOOL_STATE_MACHINE_ARN, and for eks
// clusters PROVISION_EKS_STATE_MACHINE_ARN, DELETE_EKS_STATE_MACHINE_ARN,
// UPDATE_EKS_NODEGROUPS_STATE_MACHINE_ARN; FORCE_DELETE_DELAY (a Go
// duration, default 15m), SCHEDULE_GROUP, SCHEDULER_ROLE_ARN,
// FORCE_DELETE_UNLOCK_ARN.
// AWS_ENDPOINT_URL points every client at a local cloud.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/pricing"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

func main() {
	log := api.NewLogger(os.Stdout, os.Getenv("LOG_LEVEL"))
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		log.Error("TABLE_NAME is not set")
		os.Exit(1)
	}
	delay, err := forceDeleteDelay(os.Getenv("FORCE_DELETE_DELAY"))
	if err != nil {
		log.Error("bad configuration", "err", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	secrets := store.NewSecrets(secretsmanager.NewFromConfig(cfg), os.Getenv("SECRET_PREFIX"))
	st := store.New(dynamodb.NewFromConfig(cfg), table).WithSecrets(secrets)
	// One session cache for validation and dry runs: they share the
	// per-account request budgets and assumed-role credentials.
	sessions := cloud.NewSessionCache(cfg, cloud.DefaultRateLimits)
	handler := api.New(api.Deps{
		Store:                              st,
		Secrets:                            secrets,
		Validator:                          cloud.NewValidator(cfg, cloud.WithSessionCache(sessions)),
		PlatformAccountID:                  os.Getenv("PLATFORM_ACCOUNT_ID"),
		Logger:                             log,
		ProvisionStateMachineARN:           os.Getenv("PROVISION_STATE_MACHINE_ARN"),
		DeleteStateMachineARN:              os.Getenv("DELETE_STATE_MACHINE_ARN"),
		UpdateNodePoolStateMachineARN:      os.Getenv("UPDATE_NODEPOOL_STATE_MACHINE_ARN"),
		ProvisionEKSStateMachineARN:        os.Getenv("PROVISION_EKS_STATE_MACHINE_ARN"),
		DeleteEKSStateMachineARN:           os.Getenv("DELETE_EKS_STATE_MACHINE_ARN"),
		UpdateEKSNodeGroupsStateMachineARN: os.Getenv("UPDATE_EKS_NODEGROUPS_STATE_MACHINE_ARN"),
		// Static placement's subnets are checked before the cluster is stored.
		Subnets:    api.SessionSubnets{Sessions: sessions},
		Executions: api.SFNExecutions{Client: sfn.NewFromConfig(cfg)},
		Schedules: api.EventBridgeSchedules{Client: scheduler.NewFromConfig(cfg), Target: api.SchedulerTarget{
			Group:     os.Getenv("SCHEDULE_GROUP"),
			RoleARN:   os.Getenv("SCHEDULER_ROLE_ARN"),
			TargetARN: os.Getenv("FORCE_DELETE_UNLOCK_ARN"),
		}},
		ForceDeleteDelay: delay,
		Quotas:           api.SessionQuotas{Sessions: sessions},
		// Force delete scans the customer's account (ledger, tags, the
		// VPC's contents, ELBv2) for what is really left.
		Scanner: workflow.LeftoverScanner{Sessions: sessions, Prices: pricing.Default()},
		// The console's static placement lists the account's VPCs and subnets.
		Networks: api.SessionNetworks{Sessions: sessions},
	})
	lambda.Start(handler.Handle)
}

// forceDeleteDelay parses FORCE_DELETE_DELAY; empty means the default.
func forceDeleteDelay(v string) (time.Duration, error) {
	if v == "" {
		return api.DefaultForceDeleteDelay, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("FORCE_DELETE_DELAY=%q: want a positive Go duration such as 15m", v)
	}
	return d, nil
}
