package domain

import (
	"fmt"
	"slices"
)

// planEKS is an eks cluster's plan: the VPC plan of dynamic placement (or
// nothing with static placement), the IAM roles the spec does not name,
// the EKS cluster, a managed node group per pool and the Fargate profiles,
// in creation order. AWS runs the control plane and the API endpoint, so
// there is no bastion, load balancer, security group or instance of ours.
func planEKS(p Plan, s ClusterSpec) (Plan, error) {
	// Subnet references: planned subnet keys, or the customer's ids.
	var clusterSubnets, privateSubnets []string
	nodeSubnets := func(pool NodePoolSpec) []string { return subnetKeys(RolePrivate, pool.AZs) }
	if s.Placement.Type == PlacementDynamic {
		subnets, err := CarveSubnets(s.Placement.VPCCIDR, s.Placement.AZs)
		if err != nil {
			return Plan{}, fmt.Errorf("plan cluster: %w", err)
		}
		p.VPCCIDR, p.NATGateways, p.Subnets = s.Placement.VPCCIDR, s.Placement.NATGateways, subnets
		p.Resources = planNetwork(s, subnets)
		privateSubnets = subnetKeys(RolePrivate, s.Placement.AZs)
		clusterSubnets = append(subnetKeys(RolePublic, s.Placement.AZs), privateSubnets...)
	} else {
		pl := s.Placement
		privateSubnets = slices.Clone(pl.WorkerSubnetIDs)
		clusterSubnets = slices.Concat(pl.ControlPlaneSubnetIDs, pl.PublicSubnetIDs)
		nodeSubnets = func(NodePoolSpec) []string { return slices.Clone(pl.WorkerSubnetIDs) }
	}
	e := s.EKS
	workers := len(s.NodePools) > 0
	fargate := len(e.FargateProfiles) > 0
	for _, r := range []struct {
		key, role, given string
		needed           bool
	}{
		{KeyClusterRole, RoleEKSCluster, e.ClusterRoleARN, true},
		{KeyNodeRole, RoleEKSNode, e.NodeRoleARN, workers},
		{KeyPodExecutionRole, RoleFargatePodExecutor, e.PodExecutionRoleARN, fargate},
	} {
		if r.needed && r.given == "" {
			p.Resources = append(p.Resources, PlannedResource{Key: r.key, Type: ResIAMRole, Role: r.role})
		}
	}
	p.Resources = append(p.Resources, PlannedResource{Key: KeyEKSCluster, Type: ResEKSCluster, Subnets: clusterSubnets})
	for _, pool := range s.NodePools {
		p.Resources = append(p.Resources, PlannedResource{
			Key: NodeGroupKey(pool.Name), Type: ResNodeGroup, Role: RoleWorker, Subnets: nodeSubnets(pool),
			Pool: pool.Name, InstanceType: pool.InstanceType, InstanceTypes: slices.Clone(pool.InstanceTypes),
			RootVolumeGiB: pool.RootVolumeGiB, Spot: pool.Capacity.IsSpot(), Size: pool.Size, MaxSize: deref(pool.MaxSize),
		})
	}
	for _, fp := range e.FargateProfiles {
		p.Resources = append(p.Resources, PlannedResource{Key: FargateProfileKey(fp.Name), Type: ResFargateProfile, Subnets: slices.Clone(privateSubnets)})
	}
	return p, nil
}
