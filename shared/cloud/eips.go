package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type addressAPI interface {
	AllocateAddress(context.Context, *ec2.AllocateAddressInput, ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error)
	DisassociateAddress(context.Context, *ec2.DisassociateAddressInput, ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error)
	ReleaseAddress(context.Context, *ec2.ReleaseAddressInput, ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
}

// ensureAddress makes sure the planned Elastic IP is allocated and returns
// its allocation id. AllocateAddress takes no ClientToken, so the tag
// lookup is all that keeps a retry from allocating (and paying for) a
// second address.
func (s *NetworkService) ensureAddress(ctx context.Context, idx ledgerIndex, key, az string) (string, error) {
	addrs, err := s.addressesByKey(ctx, key)
	if err != nil {
		return "", err
	}
	id := aws.ToString(addrs[key].AllocationId)
	if id == "" {
		out, err := s.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{
			Domain: types.DomainTypeVpc, TagSpecifications: s.tagSpec(types.ResourceTypeElasticIp, key),
		}, sendOnce)
		if err != nil {
			return "", fmt.Errorf("allocate Elastic IP for the NAT gateway in %s: %w", az, err)
		}
		id = aws.ToString(out.AllocationId)
	}
	return id, s.record(ctx, idx, ledgerEntry(domain.ResEIP, key, id, az, "allocated"))
}

// addressesByKey returns the cluster's Elastic IPs (those with the keys,
// or all) by resource key.
func (s *NetworkService) addressesByKey(ctx context.Context, keys ...string) (map[string]types.Address, error) {
	addrs, err := describeAddresses(ctx, s.ec2, s.ownedFilters(keys...))
	if err != nil {
		return nil, fmt.Errorf("look up the Elastic IPs of cluster %s: %w", s.scope.ClusterID, err)
	}
	return byResourceKey(addrs, addressTags, nil), nil
}

// DescribeAddresses is not paginated.
func describeAddresses(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.Address, error) {
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: filters})
	if err != nil {
		return nil, err
	}
	return out.Addresses, nil
}

func addressTags(a types.Address) []types.Tag { return a.Tags }
func addressIDOf(a types.Address) *string     { return a.AllocationId }

// ReleaseAddresses disassociates and releases the cluster's Elastic IPs.
// An address still held by a NAT gateway (not yet deleted) is left alone:
// AWS would refuse, and disassociating it by hand would break a gateway
// that is still routing. That is ErrDependencyViolation, retried after
// NATGatewaysDeleted.
func (s *NetworkService) ReleaseAddresses(ctx context.Context) error {
	idx, targets, err := findDeleteTargets(ctx, s, domain.ResEIP, "Elastic IPs", describeAddresses, addressIDOf, addressTags)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	addrs, err := describeAddresses(ctx, s.ec2, []types.Filter{ec2Filter("allocation-id", targetIDs(targets)...)})
	if err != nil {
		return fmt.Errorf("describe Elastic IPs %v: %w", targetIDs(targets), err)
	}
	byID := map[string]types.Address{}
	for _, a := range addrs {
		byID[aws.ToString(a.AllocationId)] = a
	}
	heldBy, err := s.natGatewaysHoldingAddresses(ctx, idx, targetIDs(targets))
	if err != nil {
		return err
	}
	return s.deleteEach(ctx, idx, domain.ResEIP, targets, func(ctx context.Context, t deleteTarget) error {
		if nat, ok := heldBy[t.id]; ok {
			return fmt.Errorf("%w: Elastic IP %s is still held by NAT gateway %s", ErrDependencyViolation, t.id, nat)
		}
		if a, ok := byID[t.id]; ok && a.AssociationId != nil {
			_, err := s.ec2.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: a.AssociationId})
			if err != nil && !isGone(err) {
				return fmt.Errorf("disassociate %s: %w", aws.ToString(a.AssociationId), err)
			}
		}
		_, err := s.ec2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(t.id)})
		return err
	})
}
