package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func (e *env) natState(id string) types.NatGateway {
	e.t.Helper()
	out := must(e.ec2.DescribeNatGateways(e.ctx, &awsec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}}))(e.t)
	return out.NatGateways[0]
}

func TestElasticIPQuotaAndAssociation(t *testing.T) {
	e := newEnv(t, 0.001)
	e.svc.SetQuota("", "max-elastic-ips", 2)
	n := e.network("10.0")
	a1 := must(e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc,
		TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "Name", "eip-a")}))(t)
	must(e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))(t)
	_, err := e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	wantCode(t, err, "AddressLimitExceeded")
	attrs := must(e.ec2.DescribeAccountAttributes(e.ctx, &awsec2.DescribeAccountAttributesInput{AttributeNames: []types.AccountAttributeName{"max-elastic-ips"}}))(t)
	if v := aws.ToString(attrs.AccountAttributes[0].AttributeValues[0].AttributeValue); v != "2" {
		t.Fatalf("max-elastic-ips = %s", v)
	}

	eni := must(e.ec2.CreateNetworkInterface(e.ctx, &awsec2.CreateNetworkInterfaceInput{SubnetId: &n.publicSubnet}))(t).NetworkInterface
	assoc := must(e.ec2.AssociateAddress(e.ctx, &awsec2.AssociateAddressInput{AllocationId: a1.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId}))(t)
	got := must(e.ec2.DescribeAddresses(e.ctx, &awsec2.DescribeAddressesInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"eip-*"}}}}))(t).Addresses
	if len(got) != 1 || aws.ToString(got[0].AssociationId) != aws.ToString(assoc.AssociationId) || aws.ToString(got[0].NetworkInterfaceId) != *eni.NetworkInterfaceId {
		t.Fatalf("addresses: %+v", got)
	}
	_, err = e.ec2.ReleaseAddress(e.ctx, &awsec2.ReleaseAddressInput{AllocationId: a1.AllocationId})
	wantCode(t, err, "InvalidIPAddress.InUse")
	_, err = e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: &n.vpcID})
	wantCode(t, err, "DependencyViolation")
	must(e.ec2.DisassociateAddress(e.ctx, &awsec2.DisassociateAddressInput{AssociationId: assoc.AssociationId}))(t)
	must(e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: &n.vpcID}))(t)
	must(e.ec2.ReleaseAddress(e.ctx, &awsec2.ReleaseAddressInput{AllocationId: a1.AllocationId}))(t)
	_, err = e.ec2.ReleaseAddress(e.ctx, &awsec2.ReleaseAddressInput{AllocationId: a1.AllocationId})
	wantCode(t, err, "InvalidAllocationID.NotFound")
}

func TestNATGatewayLifecycle(t *testing.T) {
	e := newEnv(t, 0.002) // available after ~180ms, deleted after ~120ms
	n := e.network("10.0")
	eip := must(e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))(t)
	in := &awsec2.CreateNatGatewayInput{SubnetId: &n.publicSubnet, AllocationId: eip.AllocationId, ClientToken: aws.String("nat-token-1"),
		TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "Name", "nat-a")}
	nat := must(e.ec2.CreateNatGateway(e.ctx, in))(t).NatGateway
	again := must(e.ec2.CreateNatGateway(e.ctx, in))(t).NatGateway
	if *again.NatGatewayId != *nat.NatGatewayId || nat.State != types.NatGatewayStatePending || tagValue(nat.Tags, "Name") != "nat-a" {
		t.Fatalf("create NAT (idempotent, pending, tagged): %+v / %+v", nat, again)
	}
	rt := must(e.ec2.CreateRouteTable(e.ctx, &awsec2.CreateRouteTableInput{VpcId: &n.vpcID}))(t).RouteTable
	must(e.ec2.CreateRoute(e.ctx, &awsec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: nat.NatGatewayId}))(t)

	eventually(t, "NAT available", func() bool { return e.natState(*nat.NatGatewayId).State == types.NatGatewayStateAvailable })
	addr := e.natState(*nat.NatGatewayId).NatGatewayAddresses[0]
	if aws.ToString(addr.PublicIp) != aws.ToString(eip.PublicIp) || addr.NetworkInterfaceId == nil {
		t.Fatalf("NAT address: %+v", addr)
	}
	enis := must(e.ec2.DescribeNetworkInterfaces(e.ctx, &awsec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{
		{Name: aws.String("requester-managed"), Values: []string{"true"}}, {Name: aws.String("subnet-id"), Values: []string{n.publicSubnet}}}}))(t).NetworkInterfaces
	if len(enis) != 1 || enis[0].InterfaceType != "nat_gateway" { // what AWS really returns; the SDK enum says natGateway
		t.Fatalf("NAT ENI: %+v", enis)
	}
	_, err := e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: &n.publicSubnet})
	wantCode(t, err, "DependencyViolation")

	must(e.ec2.DeleteNatGateway(e.ctx, &awsec2.DeleteNatGatewayInput{NatGatewayId: nat.NatGatewayId}))(t)
	if s := e.natState(*nat.NatGatewayId).State; s != types.NatGatewayStateDeleting {
		t.Fatalf("after delete: %s", s)
	}
	eventually(t, "NAT deleted", func() bool { return e.natState(*nat.NatGatewayId).State == types.NatGatewayStateDeleted })
	routes := must(e.ec2.DescribeRouteTables(e.ctx, &awsec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}}))(t).RouteTables[0].Routes
	if routes[1].State != types.RouteStateBlackhole {
		t.Fatalf("route to deleted NAT: %+v", routes[1])
	}
	addrs := must(e.ec2.DescribeAddresses(e.ctx, &awsec2.DescribeAddressesInput{AllocationIds: []string{*eip.AllocationId}}))(t).Addresses
	if addrs[0].AssociationId != nil {
		t.Fatalf("EIP still associated after NAT deletion: %+v", addrs[0])
	}
	must(e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: &n.publicSubnet}))(t)
}

func TestNATGatewayFailures(t *testing.T) {
	e := newEnv(t, 0.001)
	vpc := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}))(t).Vpc
	sn := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.0.0/24"), AvailabilityZone: aws.String("us-east-1a")}))(t).Subnet
	eip := must(e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{}))(t)
	nat := must(e.ec2.CreateNatGateway(e.ctx, &awsec2.CreateNatGatewayInput{SubnetId: sn.SubnetId, AllocationId: eip.AllocationId}))(t).NatGateway
	eventually(t, "NAT failed", func() bool { return e.natState(*nat.NatGatewayId).State == types.NatGatewayStateFailed })
	if got := e.natState(*nat.NatGatewayId); aws.ToString(got.FailureCode) != "Gateway.NotAttached" {
		t.Fatalf("failure: %+v", got)
	}
	// The failed gateway released its ENI: the subnet can go.
	must(e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: sn.SubnetId}))(t)

	e.svc.SetQuota(testRegion, quotaNATGatewaysPerAZ, 0)
	n := e.network("10.1")
	_, err := e.ec2.CreateNatGateway(e.ctx, &awsec2.CreateNatGatewayInput{SubnetId: &n.publicSubnet, AllocationId: eip.AllocationId})
	wantCode(t, err, "NatGatewayLimitExceeded")
	_, err = e.ec2.DescribeNatGateways(e.ctx, &awsec2.DescribeNatGatewaysInput{NatGatewayIds: []string{"nat-0123456789abcdef0"}})
	wantCode(t, err, "NatGatewayNotFound")
}
