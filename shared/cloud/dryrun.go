package cloud

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Placeholder identifiers for DryRun probes. They are syntactically valid
// (prefix plus 17 hex digits) so EC2 evaluates the caller's permission
// rather than rejecting the request as malformed; with DryRun set, EC2
// answers DryRunOperation or UnauthorizedOperation before looking them up.
const (
	phVPC      = "vpc-00000000000000000"
	phSubnet   = "subnet-00000000000000000"
	phIGW      = "igw-00000000000000000"
	phRTB      = "rtb-00000000000000000"
	phRTBAssoc = "rtbassoc-00000000000000000"
	phSG       = "sg-00000000000000000"
	phNAT      = "nat-00000000000000000"
	phENI      = "eni-00000000000000000"
	phInstance = "i-00000000000000000"
	phAlloc    = "eipalloc-00000000000000000"
	phEIPAssoc = "eipassoc-00000000000000000"
	phLT       = "lt-00000000000000000"
	phAMI      = "ami-00000000000000000"
	phCIDR     = "10.0.0.0/16"
)

// probe makes one EC2 call with DryRun set.
type probe func(ctx context.Context, c *ec2.Client) error

// dry adapts an EC2 operation (as a method expression) and its input to a
// probe. The input is copied per call because the SDK fills idempotency
// tokens into the caller's struct, and probes run concurrently.
func dry[In, Out any](op func(*ec2.Client, context.Context, *In, ...func(*ec2.Options)) (Out, error), in In) probe {
	return func(ctx context.Context, c *ec2.Client) error {
		input := in
		_, err := op(c, ctx, &input)
		return err
	}
}

var (
	dryRunOn      = aws.Bool(true)
	probeIngress  = []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(6443), ToPort: aws.Int32(6443), IpRanges: []types.IpRange{{CidrIp: aws.String(phCIDR)}}}}
	probeTemplate = &types.RequestLaunchTemplateData{InstanceType: types.InstanceTypeT3Micro}
	probeTags     = []types.Tag{{Key: aws.String("clusterforge.io/preflight"), Value: aws.String("dry-run")}}
)

// ec2Probes maps every EC2 action the service needs that has a DryRun form
// to a probe. Actions whose input has no DryRun parameter
// (ModifyVpcAttribute, ModifySubnetAttribute) are deliberately absent: the
// permission check falls back to IAM policy simulation for them. A test
// asserts every EC2 action of the policy documents is either here or in
// ec2WithoutDryRun.
var ec2Probes = map[string]probe{
	"ec2:AllocateAddress":                   dry((*ec2.Client).AllocateAddress, ec2.AllocateAddressInput{DryRun: dryRunOn, Domain: types.DomainTypeVpc}),
	"ec2:AssociateRouteTable":               dry((*ec2.Client).AssociateRouteTable, ec2.AssociateRouteTableInput{DryRun: dryRunOn, RouteTableId: aws.String(phRTB), SubnetId: aws.String(phSubnet)}),
	"ec2:AttachInternetGateway":             dry((*ec2.Client).AttachInternetGateway, ec2.AttachInternetGatewayInput{DryRun: dryRunOn, InternetGatewayId: aws.String(phIGW), VpcId: aws.String(phVPC)}),
	"ec2:AuthorizeSecurityGroupIngress":     dry((*ec2.Client).AuthorizeSecurityGroupIngress, ec2.AuthorizeSecurityGroupIngressInput{DryRun: dryRunOn, GroupId: aws.String(phSG), IpPermissions: probeIngress}),
	"ec2:CreateInternetGateway":             dry((*ec2.Client).CreateInternetGateway, ec2.CreateInternetGatewayInput{DryRun: dryRunOn}),
	"ec2:CreateLaunchTemplate":              dry((*ec2.Client).CreateLaunchTemplate, ec2.CreateLaunchTemplateInput{DryRun: dryRunOn, LaunchTemplateName: aws.String("clusterforge-preflight"), LaunchTemplateData: probeTemplate}),
	"ec2:CreateLaunchTemplateVersion":       dry((*ec2.Client).CreateLaunchTemplateVersion, ec2.CreateLaunchTemplateVersionInput{DryRun: dryRunOn, LaunchTemplateId: aws.String(phLT), LaunchTemplateData: probeTemplate}),
	"ec2:CreateNatGateway":                  dry((*ec2.Client).CreateNatGateway, ec2.CreateNatGatewayInput{DryRun: dryRunOn, SubnetId: aws.String(phSubnet), AllocationId: aws.String(phAlloc)}),
	"ec2:CreateRoute":                       dry((*ec2.Client).CreateRoute, ec2.CreateRouteInput{DryRun: dryRunOn, RouteTableId: aws.String(phRTB), DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String(phNAT)}),
	"ec2:CreateRouteTable":                  dry((*ec2.Client).CreateRouteTable, ec2.CreateRouteTableInput{DryRun: dryRunOn, VpcId: aws.String(phVPC)}),
	"ec2:CreateSecurityGroup":               dry((*ec2.Client).CreateSecurityGroup, ec2.CreateSecurityGroupInput{DryRun: dryRunOn, GroupName: aws.String("clusterforge-preflight"), Description: aws.String("dry run"), VpcId: aws.String(phVPC)}),
	"ec2:CreateSubnet":                      dry((*ec2.Client).CreateSubnet, ec2.CreateSubnetInput{DryRun: dryRunOn, VpcId: aws.String(phVPC), CidrBlock: aws.String("10.0.0.0/24")}),
	"ec2:CreateTags":                        dry((*ec2.Client).CreateTags, ec2.CreateTagsInput{DryRun: dryRunOn, Resources: []string{phVPC}, Tags: probeTags}),
	"ec2:CreateVpc":                         dry((*ec2.Client).CreateVpc, ec2.CreateVpcInput{DryRun: dryRunOn, CidrBlock: aws.String(phCIDR)}),
	"ec2:DeleteInternetGateway":             dry((*ec2.Client).DeleteInternetGateway, ec2.DeleteInternetGatewayInput{DryRun: dryRunOn, InternetGatewayId: aws.String(phIGW)}),
	"ec2:DeleteLaunchTemplate":              dry((*ec2.Client).DeleteLaunchTemplate, ec2.DeleteLaunchTemplateInput{DryRun: dryRunOn, LaunchTemplateId: aws.String(phLT)}),
	"ec2:DeleteLaunchTemplateVersions":      dry((*ec2.Client).DeleteLaunchTemplateVersions, ec2.DeleteLaunchTemplateVersionsInput{DryRun: dryRunOn, LaunchTemplateId: aws.String(phLT), Versions: []string{"1"}}),
	"ec2:DeleteNatGateway":                  dry((*ec2.Client).DeleteNatGateway, ec2.DeleteNatGatewayInput{DryRun: dryRunOn, NatGatewayId: aws.String(phNAT)}),
	"ec2:DeleteNetworkInterface":            dry((*ec2.Client).DeleteNetworkInterface, ec2.DeleteNetworkInterfaceInput{DryRun: dryRunOn, NetworkInterfaceId: aws.String(phENI)}),
	"ec2:DeleteRouteTable":                  dry((*ec2.Client).DeleteRouteTable, ec2.DeleteRouteTableInput{DryRun: dryRunOn, RouteTableId: aws.String(phRTB)}),
	"ec2:DeleteSecurityGroup":               dry((*ec2.Client).DeleteSecurityGroup, ec2.DeleteSecurityGroupInput{DryRun: dryRunOn, GroupId: aws.String(phSG)}),
	"ec2:DeleteSubnet":                      dry((*ec2.Client).DeleteSubnet, ec2.DeleteSubnetInput{DryRun: dryRunOn, SubnetId: aws.String(phSubnet)}),
	"ec2:DeleteTags":                        dry((*ec2.Client).DeleteTags, ec2.DeleteTagsInput{DryRun: dryRunOn, Resources: []string{phVPC}, Tags: probeTags}),
	"ec2:DeleteVpc":                         dry((*ec2.Client).DeleteVpc, ec2.DeleteVpcInput{DryRun: dryRunOn, VpcId: aws.String(phVPC)}),
	"ec2:DescribeAccountAttributes":         dry((*ec2.Client).DescribeAccountAttributes, ec2.DescribeAccountAttributesInput{DryRun: dryRunOn}),
	"ec2:DescribeAddresses":                 dry((*ec2.Client).DescribeAddresses, ec2.DescribeAddressesInput{DryRun: dryRunOn}),
	"ec2:DescribeAvailabilityZones":         dry((*ec2.Client).DescribeAvailabilityZones, ec2.DescribeAvailabilityZonesInput{DryRun: dryRunOn}),
	"ec2:DescribeImages":                    dry((*ec2.Client).DescribeImages, ec2.DescribeImagesInput{DryRun: dryRunOn, ImageIds: []string{phAMI}}),
	"ec2:DescribeInstanceTypeOfferings":     dry((*ec2.Client).DescribeInstanceTypeOfferings, ec2.DescribeInstanceTypeOfferingsInput{DryRun: dryRunOn}),
	"ec2:DescribeInstanceTypes":             dry((*ec2.Client).DescribeInstanceTypes, ec2.DescribeInstanceTypesInput{DryRun: dryRunOn}),
	"ec2:DescribeInstances":                 dry((*ec2.Client).DescribeInstances, ec2.DescribeInstancesInput{DryRun: dryRunOn}),
	"ec2:DescribeInternetGateways":          dry((*ec2.Client).DescribeInternetGateways, ec2.DescribeInternetGatewaysInput{DryRun: dryRunOn}),
	"ec2:DescribeKeyPairs":                  dry((*ec2.Client).DescribeKeyPairs, ec2.DescribeKeyPairsInput{DryRun: dryRunOn}),
	"ec2:DescribeLaunchTemplateVersions":    dry((*ec2.Client).DescribeLaunchTemplateVersions, ec2.DescribeLaunchTemplateVersionsInput{DryRun: dryRunOn, LaunchTemplateId: aws.String(phLT)}),
	"ec2:DescribeLaunchTemplates":           dry((*ec2.Client).DescribeLaunchTemplates, ec2.DescribeLaunchTemplatesInput{DryRun: dryRunOn}),
	"ec2:DescribeNatGateways":               dry((*ec2.Client).DescribeNatGateways, ec2.DescribeNatGatewaysInput{DryRun: dryRunOn}),
	"ec2:DescribeNetworkInterfaceAttribute": dry((*ec2.Client).DescribeNetworkInterfaceAttribute, ec2.DescribeNetworkInterfaceAttributeInput{DryRun: dryRunOn, NetworkInterfaceId: aws.String(phENI), Attribute: types.NetworkInterfaceAttributeGroupSet}),
	"ec2:DescribeNetworkInterfaces":         dry((*ec2.Client).DescribeNetworkInterfaces, ec2.DescribeNetworkInterfacesInput{DryRun: dryRunOn}),
	"ec2:DescribeRouteTables":               dry((*ec2.Client).DescribeRouteTables, ec2.DescribeRouteTablesInput{DryRun: dryRunOn}),
	"ec2:DescribeSecurityGroups":            dry((*ec2.Client).DescribeSecurityGroups, ec2.DescribeSecurityGroupsInput{DryRun: dryRunOn}),
	"ec2:DescribeSpotPriceHistory":          dry((*ec2.Client).DescribeSpotPriceHistory, ec2.DescribeSpotPriceHistoryInput{DryRun: dryRunOn, InstanceTypes: []types.InstanceType{types.InstanceTypeM5Large}}),
	"ec2:DescribeSubnets":                   dry((*ec2.Client).DescribeSubnets, ec2.DescribeSubnetsInput{DryRun: dryRunOn}),
	"ec2:DescribeVolumes":                   dry((*ec2.Client).DescribeVolumes, ec2.DescribeVolumesInput{DryRun: dryRunOn}),
	"ec2:DescribeVpcAttribute":              dry((*ec2.Client).DescribeVpcAttribute, ec2.DescribeVpcAttributeInput{DryRun: dryRunOn, VpcId: aws.String(phVPC), Attribute: types.VpcAttributeNameEnableDnsSupport}),
	"ec2:DescribeVpcs":                      dry((*ec2.Client).DescribeVpcs, ec2.DescribeVpcsInput{DryRun: dryRunOn}),
	"ec2:DetachInternetGateway":             dry((*ec2.Client).DetachInternetGateway, ec2.DetachInternetGatewayInput{DryRun: dryRunOn, InternetGatewayId: aws.String(phIGW), VpcId: aws.String(phVPC)}),
	"ec2:DisassociateAddress":               dry((*ec2.Client).DisassociateAddress, ec2.DisassociateAddressInput{DryRun: dryRunOn, AssociationId: aws.String(phEIPAssoc)}),
	"ec2:DisassociateRouteTable":            dry((*ec2.Client).DisassociateRouteTable, ec2.DisassociateRouteTableInput{DryRun: dryRunOn, AssociationId: aws.String(phRTBAssoc)}),
	"ec2:ModifyInstanceAttribute":           dry((*ec2.Client).ModifyInstanceAttribute, ec2.ModifyInstanceAttributeInput{DryRun: dryRunOn, InstanceId: aws.String(phInstance), SourceDestCheck: &types.AttributeBooleanValue{Value: dryRunOn}}),
	"ec2:ModifyNetworkInterfaceAttribute":   dry((*ec2.Client).ModifyNetworkInterfaceAttribute, ec2.ModifyNetworkInterfaceAttributeInput{DryRun: dryRunOn, NetworkInterfaceId: aws.String(phENI), SourceDestCheck: &types.AttributeBooleanValue{Value: dryRunOn}}),
	"ec2:ReleaseAddress":                    dry((*ec2.Client).ReleaseAddress, ec2.ReleaseAddressInput{DryRun: dryRunOn, AllocationId: aws.String(phAlloc)}),
	"ec2:RevokeSecurityGroupIngress":        dry((*ec2.Client).RevokeSecurityGroupIngress, ec2.RevokeSecurityGroupIngressInput{DryRun: dryRunOn, GroupId: aws.String(phSG), IpPermissions: probeIngress}),
	"ec2:RunInstances":                      dry((*ec2.Client).RunInstances, ec2.RunInstancesInput{DryRun: dryRunOn, ImageId: aws.String(phAMI), InstanceType: types.InstanceTypeT3Micro, SubnetId: aws.String(phSubnet), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}),
	"ec2:TerminateInstances":                dry((*ec2.Client).TerminateInstances, ec2.TerminateInstancesInput{DryRun: dryRunOn, InstanceIds: []string{phInstance}}),
}

// ec2WithoutDryRun are EC2 actions of the policy documents whose API takes
// no DryRun parameter; they are checked by policy simulation.
var ec2WithoutDryRun = map[string]bool{
	"ec2:ModifyVpcAttribute":    true,
	"ec2:ModifySubnetAttribute": true,
}
