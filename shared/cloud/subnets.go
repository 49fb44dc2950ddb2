package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type subnetAPI interface {
	CreateSubnet(context.Context, *ec2.CreateSubnetInput, ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error)
	ModifySubnetAttribute(context.Context, *ec2.ModifySubnetAttributeInput, ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error)
	DeleteSubnet(context.Context, *ec2.DeleteSubnetInput, ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error)
}

// ReconcileSubnets makes sure the AZ's public and private subnets exist with
// the plan's CIDRs and role tags (the cloud controller places load
// balancers by kubernetes.io/role/elb and internal-elb). Public subnets map
// public IPs on launch, for the bastion.
func (s *NetworkService) ReconcileSubnets(ctx context.Context, az string) error {
	if err := s.requireDynamic("reconcile subnets"); err != nil {
		return err
	}
	vpcID, err := s.vpcID(ctx)
	if err != nil {
		return err
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	existing, err := s.subnetsByKey(ctx)
	if err != nil {
		return err
	}
	for _, role := range []string{domain.RolePublic, domain.RolePrivate} {
		key := domain.SubnetKey(role, az)
		planned, err := s.planned(key)
		if err != nil {
			return err
		}
		sn, ok := existing[key]
		if !ok {
			out, err := s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
				VpcId: aws.String(vpcID), CidrBlock: aws.String(planned.CIDR), AvailabilityZone: aws.String(az),
				TagSpecifications: s.tagSpec(types.ResourceTypeSubnet, key),
			}, sendOnce)
			if err != nil {
				return fmt.Errorf("create %s subnet %s in %s: %w", role, planned.CIDR, az, err)
			}
			sn = *out.Subnet
		}
		id := aws.ToString(sn.SubnetId)
		if err := s.record(ctx, idx, ledgerEntry(domain.ResSubnet, key, id, az, "available")); err != nil {
			return err
		}
		// Checked on every pass: a crash between create and modify leaves
		// the subnet without it.
		if role == domain.RolePublic && !aws.ToBool(sn.MapPublicIpOnLaunch) {
			if _, err := s.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
				SubnetId: aws.String(id), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)},
			}); err != nil {
				return fmt.Errorf("map public IPs on launch in subnet %s (%s): %w", id, az, err)
			}
		}
	}
	return nil
}

// subnetsByKey returns all of the cluster's subnets in one call.
func (s *NetworkService) subnetsByKey(ctx context.Context) (map[string]types.Subnet, error) {
	subnets, err := describeSubnets(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return nil, fmt.Errorf("look up the subnets of cluster %s: %w", s.scope.ClusterID, err)
	}
	return byResourceKey(subnets, subnetTags, nil), nil
}

// subnetIDs resolves planned subnet keys to ids; every one must exist.
func (s *NetworkService) subnetIDs(ctx context.Context, keys []string) ([]string, error) {
	existing, err := s.subnetsByKey(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		sn, ok := existing[k]
		if !ok {
			return nil, fmt.Errorf("subnet %s of cluster %s does not exist yet; reconcile the subnets first", k, s.scope.ClusterID)
		}
		out[i] = aws.ToString(sn.SubnetId)
	}
	return out, nil
}

func describeSubnets(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.Subnet, error) {
	return drain(ctx, ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{Filters: filters}),
		func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
}

func subnetTags(sn types.Subnet) []types.Tag { return sn.Tags }
func subnetIDOf(sn types.Subnet) *string     { return sn.SubnetId }

// DeleteSubnets deletes the cluster's subnets once nothing is left in them
// (instances, load balancer and NAT gateway interfaces).
func (s *NetworkService) DeleteSubnets(ctx context.Context) error {
	idx, targets, err := findDeleteTargets(ctx, s, domain.ResSubnet, "subnets", describeSubnets, subnetIDOf, subnetTags)
	if err != nil {
		return err
	}
	return s.deleteEach(ctx, idx, domain.ResSubnet, targets, func(ctx context.Context, t deleteTarget) error {
		_, err := s.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(t.id)})
		return err
	})
}
