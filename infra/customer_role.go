package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

// NewCustomerRoleStack is the template a customer deploys in their own
// account: a role the platform account may assume only with the tenant's
// ExternalId (GET /v1/cloudaccounts/externalid), with the policies of
// shared/cloud/policy — the very documents account validation and the
// cluster preflight check — attached as customer-managed policies.
func NewCustomerRoleStack(scope constructs.Construct, id string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Description: jsii.String("ClusterForge access role: lets the ClusterForge platform account manage Kubernetes clusters in this account"),
		// Customers deploy the plain template with CloudFormation: no CDK
		// bootstrap (and no BootstrapVersion parameter) in their account.
		Synthesizer:        awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
		AnalyticsReporting: jsii.Bool(false),
	})
	platformAccount := awscdk.NewCfnParameter(stack, jsii.String("PlatformAccountId"), &awscdk.CfnParameterProps{
		Type:                  jsii.String("String"),
		Description:           jsii.String("ClusterForge's AWS account id (platformAccountId of GET /v1/cloudaccounts/externalid)"),
		AllowedPattern:        jsii.String(`^\d{12}$`),
		ConstraintDescription: jsii.String("a 12-digit AWS account id"),
	})
	externalID := awscdk.NewCfnParameter(stack, jsii.String("ExternalId"), &awscdk.CfnParameterProps{
		Type:        jsii.String("String"),
		Description: jsii.String("Your tenant's ExternalId (externalId of GET /v1/cloudaccounts/externalid)"),
		MinLength:   jsii.Number(2),
		MaxLength:   jsii.Number(1224),
		// STS's ExternalId alphabet.
		AllowedPattern: jsii.String(`^[\w+=,.@:/-]+$`),
	})
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by ClusterForge to create and delete clusters; trust requires your ExternalId"),
		// The ExternalId condition is what stops another ClusterForge tenant
		// from naming this role (confused deputy).
		AssumedBy: awsiam.NewAccountPrincipal(platformAccount.ValueAsString()).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"sts:ExternalId": externalID.ValueAsString()},
		}),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	for _, doc := range policy.Documents() {
		mp := newManagedPolicy(stack, role, doc.Name)
		suppressPolicyWildcards(mp, doc)
	}
	awscdk.NewCfnOutput(stack, jsii.String("RoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("roleArn for POST /v1/cloudaccounts (type sts)"),
		Value:       role.RoleArn(),
	})
	return stack
}

// newManagedPolicy attaches one embedded document, unchanged, to role.
func newManagedPolicy(stack awscdk.Stack, role awsiam.Role, name string) awsiam.ManagedPolicy {
	raw, err := policy.JSON(name)
	if err != nil {
		panic(err) // embedded at compile time
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(fmt.Sprintf("policy %s: %v", name, err))
	}
	return awsiam.NewManagedPolicy(stack, jsii.String(constructID(name)+"Policy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("ClusterForge " + name + " (shared/cloud/policy/" + name + ".json)"),
		Document:    awsiam.PolicyDocument_FromJson(doc),
		Roles:       &[]awsiam.IRole{role},
	})
}
