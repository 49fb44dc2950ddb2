package main

import (
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

// applyNag runs cdk-nag's AwsSolutions pack over every stack at synth: a
// finding is an error annotation (synth output and the tests show it) and a
// line of cdk.out/AwsSolutions-<stack>-NagReport.csv.
func applyNag(app awscdk.App) {
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Verbose: jsii.Bool(true),
		Reports: jsii.Bool(true),
	}), nil)
}

// suppress records why a rule does not apply to one construct (and its
// children); appliesTo narrows it to the listed findings, e.g. one
// wildcard resource, so any other wildcard is still reported.
func suppress(construct any, rule, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		list := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			list[i] = a
		}
		s.AppliesTo = &list
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// customerPolicyReasons says, per embedded document, why its wildcard
// resources stay: the documents are the product page's policy verbatim
// plus the extras, and validation checks exactly them.
var customerPolicyReasons = map[string]string{
	policy.Controller: "Palette's controller policy (reference/palette-aws.md) verbatim: the EC2, ELB and Auto Scaling " +
		"Describe*/Create* actions have no resource-level permissions or create resources whose ids do not exist yet; " +
		"the IAM, Auto Scaling, Secrets Manager and SSM ARNs are already narrowed to CAPA's names and service-linked roles",
	policy.ControllerEKS: "Palette's EKS controller statements verbatim: EKS create/list/describe calls and OIDC providers have no " +
		"resource-level permissions before the cluster exists; IAM role ARNs are the cluster and node roles EKS clusters get",
	policy.EKSExtras: "ClusterForge's EKS additions (shared/cloud/policy/README.md): listing a cluster's node groups and " +
		"Fargate profiles, on EKS cluster ARNs whose names are the customers' cluster names",
	policy.Extras: "ClusterForge's additions (shared/cloud/policy/README.md): ELBv2 target group/listener creation, " +
		"EC2 catalog and spot price reads, Service Quotas, iam:SimulatePrincipalPolicy and sts:GetCallerIdentity " +
		"have no resource-level permissions (or act on resources that do not exist yet)",
}

// suppressPolicyWildcards lists each wildcard resource of doc in appliesTo,
// so cdk-nag still flags any wildcard that is not in the document.
func suppressPolicyWildcards(mp awsiam.ManagedPolicy, doc policy.Document) {
	seen := map[string]bool{}
	var applies []string
	for _, s := range doc.Statement {
		for _, r := range s.Resource {
			if strings.Contains(r, "*") && !seen[r] {
				seen[r] = true
				applies = append(applies, "Resource::"+r)
			}
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") && !seen[a] {
				seen[a] = true
				applies = append(applies, "Action::"+a)
			}
		}
	}
	if len(applies) == 0 {
		return
	}
	sort.Strings(applies)
	suppress(mp, "AwsSolutions-IAM5", customerPolicyReasons[doc.Name], applies...)
}

// nagARN is how cdk-nag prints an ARN built by platform's FormatArn calls
// (the stack is environment-agnostic, so partition, region and account are
// pseudo parameters).
func nagARN(service, resource string) string {
	return "Resource::arn:<AWS::Partition>:" + service + ":<AWS::Region>:<AWS::AccountId>:" + resource
}

// suppressFunctionRole explains each wildcard one function's role holds,
// listing exactly the findings its access entry produces.
func suppressFunctionRole(p *platform, name string, role awsiam.Role, a access) {
	tableID := *p.stack.GetLogicalId(p.table.Node().DefaultChild().(awscdk.CfnElement))
	suppress(role, "AwsSolutions-IAM5", name+": X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no "+
		"resource-level permissions", "Resource::*")
	suppress(role, "AwsSolutions-IAM5", name+": queries the table's GSI1 (tenant-wide listings); the index ARN "+
		"pattern is the table's own indexes", "Resource::<"+tableID+".Arn>/index/*")
	suppress(role, "AwsSolutions-IAM5", name+": uses the table's customer-managed key through DynamoDB; "+
		"GenerateDataKey*/ReEncrypt* are scoped to that one key", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*")
	prefix := p.secretPrefix()
	if len(a.secrets) > 0 {
		suppress(role, "AwsSolutions-IAM5", name+": customers' access-key secrets are named "+prefix+
			"<tenant>/<account id> at registration and get a random ARN suffix; only the service's prefix is granted",
			nagARN("secretsmanager", "secret:"+prefix+"*"))
	}
	if len(a.bootstrapSecrets) > 0 {
		suppress(role, "AwsSolutions-IAM5", name+": kubeadm bootstrap secrets are created per cluster as "+prefix+
			"<tenant>/clusters/<id>/bootstrap; the grant is limited to that path shape",
			nagARN("secretsmanager", "secret:"+prefix+"*/clusters/*"))
	}
	if a.executions {
		var applies []string
		for _, sm := range p.machineNames {
			applies = append(applies, nagARN("states", "execution:"+p.name(sm)+":*"))
		}
		suppress(role, "AwsSolutions-IAM5", name+": stops and describes executions it started; execution names "+
			"are per cluster operation, so only the state machines' own execution ARNs are granted", applies...)
	}
	if len(a.schedules) > 0 {
		suppress(role, "AwsSolutions-IAM5", name+": one-time force-delete schedules are named per cluster deletion "+
			"inside the "+p.scheduleGroupName()+" group; the grant is that group only",
			nagARN("scheduler", "schedule/"+p.scheduleGroupName()+"/*"))
	}
	if a.customerRoles {
		suppress(role, "AwsSolutions-IAM5", name+": assumes the role each customer registers (any account, any "+
			"name); the customer's trust policy and the tenant's ExternalId are what restrict it",
			"Resource::"+customerRoleARN)
	}
}

// suppressStateMachineRole explains the state machine role's wildcards,
// which CDK adds for logging and tracing.
func suppressStateMachineRole(sm awsstepfunctions.StateMachine, name string) {
	suppress(sm, "AwsSolutions-IAM5", name+": CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, …) "+
		"and X-Ray tracing actions have no resource-level permissions", "Resource::*")
}
