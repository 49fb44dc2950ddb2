package cloud

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ReconcileBastion ensures the bastion: one instance in the first AZ's
// public subnet with the bastion security group and the cluster's SSH key,
// the single SSH/RDP entry point. Without a planned bastion (disabled) it
// does nothing.
func (s *ComputeService) ReconcileBastion(ctx context.Context, net NetworkIDs) error {
	planned, ok := s.scope.Plan.Find(domain.KeyBastion)
	if !ok {
		return nil
	}
	found, err := s.findInstances(ctx, computeFilter("tag:"+domain.TagResourceKey, domain.KeyBastion))
	if err != nil {
		return fmt.Errorf("bastion: %w", err)
	}
	ledger, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	if err := s.recordFound(ctx, ledger, found); err != nil {
		return err
	}
	az, subnet, err := bastionSubnet(planned, net)
	if err != nil {
		return err
	}
	sl, missing := missingSlot(domain.KeyBastion, az, instancesByKey(found)[domain.KeyBastion], ledger)
	if !missing {
		return nil
	}
	sg := net.SecurityGroups[domain.RoleBastion]
	if sg == "" {
		return fmt.Errorf("bastion: no %s security group", domain.RoleBastion)
	}
	img, err := s.images.find(ctx, s.ec2, s.scope.Region, s.bastionImage, s.now())
	if err != nil {
		return fmt.Errorf("bastion image: %w", err)
	}
	base := runSpec{
		instanceType:  cmp.Or(planned.InstanceType, domain.DefaultBastionInstanceType),
		image:         img,
		securityGroup: sg,
		rootVolumeGiB: planned.RootVolumeGiB,
		publicIP:      true,
	}
	// A bastion has one place to go: a pool of one AZ, so capacity
	// shortage there is an error rather than a move.
	place := &azPlacement{azs: []string{az}, count: map[string]int{}, given: map[string]error{}}
	if _, err := s.launchSlot(ctx, base, sl, map[string]string{az: subnet}, place, nil); err != nil {
		return fmt.Errorf("bastion: %w", err)
	}
	return nil
}

// bastionSubnet is the planned bastion's AZ and public subnet. Dynamic
// placement plans the AZ; static placement plans the customer's subnet id,
// whose AZ the network lookup knows.
func bastionSubnet(planned domain.PlannedResource, net NetworkIDs) (az, subnet string, err error) {
	if planned.AZ != "" {
		if subnet = net.PublicSubnets[planned.AZ]; subnet != "" {
			return planned.AZ, subnet, nil
		}
		return "", "", fmt.Errorf("bastion: no public subnet in %s", planned.AZ)
	}
	if len(planned.Subnets) > 0 && strings.HasPrefix(planned.Subnets[0], "subnet-") {
		for az, id := range net.PublicSubnets {
			if id == planned.Subnets[0] {
				return az, id, nil
			}
		}
		return "", planned.Subnets[0], nil
	}
	return "", "", fmt.Errorf("bastion: no public subnet planned")
}
