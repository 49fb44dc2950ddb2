package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// logRetention applies to every log group the stack creates: long enough to
// investigate a failed provisioning reported by a customer weeks later.
const logRetention = awslogs.RetentionDays_THREE_MONTHS

// functionNames lists functions/<name>: each is one Lambda.
func functionNames(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// addFunctions creates every function with its own role and log group.
func (p *platform) addFunctions() error {
	names, err := functionNames(p.cfg.Root)
	if err != nil {
		return err
	}
	p.functions = map[string]awslambda.Function{}
	env := p.functionEnv()
	for _, name := range names {
		acc, ok := functionAccess[name]
		if !ok {
			return fmt.Errorf("functions/%s has no entry in functionAccess (infra/access.go): say what it may call", name)
		}
		p.functions[name] = p.newFunction(name, acc, env)
	}
	return nil
}

func (p *platform) newFunction(name string, acc access, env *map[string]*string) awslambda.Function {
	id := constructID(name)
	logs := awslogs.NewLogGroup(p.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/lambda/" + p.name(name)),
		Retention:     logRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(p.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		Description: jsii.String("ClusterForge " + name + " Lambda"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	// Its own log group only, instead of AWSLambdaBasicExecutionRole's
	// logs on every group of the account.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{jsii.String(*logs.LogGroupArn())},
	}))
	acc.grant(p, role)
	suppressFunctionRole(p, name, role, acc)
	fn := awslambda.NewFunction(p.stack, jsii.String(id), &awslambda.FunctionProps{
		FunctionName: jsii.String(p.name(name)),
		Description:  jsii.String("ClusterForge " + name),
		// The Go binaries are static: the OS-only runtime on Graviton.
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(p.cfg.CodeDir, name)), nil),
		MemorySize:   jsii.Number(256),
		Timeout:      functionTimeout(name),
		Environment:  env,
		Role:         role,
		LogGroup:     logs,
		Tracing:      awslambda.Tracing_ACTIVE,
	})
	return fn
}

// functionTimeout: API Gateway gives up on an integration after 30 s, so
// the api answers (or fails) before that; no task function waits for AWS
// (the state machines poll), so a minute is ample for a batch of calls
// with throttling retries.
func functionTimeout(name string) awscdk.Duration {
	if name == "api" {
		return awscdk.Duration_Seconds(jsii.Number(29))
	}
	return awscdk.Duration_Seconds(jsii.Number(60))
}

// functionEnv is the environment every function gets; the local cloud's
// launcher (local/launcher, functionEnv) sets the same variables, and a test
// keeps the two lists identical.
func (p *platform) functionEnv() *map[string]*string {
	env := map[string]*string{
		"TABLE_NAME":              p.table.TableName(),
		"SECRET_PREFIX":           jsii.String(p.secretPrefix()),
		"PLATFORM_ACCOUNT_ID":     p.stack.Account(),
		"SCHEDULE_GROUP":          jsii.String(p.scheduleGroupName()),
		"SCHEDULER_ROLE_ARN":      p.schedulerRole.RoleArn(),
		"FORCE_DELETE_UNLOCK_ARN": p.functionARN("forcedelete-unlock"),
		"FORCE_DELETE_DELAY":      jsii.String("15m"),
		"LOG_LEVEL":               jsii.String("info"),
		// AWS's own latencies run in real time here (the local cloud scales them).
		"WAIT_DEADLINE_SCALE": jsii.String("1"),
	}
	for _, sm := range p.machineNames {
		env[stateMachineEnv[sm]] = p.stateMachineARN(sm)
	}
	return &env
}

// constructID turns a function name into a construct id: forcedelete-unlock
// → ForcedeleteUnlock.
func constructID(name string) string {
	out := make([]byte, 0, len(name))
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' {
			upper = true
			continue
		}
		if upper && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper = false
		out = append(out, c)
	}
	return string(out)
}
