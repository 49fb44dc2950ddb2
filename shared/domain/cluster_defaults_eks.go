package domain

import (
	"maps"
	"slices"
)

// DefaultMaxUnavailable is a managed node group's update config default:
// one node replaced at a time, as AWS does without an update config.
const DefaultMaxUnavailable = 1

// eksDefaults fills the EKS-only defaults of a spec whose kind, placement
// and network defaults are set. The self-managed-only settings (apiServer,
// bastion instance type, rolling update, spot max price) get no default, so
// that validation sees exactly what the user sent and can refuse it. A
// missing spec.eks stays missing: validation reports it as required.
func eksDefaults(s ClusterSpec) ClusterSpec {
	if s.Bastion.Enabled == nil {
		s.Bastion.Enabled = new(false) // AWS runs the control plane; nodes are reached through SSM
	}
	if e := s.EKS; e != nil {
		if e.KubernetesVersion == "" {
			e.KubernetesVersion = DefaultEKSVersion
		}
		if e.EndpointAccess.Public == nil {
			e.EndpointAccess.Public = new(true)
		}
		if e.EndpointAccess.Private == nil {
			e.EndpointAccess.Private = new(true)
		}
		if e.EndpointAccess.IsPublic() && len(e.EndpointAccess.PublicCIDRs) == 0 {
			e.EndpointAccess.PublicCIDRs = []string{AnyIPv4}
		}
	}
	for i := range s.NodePools {
		s.NodePools[i] = nodeGroupDefaults(s.NodePools[i], s.Placement.AZs)
	}
	return s
}

// nodeGroupDefaults are a worker pool's defaults as a managed node group.
// instanceType and instanceTypes default from each other: the first listed
// type is the pool's instanceType (the one prices and quotas count), and a
// pool naming only instanceType draws from that one type.
func nodeGroupDefaults(p NodePoolSpec, clusterAZs []string) NodePoolSpec {
	if p.InstanceType == "" && len(p.InstanceTypes) > 0 {
		p.InstanceType = p.InstanceTypes[0]
	}
	if p.InstanceType == "" {
		p.InstanceType = DefaultInstanceType
	}
	if len(p.InstanceTypes) == 0 {
		p.InstanceTypes = []string{p.InstanceType}
	}
	if len(p.AZs) == 0 {
		p.AZs = slices.Clone(clusterAZs)
	}
	if p.MinSize == nil {
		p.MinSize = new(p.Size)
	}
	if p.MaxSize == nil {
		p.MaxSize = new(max(p.Size, 1)) // EKS wants maxSize ≥ 1, also for an empty group
	}
	if p.MaxUnavailable == 0 {
		p.MaxUnavailable = DefaultMaxUnavailable
	}
	if p.RootVolumeGiB == 0 {
		p.RootVolumeGiB = DefaultRootVolumeGiB
	}
	if p.Capacity.Type == "" {
		p.Capacity.Type = CapacityOnDemand
	}
	return p
}

// cloneEKS deep-copies spec.eks.
func cloneEKS(e *EKSSpec) *EKSSpec {
	if e == nil {
		return nil
	}
	c := *e
	if e.EndpointAccess.Public != nil {
		c.EndpointAccess.Public = new(*e.EndpointAccess.Public)
	}
	if e.EndpointAccess.Private != nil {
		c.EndpointAccess.Private = new(*e.EndpointAccess.Private)
	}
	c.EndpointAccess.PublicCIDRs = slices.Clone(e.EndpointAccess.PublicCIDRs)
	c.Logging = slices.Clone(e.Logging)
	c.FargateProfiles = slices.Clone(e.FargateProfiles)
	for i, fp := range c.FargateProfiles {
		c.FargateProfiles[i].Selectors = slices.Clone(fp.Selectors)
		for j, sel := range c.FargateProfiles[i].Selectors {
			c.FargateProfiles[i].Selectors[j].Labels = maps.Clone(sel.Labels)
		}
	}
	return &c
}
