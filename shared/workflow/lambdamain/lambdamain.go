// Package lambdamain is the wiring every task function shares: the
// platform's AWS configuration, the store, the customer-account session
// cache, the real cloud services, and the Lambda runtime. functions/<name>
// call Run with their action table and nothing else.
//
// It is a package of its own because it wires shared/api's scheduler
// client, and shared/api imports shared/workflow.
//
// Environment: TABLE_NAME (required), SECRET_PREFIX, LOG_LEVEL,
// WAIT_DEADLINE_SCALE, FORCE_DELETE_DELAY, SCHEDULE_GROUP;
// AWS_ENDPOINT_URL points every client at a local cloud.
package lambdamain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/pricing"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// The implementations the other packages provide, checked at compile time.
var (
	_ workflow.ClusterStore  = (*store.Store)(nil)
	_ workflow.Schedules     = api.EventBridgeSchedules{}
	_ api.LeftoverScanner    = workflow.LeftoverScanner{}
	_ workflow.SessionSource = (*cloud.SessionCache)(nil)
)

// Run serves a task function's actions until the runtime stops it.
func Run(actions map[string]workflow.ActionFunc) {
	deps := load()
	lambda.Start(workflow.New(deps, actions).Handle)
}

// RunUnlock serves the forcedelete-unlock function.
func RunUnlock() {
	deps := load()
	lambda.Start(workflow.NewUnlocker(deps).Handle)
}

func load() workflow.Deps {
	log := api.NewLogger(os.Stdout, os.Getenv("LOG_LEVEL"))
	deps, err := Deps(context.Background(), log)
	if err != nil {
		log.Error("configure function", "err", err)
		os.Exit(1)
	}
	return deps
}

// Deps builds the runtime's dependencies from the environment.
func Deps(ctx context.Context, log *slog.Logger) (workflow.Deps, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return workflow.Deps{}, errors.New("TABLE_NAME is not set")
	}
	deadlines, err := workflow.DeadlinesFromEnv()
	if err != nil {
		return workflow.Deps{}, err
	}
	delay := workflow.DefaultForceDeleteDelay
	if v := os.Getenv("FORCE_DELETE_DELAY"); v != "" {
		if delay, err = time.ParseDuration(v); err != nil {
			return workflow.Deps{}, fmt.Errorf("FORCE_DELETE_DELAY=%q: %w", v, err)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx) // honours AWS_ENDPOINT_URL
	if err != nil {
		return workflow.Deps{}, fmt.Errorf("load AWS config: %w", err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	prefix := os.Getenv("SECRET_PREFIX")
	return workflow.Deps{
		Store:     store.New(dynamodb.NewFromConfig(cfg), table).WithSecrets(store.NewSecrets(sm, prefix)),
		Sessions:  cloud.NewSessionCache(cfg, cloud.DefaultRateLimits),
		Services:  workflow.AWSServices{},
		Prices:    pricing.Default(),
		Bootstrap: workflow.SecretsManagerBootstrap{Client: sm, Prefix: prefix},
		Schedules: api.EventBridgeSchedules{
			Client: scheduler.NewFromConfig(cfg),
			Target: api.SchedulerTarget{Group: os.Getenv("SCHEDULE_GROUP")},
		},
		Logger:           log,
		Deadlines:        deadlines,
		ForceDeleteDelay: delay,
	}, nil
}
