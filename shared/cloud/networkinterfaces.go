package cloud

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type networkInterfaceAPI interface {
	DeleteNetworkInterface(context.Context, *ec2.DeleteNetworkInterfaceInput, ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error)
}

// DeleteNetworkInterfaces removes the detached (available) interfaces left
// behind in the cluster's network — by the CNI, by load balancers the cloud
// controller deleted, by instances that were force-terminated — which
// otherwise keep the security groups and subnets from being deleted.
// In-use and requester-managed interfaces (NAT gateways, load balancers)
// go with their owners.
//
// Dynamic placement: every available interface in our VPC. Static: only
// those using one of the cluster's security groups; the rest of the
// customer's VPC is not ours to clean.
func (s *NetworkService) DeleteNetworkInterfaces(ctx context.Context) error {
	scope, err := s.interfaceScope(ctx)
	if err != nil || scope == nil {
		return err
	}
	enis, err := describeNetworkInterfaces(ctx, s.ec2, []types.Filter{*scope, ec2Filter("status", "available")})
	if err != nil {
		return fmt.Errorf("find the detached network interfaces of cluster %s: %w", s.scope.ClusterID, err)
	}
	var errs []error
	for _, eni := range enis {
		if aws.ToBool(eni.RequesterManaged) {
			continue
		}
		id := aws.ToString(eni.NetworkInterfaceId)
		_, err := s.ec2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)})
		if err != nil && !isGone(err) {
			errs = append(errs, classifyDelete(fmt.Errorf("delete network interface %s in subnet %s: %w", id, aws.ToString(eni.SubnetId), err)))
		}
	}
	return errors.Join(errs...)
}

// interfaceScope is the filter selecting the cluster's interfaces, or nil
// when the cluster has no network left to look in.
func (s *NetworkService) interfaceScope(ctx context.Context) (*types.Filter, error) {
	idx, err := s.ledger(ctx)
	if err != nil {
		return nil, err
	}
	if s.static() {
		groups := targetIDs(s.deleteTargets(idx, domain.ResSecurityGroup, nil, false))
		if len(groups) == 0 {
			return nil, nil
		}
		f := ec2Filter("group-id", groups...)
		return &f, nil
	}
	vpcs, err := describeVPCs(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return nil, fmt.Errorf("find the VPCs of cluster %s: %w", s.scope.ClusterID, err)
	}
	found := targetsOf(vpcs, vpcIDOf, vpcTags)
	vpcIDs := targetIDs(s.deleteTargets(idx, domain.ResVPC, found, false))
	if len(vpcIDs) == 0 {
		return nil, nil
	}
	f := ec2Filter("vpc-id", vpcIDs...)
	return &f, nil
}

func describeNetworkInterfaces(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.NetworkInterface, error) {
	return drain(ctx, ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{Filters: filters}),
		func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
}
