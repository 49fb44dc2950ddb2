package router_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestSimulatePrincipalPolicyAndPolicyVersions(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(c.admin(c.customer))
	role := uniqueName(t, "r")
	roleARN := c.createRole(role, "ext", denyDoc("ec2:TerminateInstances"))

	doc := allowDoc("ec2:*", "iam:Get*")
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(uniqueName(t, "p")), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	policyARN := aws.ToString(pol.Policy.Arn)
	if policyARN != "arn:aws:iam::"+customerID+":policy/"+uniqueName(t, "p") {
		t.Fatalf("policy ARN = %s", policyARN)
	}
	if _, err := admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policyARN)}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}

	version, err := admin.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatalf("GetPolicyVersion: %v", err)
	}
	got, err := url.QueryUnescape(aws.ToString(version.PolicyVersion.Document))
	if err != nil || got != doc {
		t.Fatalf("GetPolicyVersion document = %q (%v), want %q", got, err, doc)
	}

	sim, err := admin.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN),
		ActionNames:     []string{"ec2:RunInstances", "ec2:TerminateInstances", "dynamodb:GetItem", "IAM:GetRole"},
	})
	if err != nil {
		t.Fatalf("SimulatePrincipalPolicy: %v", err)
	}
	want := []string{"allowed", "explicitDeny", "implicitDeny", "allowed"}
	if len(sim.EvaluationResults) != len(want) {
		t.Fatalf("%d results, want %d", len(sim.EvaluationResults), len(want))
	}
	for i, r := range sim.EvaluationResults {
		if string(r.EvalDecision) != want[i] {
			t.Errorf("%s: %s, want %s", aws.ToString(r.EvalActionName), r.EvalDecision, want[i])
		}
	}

	// A new default version changes what the role may do.
	if _, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN),
		PolicyDocument: aws.String(allowDoc("iam:Get*")), SetAsDefault: true}); err != nil {
		t.Fatalf("CreatePolicyVersion: %v", err)
	}
	sim, err = admin.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN), ActionNames: []string{"ec2:RunInstances"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := sim.EvaluationResults[0].EvalDecision; d != "implicitDeny" {
		t.Fatalf("after the v2 default, ec2:RunInstances is %s, want implicitDeny", d)
	}
}
