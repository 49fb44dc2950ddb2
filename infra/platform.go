package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// platform is the service's own account: what the stack's constructs share
// while they are being wired together.
type platform struct {
	stack         awscdk.Stack
	cfg           Config
	table         awsdynamodb.Table
	schedulerRole awsiam.Role
	functions     map[string]awslambda.Function // by function name (functions/<name>)
	machineNames  []string                      // statemachines/<name>.asl.json, sorted
	machineFiles  map[string]string
	machines      map[string]awsstepfunctions.StateMachine
}

// NewPlatformStack builds everything the service runs on in the platform
// account. Order matters only where one construct references another.
func NewPlatformStack(scope constructs.Construct, id string, cfg Config) (awscdk.Stack, error) {
	stack := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Description:        jsii.String("ClusterForge platform: HTTP API, Lambdas, Step Functions, DynamoDB, Scheduler"),
		AnalyticsReporting: jsii.Bool(false),
	})
	p := &platform{stack: stack, cfg: cfg}
	var err error
	if p.machineNames, p.machineFiles, err = stateMachineFiles(cfg.Root); err != nil {
		return nil, err
	}
	p.table = newTable(stack)
	group := newScheduleGroup(p)
	p.schedulerRole = newSchedulerRole(p, group)
	if err := p.addFunctions(); err != nil {
		return nil, err
	}
	if err := p.addStateMachines(); err != nil {
		return nil, err
	}
	newWebConsole(p, newHTTPAPI(p))
	addAlarms(p)
	return stack, nil
}

// Physical names are fixed (with a configurable prefix) for the functions
// and state machines because every function's environment carries their
// ARNs: building those ARNs from names, rather than referencing the
// resources, keeps function → state machine → function free of cycles.

func (p *platform) name(n string) string { return p.cfg.Prefix + "-" + n }

func (p *platform) functionARN(fn string) *string {
	return p.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("lambda"), Resource: jsii.String("function"),
		ResourceName: jsii.String(p.name(fn)), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}

func (p *platform) stateMachineARN(sm string) *string {
	return p.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("states"), Resource: jsii.String("stateMachine"),
		ResourceName: jsii.String(p.name(sm)), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}

// secretPrefix is the Secrets Manager name prefix of every secret the
// service creates (SECRET_PREFIX): access keys and bootstrap secrets.
func (p *platform) secretPrefix() string { return p.cfg.Prefix + "/" }

func (p *platform) scheduleGroupName() string { return p.cfg.Prefix }
