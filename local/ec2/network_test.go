package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestVPCSubnetsAndDependencies(t *testing.T) {
	e := newEnv(t, 0.001)
	vpc := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: tagSpec(types.ResourceTypeVpc, "Name", "c1", "kubernetes.io/cluster/c1", "owned")}))(t).Vpc
	if tagValue(vpc.Tags, "Name") != "c1" || aws.ToString(vpc.CidrBlock) != "10.0.0.0/16" {
		t.Fatalf("vpc not tagged at creation: %+v", vpc)
	}
	must(e.ec2.ModifyVpcAttribute(e.ctx, &awsec2.ModifyVpcAttributeInput{VpcId: vpc.VpcId, EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))(t)
	attr := must(e.ec2.DescribeVpcAttribute(e.ctx, &awsec2.DescribeVpcAttributeInput{VpcId: vpc.VpcId, Attribute: types.VpcAttributeNameEnableDnsHostnames}))(t)
	if !aws.ToBool(attr.EnableDnsHostnames.Value) {
		t.Fatal("enableDnsHostnames not kept")
	}

	_, err := e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.1.0.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	wantCode(t, err, "InvalidSubnet.Range")
	sn := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.0.0/24"), AvailabilityZone: aws.String("us-east-1a")}))(t).Subnet
	if aws.ToInt32(sn.AvailableIpAddressCount) != 251 || aws.ToString(sn.AvailabilityZoneId) != "use1-aza" {
		t.Fatalf("subnet: %+v", sn)
	}
	_, err = e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.0.128/25"), AvailabilityZone: aws.String("us-east-1a")})
	wantCode(t, err, "InvalidSubnet.Conflict")
	_, err = e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.9.0/24"), AvailabilityZone: aws.String("us-east-1z")})
	wantCode(t, err, "InvalidParameterValue")

	// Main route table and default security group come with the VPC.
	rts := must(e.ec2.DescribeRouteTables(e.ctx, &awsec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{*vpc.VpcId}}, {Name: aws.String("association.main"), Values: []string{"true"}}}}))(t).RouteTables
	if len(rts) != 1 || aws.ToString(rts[0].Routes[0].GatewayId) != "local" {
		t.Fatalf("main route table: %+v", rts)
	}
	_, err = e.ec2.DeleteRouteTable(e.ctx, &awsec2.DeleteRouteTableInput{RouteTableId: rts[0].RouteTableId})
	wantCode(t, err, "DependencyViolation")
	sgs := must(e.ec2.DescribeSecurityGroups(e.ctx, &awsec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{*vpc.VpcId}}, {Name: aws.String("group-name"), Values: []string{"default"}}}}))(t).SecurityGroups
	if len(sgs) != 1 {
		t.Fatalf("default security group: %+v", sgs)
	}

	_, err = e.ec2.DeleteVpc(e.ctx, &awsec2.DeleteVpcInput{VpcId: vpc.VpcId})
	wantCode(t, err, "DependencyViolation")
	must(e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: sn.SubnetId}))(t)
	must(e.ec2.DeleteVpc(e.ctx, &awsec2.DeleteVpcInput{VpcId: vpc.VpcId}))(t)
	_, err = e.ec2.DescribeVpcs(e.ctx, &awsec2.DescribeVpcsInput{VpcIds: []string{*vpc.VpcId}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	if inv := e.svc.Inventory(); len(inv) != 0 {
		t.Fatalf("resources leaked after DeleteVpc: %+v", inv)
	}
}

func TestVPCQuota(t *testing.T) {
	e := newEnv(t, 0.001)
	e.svc.SetQuota(testRegion, quotaVPCsPerRegion, 1)
	must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}))(t)
	_, err := e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	wantCode(t, err, "VpcLimitExceeded")
}

func TestInternetGatewayAndRoutes(t *testing.T) {
	e := newEnv(t, 0.001)
	n := e.network("10.0")
	vpc2 := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")}))(t).Vpc
	_, err := e.ec2.AttachInternetGateway(e.ctx, &awsec2.AttachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: vpc2.VpcId})
	wantCode(t, err, "Resource.AlreadyAssociated")
	_, err = e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: vpc2.VpcId})
	wantCode(t, err, "Gateway.NotAttached")
	_, err = e.ec2.DeleteInternetGateway(e.ctx, &awsec2.DeleteInternetGatewayInput{InternetGatewayId: &n.igwID})
	wantCode(t, err, "DependencyViolation")

	rt := must(e.ec2.CreateRouteTable(e.ctx, &awsec2.CreateRouteTableInput{VpcId: &n.vpcID}))(t).RouteTable
	must(e.ec2.CreateRoute(e.ctx, &awsec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &n.igwID}))(t)
	_, err = e.ec2.CreateRoute(e.ctx, &awsec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &n.igwID})
	wantCode(t, err, "RouteAlreadyExists")
	assoc := must(e.ec2.AssociateRouteTable(e.ctx, &awsec2.AssociateRouteTableInput{RouteTableId: rt.RouteTableId, SubnetId: &n.publicSubnet}))(t)
	_, err = e.ec2.DeleteRouteTable(e.ctx, &awsec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId})
	wantCode(t, err, "DependencyViolation")
	got := must(e.ec2.DescribeRouteTables(e.ctx, &awsec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{n.publicSubnet}}}}))(t).RouteTables
	if len(got) != 1 || len(got[0].Routes) != 2 || got[0].Routes[1].State != types.RouteStateActive {
		t.Fatalf("public route table: %+v", got)
	}
	_, err = e.ec2.DeleteVpc(e.ctx, &awsec2.DeleteVpcInput{VpcId: &n.vpcID})
	wantCode(t, err, "DependencyViolation")

	// Detaching the gateway turns its route into a blackhole.
	must(e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: &n.vpcID}))(t)
	got = must(e.ec2.DescribeRouteTables(e.ctx, &awsec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}}))(t).RouteTables
	if got[0].Routes[1].State != types.RouteStateBlackhole {
		t.Fatalf("route to detached gateway: %+v", got[0].Routes[1])
	}
	must(e.ec2.DisassociateRouteTable(e.ctx, &awsec2.DisassociateRouteTableInput{AssociationId: assoc.AssociationId}))(t)
	must(e.ec2.DeleteRoute(e.ctx, &awsec2.DeleteRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0")}))(t)
	must(e.ec2.DeleteRouteTable(e.ctx, &awsec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId}))(t)
	must(e.ec2.DeleteInternetGateway(e.ctx, &awsec2.DeleteInternetGatewayInput{InternetGatewayId: &n.igwID}))(t)
}

func TestSecurityGroups(t *testing.T) {
	e := newEnv(t, 0.001)
	n := e.network("10.0")
	lb := must(e.ec2.CreateSecurityGroup(e.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String("lb"), Description: aws.String("api lb"), VpcId: &n.vpcID}))(t)
	_, err := e.ec2.CreateSecurityGroup(e.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String("lb"), Description: aws.String("again"), VpcId: &n.vpcID})
	wantCode(t, err, "InvalidGroup.Duplicate")
	cp := must(e.ec2.CreateSecurityGroup(e.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String("cp"), Description: aws.String("control plane"), VpcId: &n.vpcID}))(t)
	perm := []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(6443), ToPort: aws.Int32(6443),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: lb.GroupId}}, IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/16")}}}}
	must(e.ec2.AuthorizeSecurityGroupIngress(e.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: cp.GroupId, IpPermissions: perm}))(t)
	_, err = e.ec2.AuthorizeSecurityGroupIngress(e.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: cp.GroupId, IpPermissions: perm})
	wantCode(t, err, "InvalidPermission.Duplicate")
	got := must(e.ec2.DescribeSecurityGroups(e.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{*cp.GroupId}}))(t).SecurityGroups[0]
	if len(got.IpPermissions) != 1 || len(got.IpPermissions[0].UserIdGroupPairs) != 1 || len(got.IpPermissions[0].IpRanges) != 1 || len(got.IpPermissionsEgress) != 1 {
		t.Fatalf("rules: %+v", got)
	}
	_, err = e.ec2.DeleteSecurityGroup(e.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: lb.GroupId})
	wantCode(t, err, "DependencyViolation")
	must(e.ec2.RevokeSecurityGroupIngress(e.ctx, &awsec2.RevokeSecurityGroupIngressInput{GroupId: cp.GroupId, IpPermissions: perm}))(t)
	_, err = e.ec2.RevokeSecurityGroupIngress(e.ctx, &awsec2.RevokeSecurityGroupIngressInput{GroupId: cp.GroupId, IpPermissions: perm})
	wantCode(t, err, "InvalidPermission.NotFound")
	must(e.ec2.DeleteSecurityGroup(e.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: lb.GroupId}))(t)

	// An ENI using the group blocks its deletion, and the ENI's subnet too.
	eni := must(e.ec2.CreateNetworkInterface(e.ctx, &awsec2.CreateNetworkInterfaceInput{SubnetId: &n.privateSubnet, Groups: []string{*cp.GroupId}}))(t).NetworkInterface
	_, err = e.ec2.DeleteSecurityGroup(e.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: cp.GroupId})
	wantCode(t, err, "DependencyViolation")
	_, err = e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: &n.privateSubnet})
	wantCode(t, err, "DependencyViolation")
	must(e.ec2.DeleteNetworkInterface(e.ctx, &awsec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterfaceId}))(t)
	_, err = e.ec2.DeleteNetworkInterface(e.ctx, &awsec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterfaceId})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	must(e.ec2.DeleteSecurityGroup(e.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: cp.GroupId}))(t)
}
