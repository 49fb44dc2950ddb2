package eks_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

func profile(name string, subnets []string) *awseks.CreateFargateProfileInput {
	return &awseks.CreateFargateProfileInput{ClusterName: aws.String("c"), FargateProfileName: aws.String(name),
		PodExecutionRoleArn: aws.String(podRole), Subnets: subnets, Tags: map[string]string{"p": name},
		Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String(name), Labels: map[string]string{"app": name}}}}
}

// Fargate profiles take private subnets only, and EKS changes one profile
// of a cluster at a time.
func TestFargateProfiles(t *testing.T) {
	e := newEnv(t, 0.001)
	e.activeCluster("c")
	_, err := e.eks.CreateFargateProfile(e.ctx, profile("pub", []string{e.net.private[0], e.net.public[1]}))
	wantCode(t, err, "InvalidParameterException")
	bad := profile("nosel", e.net.private)
	bad.Selectors = nil
	_, err = e.eks.CreateFargateProfile(e.ctx, bad)
	wantCode(t, err, "InvalidParameterException")

	first := must(e.eks.CreateFargateProfile(e.ctx, profile("batch", nil)))(t).FargateProfile
	if first.Status != ekstypes.FargateProfileStatusCreating || !slices.Equal(first.Subnets, e.net.private) {
		t.Fatalf("profile: %s subnets %v, want CREATING on the cluster's private subnets %v", first.Status, first.Subnets, e.net.private)
	}
	_, err = e.eks.CreateFargateProfile(e.ctx, profile("jobs", e.net.private))
	wantCode(t, err, "ResourceInUseException")
	eventually(t, "profile ACTIVE", func() bool {
		out := must(e.eks.DescribeFargateProfile(e.ctx, &awseks.DescribeFargateProfileInput{ClusterName: aws.String("c"), FargateProfileName: aws.String("batch")}))(t)
		return out.FargateProfile.Status == ekstypes.FargateProfileStatusActive
	})
	must(e.eks.CreateFargateProfile(e.ctx, profile("jobs", e.net.private)))(t)
	_, err = e.eks.DeleteFargateProfile(e.ctx, &awseks.DeleteFargateProfileInput{ClusterName: aws.String("c"), FargateProfileName: aws.String("batch")})
	wantCode(t, err, "ResourceInUseException") // jobs is CREATING
	_, err = e.eks.DeleteCluster(e.ctx, &awseks.DeleteClusterInput{Name: aws.String("c")})
	wantCode(t, err, "ResourceInUseException")

	tags := must(e.eks.ListTagsForResource(e.ctx, &awseks.ListTagsForResourceInput{ResourceArn: first.FargateProfileArn}))(t).Tags
	if tags["p"] != "batch" {
		t.Fatalf("profile tags %v", tags)
	}
	list := must(e.eks.ListFargateProfiles(e.ctx, &awseks.ListFargateProfilesInput{ClusterName: aws.String("c")}))(t)
	if !slices.Equal(list.FargateProfileNames, []string{"batch", "jobs"}) {
		t.Fatalf("ListFargateProfiles = %v", list.FargateProfileNames)
	}
	if n := len(e.instances("eks:cluster-name", "c")); n != 0 {
		t.Fatalf("Fargate launched %d EC2 instances", n)
	}
	kinds := map[string]int{}
	for _, r := range e.svc.Inventory() {
		kinds[r.Type]++
	}
	if kinds["ekscluster"] != 1 || kinds["fargateprofile"] != 2 || len(kinds) != 2 {
		t.Fatalf("inventory kinds %v, want 1 cluster and 2 Fargate profiles", kinds)
	}
}
