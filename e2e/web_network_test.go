package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/local/harness"
)

// webNetwork is a customer VPC for the wizard's static placement pickers:
// a private and a public subnet per example AZ, the public ones routed to
// an internet gateway (that is what makes them public to the API) and
// carrying the discovery tags of cluster so the dry run accepts them.
type webNetwork struct {
	VPCID           string
	Private, Public []string
}

func newWebNetwork(t *testing.T, customer harness.CustomerAccount, cluster string) webNetwork {
	t.Helper()
	ec := ec2.NewFromConfig(customerConfig(t, customer))
	ctx := context.Background()
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.30.0.0/16"), TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("shared-eu")}},
	}}})
	if err != nil {
		t.Fatalf("create VPC: %v", err)
	}
	n := webNetwork{VPCID: aws.ToString(vpc.Vpc.VpcId)}
	igw, err := ec.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatalf("create internet gateway: %v", err)
	}
	igwID := igw.InternetGateway.InternetGatewayId
	if _, err := ec.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igwID, VpcId: aws.String(n.VPCID)}); err != nil {
		t.Fatalf("attach internet gateway: %v", err)
	}
	rt, err := ec.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(n.VPCID)})
	if err != nil {
		t.Fatalf("create route table: %v", err)
	}
	rtID := rt.RouteTable.RouteTableId
	if _, err := ec.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igwID}); err != nil {
		t.Fatalf("create default route: %v", err)
	}
	for i, az := range harness.ExampleAZs[:2] {
		publicTags := map[string]string{
			"Name": "public-" + az[len(az)-1:], "kubernetes.io/role/elb": "1", "sigs.k8s.io/cluster-api-provider-aws/role": "public",
			"kubernetes.io/cluster/" + cluster: "shared", "sigs.k8s.io/cluster-api-provider-aws/cluster/" + cluster: "owned",
		}
		n.Private = append(n.Private, npSubnet(t, ec, n.VPCID, az, fmt.Sprintf("10.30.%d.0/24", i), map[string]string{"Name": "private-" + az[len(az)-1:]}))
		pub := npSubnet(t, ec, n.VPCID, az, fmt.Sprintf("10.30.%d.0/24", 10+i), publicTags)
		if _, err := ec.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rtID, SubnetId: aws.String(pub)}); err != nil {
			t.Fatalf("associate public route table: %v", err)
		}
		n.Public = append(n.Public, pub)
	}
	return n
}
