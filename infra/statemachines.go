package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

// functionPlaceholder is a Task Resource in statemachines/*.asl.json; the
// local cloud substitutes the same placeholders (local/launcher).
var functionPlaceholder = regexp.MustCompile(`\$\{(\w+)FunctionArn\}`)

// aslFunctionName maps a placeholder's stem to the function directory, as
// launcher.FunctionName does: NetworkFunctionArn → network,
// ForceDeleteUnlockFunctionArn → forcedelete-unlock.
func aslFunctionName(stem string) string {
	if stem == "ForceDeleteUnlock" {
		return "forcedelete-unlock"
	}
	return strings.ToLower(stem)
}

// stateMachineEnv is the variable that hands each workflow's ARN to the
// functions (the api starts them). A new statemachines/*.asl.json needs an
// entry here and in the local launcher's functionEnv.
var stateMachineEnv = map[string]string{
	"provision-cluster": "PROVISION_STATE_MACHINE_ARN",
	"delete-cluster":    "DELETE_STATE_MACHINE_ARN",
	"update-nodepool":   "UPDATE_NODEPOOL_STATE_MACHINE_ARN",
	// kind eks (the api starts them by the cluster's kind).
	"provision-eks":         "PROVISION_EKS_STATE_MACHINE_ARN",
	"delete-eks":            "DELETE_EKS_STATE_MACHINE_ARN",
	"update-eks-nodegroups": "UPDATE_EKS_NODEGROUPS_STATE_MACHINE_ARN",
}

// requiredMachines are the workflows the api cannot work without.
var requiredMachines = []string{"provision-cluster", "delete-cluster"}

// stateMachineFiles lists statemachines/*.asl.json by machine name, sorted.
func stateMachineFiles(root string) (names []string, files map[string]string, err error) {
	paths, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil {
		return nil, nil, err
	}
	files = map[string]string{}
	for _, f := range paths {
		name := strings.TrimSuffix(filepath.Base(f), ".asl.json")
		if stateMachineEnv[name] == "" {
			return nil, nil, fmt.Errorf("statemachines/%s.asl.json has no environment variable in stateMachineEnv (infra/statemachines.go)", name)
		}
		files[name] = f
		names = append(names, name)
	}
	sort.Strings(names)
	for _, want := range requiredMachines {
		if files[want] == "" {
			return nil, nil, fmt.Errorf("statemachines/%s.asl.json missing: the api starts it", want)
		}
	}
	return names, files, nil
}

// addStateMachines deploys each ASL file as it is: the definition goes in
// verbatim and CloudFormation fills in the function ARNs
// (DefinitionSubstitutions), so what runs on AWS is byte for byte what the
// local cloud runs.
func (p *platform) addStateMachines() error {
	p.machines = map[string]awsstepfunctions.StateMachine{}
	for _, name := range p.machineNames {
		raw, err := os.ReadFile(p.machineFiles[name])
		if err != nil {
			return err
		}
		sm, err := p.newStateMachine(name, string(raw))
		if err != nil {
			return fmt.Errorf("state machine %s: %w", name, err)
		}
		p.machines[name] = sm
	}
	return nil
}

func (p *platform) newStateMachine(name, asl string) (awsstepfunctions.StateMachine, error) {
	id := constructID(name)
	subs := map[string]*string{}
	var invoked []string
	for _, m := range functionPlaceholder.FindAllStringSubmatch(asl, -1) {
		placeholder := m[1] + "FunctionArn"
		if subs[placeholder] != nil {
			continue
		}
		fn := p.functions[aslFunctionName(m[1])]
		if fn == nil {
			return nil, fmt.Errorf("${%s} names no function under functions/", placeholder)
		}
		subs[placeholder] = fn.FunctionArn()
		invoked = append(invoked, aslFunctionName(m[1]))
	}
	logs := awslogs.NewLogGroup(p.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		// Step Functions requires the /aws/vendedlogs/ prefix for large
		// resource policies; it keeps the service's groups together.
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + p.name(name)),
		Retention:     logRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(p.stack, jsii.String(id), &awsstepfunctions.StateMachineProps{
		StateMachineName:        jsii.String(p.name(name)),
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(asl)),
		DefinitionSubstitutions: &subs,
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
		TracingEnabled: jsii.Bool(true),
	})
	// The definition is a string to CDK, so it cannot infer what the Task
	// states call: grant exactly the functions the placeholders name, and
	// only their unqualified ARNs (the Task resources name no version or
	// alias, so GrantInvoke's extra "<arn>:*" would only widen it).
	arns := make([]*string, len(invoked))
	for i, fn := range invoked {
		arns[i] = p.functions[fn].FunctionArn()
	}
	sm.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("lambda:InvokeFunction"), Resources: &arns,
	}))
	suppressStateMachineRole(sm, name)
	return sm, nil
}
