package cloud

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// fakeSubnets answers DescribeSubnets' subnet-id filter from a fixed list.
type fakeSubnets []types.Subnet

func (f fakeSubnets) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	out := &ec2.DescribeSubnetsOutput{}
	for _, sn := range f {
		for _, id := range in.Filters[0].Values {
			if id == aws.ToString(sn.SubnetId) {
				out.Subnets = append(out.Subnets, sn)
			}
		}
	}
	return out, nil
}

func subnet(id, vpc, az string, tags ...types.Tag) types.Subnet {
	return types.Subnet{SubnetId: aws.String(id), VpcId: aws.String(vpc), AvailabilityZone: aws.String(az), Tags: tags}
}

func TestCheckStaticSubnets(t *testing.T) {
	tags := PublicSubnetTags("prod")
	api := fakeSubnets{
		subnet("subnet-a", "vpc-1", "eu-west-1a"),
		subnet("subnet-b", "vpc-1", "eu-west-1b"),
		subnet("subnet-other", "vpc-2", "eu-west-1a"),
		subnet("subnet-c", "vpc-1", "eu-west-1c"),
		subnet("subnet-pub", "vpc-1", "eu-west-1a", tags...),
		subnet("subnet-half", "vpc-1", "eu-west-1b", tags[0], tags[2]),
	}
	p := domain.Placement{Type: domain.PlacementStatic, VPCID: "vpc-1", AZs: []string{"eu-west-1a", "eu-west-1b"},
		ControlPlaneSubnetIDs: []string{"subnet-a", "subnet-b"}, WorkerSubnetIDs: []string{"subnet-other", "subnet-c", "subnet-gone"},
		PublicSubnetIDs: []string{"subnet-pub", "subnet-half"}}
	errs, err := CheckStaticSubnets(context.Background(), api, "prod", p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range errs {
		got[e.Field] += e.Message + ";"
	}
	want := map[string][]string{
		"placement.workerSubnetIds[0]": {"vpc-2"},
		"placement.workerSubnetIds[1]": {"eu-west-1c", "not one of placement.azs"},
		"placement.workerSubnetIds[2]": {"subnet-gone does not exist"},
		"placement.workerSubnetIds":    {"no subnet in eu-west-1b"},
		"placement.publicSubnetIds[1]": {"sigs.k8s.io/cluster-api-provider-aws/role=public", "sigs.k8s.io/cluster-api-provider-aws/cluster/prod=owned"},
	}
	for field, parts := range want {
		for _, part := range parts {
			if !strings.Contains(got[field], part) {
				t.Errorf("%s: %q does not say %q", field, got[field], part)
			}
		}
	}
	if strings.Contains(got["placement.publicSubnetIds[1]"], "kubernetes.io/role/elb") {
		t.Errorf("a tag the subnet has is reported missing: %s", got["placement.publicSubnetIds[1]"])
	}
	if len(got) != len(want) {
		t.Errorf("errors %v, want only fields %v", got, want)
	}
}
