package router_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The IAM calls the EKS workflows make: a tagged role, the AWS managed EKS
// policies attached, listed and detached, and DeleteRole refused while any
// is attached, as IAM does.
func TestIAMRoleWithAWSManagedEKSPolicies(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	client := iam.NewFromConfig(c.admin(c.customer))
	name := uniqueName(t, "node")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
		Tags: []iamtypes.Tag{{Key: aws.String("clusterforge.io/cluster-id"), Value: aws.String("c-1")}}})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}); err != nil {
		t.Fatalf("TagRole: %v", err)
	}
	got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil || len(got.Role.Tags) != 2 {
		t.Fatalf("GetRole tags: %+v, %v", got, err)
	}
	tags, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "clusterforge.io/cluster-id" || aws.ToString(tags.Tags[0].Value) != "c-1" {
		t.Fatalf("ListRoleTags: %+v, %v", tags, err)
	}

	policies := []string{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
		"arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"}
	for _, p := range policies {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}); err != nil {
			t.Fatalf("AttachRolePolicy %s: %v", p, err)
		}
	}
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListAttachedRolePolicies: %v", err)
	}
	var arns []string
	for _, p := range attached.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	if !slices.Equal(arns, policies) || aws.ToString(attached.AttachedPolicies[1].PolicyName) != "AmazonEKSWorkerNodePolicy" {
		t.Fatalf("attached %v, want %v", arns, policies)
	}
	_, err = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	apiError(t, err, "DeleteConflict")

	for _, p := range policies {
		if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}); err != nil {
			t.Fatalf("DetachRolePolicy %s: %v", p, err)
		}
	}
	_, err = client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(policies[0])})
	apiError(t, err, "NoSuchEntity")
	if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		t.Fatalf("DeleteRole after detaching: %v", err)
	}
	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	apiError(t, err, "NoSuchEntity")
	_, err = client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	apiError(t, err, "NoSuchEntity")
}
