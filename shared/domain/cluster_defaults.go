package domain

import (
	"maps"
	"slices"
)

// Defaults for fields a create request may leave out.
const (
	DefaultVPCCIDR                = "10.0.0.0/16"
	DefaultInstanceType           = "m5.large"
	DefaultBastionInstanceType    = "t3.micro"
	DefaultRootVolumeGiB          = 50
	DefaultControlPlaneRootVolume = 80 // etcd and static pod images live on the root volume
	AnyIPv4                       = "0.0.0.0/0"
)

// WithDefaults returns a copy of spec with every omitted field filled in. It
// never overwrites what the user set, never mutates its argument (the stored
// request and the effective spec are both kept), and adds no dynamic-only
// field to a static placement, so validation still catches a user who mixes
// the two.
func WithDefaults(spec ClusterSpec) ClusterSpec {
	s := cloneSpec(spec)
	if s.Kind == "" {
		s.Kind = KindSelfManaged
	}
	if s.Placement.Type == "" {
		s.Placement.Type = PlacementDynamic
	}
	static := s.Placement.Type == PlacementStatic
	hasPublic := !static || len(s.Placement.PublicSubnetIDs) > 0
	if !static {
		if s.Placement.VPCCIDR == "" {
			s.Placement.VPCCIDR = DefaultVPCCIDR
		}
		if s.Placement.NATGateways == "" {
			s.Placement.NATGateways = NATPerAZ
		}
	}
	if s.Kind == KindEKS {
		return eksDefaults(s)
	}
	if s.APIServer.Scheme == "" {
		// A static VPC without public subnets has nowhere to put an
		// internet-facing load balancer.
		s.APIServer.Scheme = SchemeInternetFacing
		if !hasPublic {
			s.APIServer.Scheme = SchemeInternal
		}
	}
	if len(s.APIServer.AllowedCIDRs) == 0 {
		s.APIServer.AllowedCIDRs = []string{AnyIPv4}
	}
	if s.Bastion.Enabled == nil {
		// On by default, except where it could not be reached anyway.
		s.Bastion.Enabled = new(hasPublic)
	}
	if s.Bastion.IsEnabled() && s.Bastion.InstanceType == "" {
		s.Bastion.InstanceType = DefaultBastionInstanceType
	}
	// Bastion allowedCidrs are deliberately not defaulted: SSH and RDP open
	// to the internet must be the user's explicit choice.
	for i := range s.NodePools {
		s.NodePools[i] = poolDefaults(s.NodePools[i], s.Placement.AZs)
	}
	return s
}

func poolDefaults(p NodePoolSpec, clusterAZs []string) NodePoolSpec {
	if p.InstanceType == "" {
		p.InstanceType = DefaultInstanceType
	}
	if len(p.AZs) == 0 {
		p.AZs = slices.Clone(clusterAZs)
	}
	if p.RollingUpdate == "" {
		p.RollingUpdate = RollingExpandFirst
	}
	if p.RootVolumeGiB == 0 {
		p.RootVolumeGiB = DefaultRootVolumeGiB
		if p.ControlPlane {
			p.RootVolumeGiB = DefaultControlPlaneRootVolume
		}
	}
	if p.Capacity.Type == "" {
		p.Capacity.Type = CapacityOnDemand
	}
	if p.Capacity.IsSpot() && p.Capacity.SpotMaxPricePercent == 0 {
		// AWS's own default max price is the on-demand price.
		p.Capacity.SpotMaxPricePercent = 100
	}
	return p
}

// cloneSpec deep-copies the slices and maps of a spec so that defaulting a
// copy can't reach back into the caller's value.
func cloneSpec(s ClusterSpec) ClusterSpec {
	s.Tags = maps.Clone(s.Tags)
	s.PackOverrides = maps.Clone(s.PackOverrides)
	s.Placement.AZs = slices.Clone(s.Placement.AZs)
	s.Placement.ControlPlaneSubnetIDs = slices.Clone(s.Placement.ControlPlaneSubnetIDs)
	s.Placement.WorkerSubnetIDs = slices.Clone(s.Placement.WorkerSubnetIDs)
	s.Placement.PublicSubnetIDs = slices.Clone(s.Placement.PublicSubnetIDs)
	s.APIServer.AllowedCIDRs = slices.Clone(s.APIServer.AllowedCIDRs)
	s.Bastion.AllowedCIDRs = slices.Clone(s.Bastion.AllowedCIDRs)
	if s.Bastion.Enabled != nil {
		s.Bastion.Enabled = new(*s.Bastion.Enabled)
	}
	s.NodePools = slices.Clone(s.NodePools)
	for i := range s.NodePools {
		p := &s.NodePools[i]
		p.AZs = slices.Clone(p.AZs)
		p.Labels = maps.Clone(p.Labels)
		p.Taints = slices.Clone(p.Taints)
		p.InstanceTypes = slices.Clone(p.InstanceTypes)
		if p.MinSize != nil {
			p.MinSize = new(*p.MinSize)
		}
		if p.MaxSize != nil {
			p.MaxSize = new(*p.MaxSize)
		}
	}
	s.EKS = cloneEKS(s.EKS)
	return s
}
