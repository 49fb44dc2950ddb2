package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// access is what one function calls in the platform account, and so all its
// role is granted beyond writing its own logs and traces. A new directory
// under functions/ must be given an entry here: synth fails otherwise, so a
// function never silently gets someone else's permissions.
type access struct {
	secrets           []string // on every secret under SECRET_PREFIX (customers' access keys)
	bootstrapSecrets  []string // on <prefix><tenant>/clusters/<id>/bootstrap only
	executions        bool     // start/stop/describe the cluster workflows
	schedules         []string // on the schedules of the force-delete group
	passSchedulerRole bool     // hand the scheduler its role when creating a schedule
	customerRoles     bool     // sts:AssumeRole into customers' ClusterForge roles
}

// Every function reads and writes the table (their state is all there).
var functionAccess = map[string]access{
	// Registers accounts (stores their keys), validates them (assumes the
	// role), starts and stops workflows, schedules force-delete unlocks.
	"api": {
		secrets:           []string{"secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"},
		executions:        true,
		schedules:         []string{"scheduler:CreateSchedule", "scheduler:DeleteSchedule"},
		passSchedulerRole: true,
		customerRoles:     true,
	},
	// Task functions reach the customer's account with the account's keys
	// (secret) or its role (sts).
	"preflight":    {secrets: readSecret, customerRoles: true},
	"network":      {secrets: readSecret, customerRoles: true},
	"loadbalancer": {secrets: readSecret, customerRoles: true},
	// eks creates and deletes EKS clusters, node groups, Fargate profiles
	// and their IAM roles, all in the customer's account (its role's
	// policies, shared/cloud/policy, grant those): nothing of the platform
	// account beyond the table.
	"eks": {secrets: readSecret, customerRoles: true},
	// compute creates the kubeadm bootstrap secret the nodes' user data uses.
	"compute": {
		secrets:          readSecret,
		bootstrapSecrets: []string{"secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:GetSecretValue"},
		customerRoles:    true,
	},
	// lifecycle finishes deletion: the bootstrap secret and the pending
	// force-delete schedule go with the cluster; leftovers are scanned.
	"lifecycle": {
		secrets:          readSecret,
		bootstrapSecrets: []string{"secretsmanager:DeleteSecret"},
		schedules:        []string{"scheduler:DeleteSchedule"},
		customerRoles:    true,
	},
	// Flips one cluster record to force-deletable; touches nothing else.
	"forcedelete-unlock": {},
}

var readSecret = []string{"secretsmanager:GetSecretValue"}

// customerRoleARN is any role in any account: customers name their role
// (and account) at registration time, and the trust policy's ExternalId —
// not this resource — is what confines the platform to consenting roles.
const customerRoleARN = "arn:aws:iam::*:role/*"

// grant adds the statements of a onto role.
func (a access) grant(p *platform, role awsiam.Role) {
	p.table.GrantReadWriteData(role)
	add := func(actions []string, resources ...*string) {
		if len(actions) == 0 {
			return
		}
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(actions...), Resources: &resources,
		}))
	}
	add(a.secrets, p.secretARN("*"))
	add(a.bootstrapSecrets, p.secretARN("*/clusters/*"))
	if a.executions {
		var machines, executions []*string
		for _, sm := range p.machineNames {
			machines = append(machines, p.stateMachineARN(sm))
			executions = append(executions, p.executionARN(sm))
		}
		add([]string{"states:StartExecution"}, machines...)
		add([]string{"states:StopExecution", "states:DescribeExecution"}, executions...)
	}
	add(a.schedules, p.scheduleARN())
	if a.passSchedulerRole {
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("iam:PassRole"),
			Resources:  &[]*string{p.schedulerRole.RoleArn()},
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "scheduler.amazonaws.com"}},
		}))
	}
	if a.customerRoles {
		add([]string{"sts:AssumeRole"}, jsii.String(customerRoleARN))
	}
}

// secretARN is a secret under SECRET_PREFIX; pattern may hold wildcards.
// Secrets Manager appends a random suffix to every ARN, hence the trailing *.
func (p *platform) secretARN(pattern string) *string {
	return p.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("secretsmanager"), Resource: jsii.String("secret"),
		ResourceName: jsii.String(p.secretPrefix() + pattern), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}

// executionARN covers the executions of one state machine: StopExecution
// and DescribeExecution act on executions, not on the state machine.
func (p *platform) executionARN(sm string) *string {
	return p.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("states"), Resource: jsii.String("execution"),
		ResourceName: jsii.String(p.name(sm) + ":*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}
