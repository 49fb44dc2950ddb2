package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type vpcAPI interface {
	CreateVpc(context.Context, *ec2.CreateVpcInput, ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error)
	DescribeVpcAttribute(context.Context, *ec2.DescribeVpcAttributeInput, ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error)
	ModifyVpcAttribute(context.Context, *ec2.ModifyVpcAttributeInput, ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error)
	DeleteVpc(context.Context, *ec2.DeleteVpcInput, ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error)
}

// ReconcileVPC makes sure the cluster's VPC exists with the plan's CIDR and
// DNS support and hostnames on (nodes register under their private DNS
// names, and the API load balancer's name must resolve inside the VPC).
func (s *NetworkService) ReconcileVPC(ctx context.Context) (string, error) {
	if err := s.requireDynamic("reconcile VPC"); err != nil {
		return "", err
	}
	planned, err := s.planned(domain.KeyVPC)
	if err != nil {
		return "", err
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return "", err
	}
	vpc, err := s.findVPC(ctx)
	if err != nil {
		return "", err
	}
	if vpc == nil {
		out, err := s.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{
			CidrBlock:         aws.String(planned.CIDR),
			TagSpecifications: s.tagSpec(types.ResourceTypeVpc, domain.KeyVPC),
		}, sendOnce)
		if err != nil {
			return "", fmt.Errorf("create VPC %s: %w", planned.CIDR, err)
		}
		vpc = out.Vpc
	}
	id := aws.ToString(vpc.VpcId)
	if err := s.record(ctx, idx, ledgerEntry(domain.ResVPC, domain.KeyVPC, id, "", "available")); err != nil {
		return "", err
	}
	// Support before hostnames: AWS refuses hostnames without support.
	for _, attr := range []types.VpcAttributeName{types.VpcAttributeNameEnableDnsSupport, types.VpcAttributeNameEnableDnsHostnames} {
		if err := s.enableVPCAttribute(ctx, id, attr); err != nil {
			return "", err
		}
	}
	return id, nil
}

// enableVPCAttribute turns one DNS attribute on unless it already is (AWS
// takes one attribute per ModifyVpcAttribute call).
func (s *NetworkService) enableVPCAttribute(ctx context.Context, vpcID string, attr types.VpcAttributeName) error {
	cur, err := s.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpcID), Attribute: attr})
	if err != nil {
		return fmt.Errorf("describe %s of VPC %s: %w", attr, vpcID, err)
	}
	on := &types.AttributeBooleanValue{Value: aws.Bool(true)}
	in := &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpcID)}
	switch attr {
	case types.VpcAttributeNameEnableDnsSupport:
		if cur.EnableDnsSupport != nil && aws.ToBool(cur.EnableDnsSupport.Value) {
			return nil
		}
		in.EnableDnsSupport = on
	default:
		if cur.EnableDnsHostnames != nil && aws.ToBool(cur.EnableDnsHostnames.Value) {
			return nil
		}
		in.EnableDnsHostnames = on
	}
	if _, err := s.ec2.ModifyVpcAttribute(ctx, in); err != nil {
		return fmt.Errorf("enable %s on VPC %s: %w", attr, vpcID, err)
	}
	return nil
}

// findVPC returns the cluster's VPC, or nil.
func (s *NetworkService) findVPC(ctx context.Context) (*types.Vpc, error) {
	vpcs, err := describeVPCs(ctx, s.ec2, s.ownedFilters(domain.KeyVPC))
	if err != nil {
		return nil, fmt.Errorf("look up the VPC of cluster %s: %w", s.scope.ClusterID, err)
	}
	if v, ok := byResourceKey(vpcs, vpcTags, nil)[domain.KeyVPC]; ok {
		return &v, nil
	}
	return nil, nil
}

func describeVPCs(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.Vpc, error) {
	return drain(ctx, ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{Filters: filters}),
		func(o *ec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
}

func vpcTags(v types.Vpc) []types.Tag { return v.Tags }
func vpcIDOf(v types.Vpc) *string     { return v.VpcId }

// DeleteVPC deletes the cluster's VPC, last: AWS refuses while anything is
// left in it (DependencyViolation, retried by the state machine). Its main
// route table and default security group go with it.
func (s *NetworkService) DeleteVPC(ctx context.Context) error {
	idx, targets, err := findDeleteTargets(ctx, s, domain.ResVPC, "VPCs", describeVPCs, vpcIDOf, vpcTags)
	if err != nil {
		return err
	}
	return s.deleteEach(ctx, idx, domain.ResVPC, targets, func(ctx context.Context, t deleteTarget) error {
		_, err := s.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(t.id)})
		return err
	})
}

// discover runs a tag scan for deletion, skipped with static placement
// (deleteTargets would ignore its result anyway).
func (s *NetworkService) discover(ctx context.Context, scan func(context.Context) ([]deleteTarget, error)) ([]deleteTarget, error) {
	if s.static() {
		return nil, nil
	}
	return scan(ctx)
}
