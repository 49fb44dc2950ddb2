package domain

import (
	"fmt"
	"slices"
)

// ResourceType names a kind of AWS resource in plans, the ledger and keys.
type ResourceType string

const (
	ResVPC             ResourceType = "vpc"
	ResSubnet          ResourceType = "subnet"
	ResInternetGateway ResourceType = "internetgateway"
	ResRouteTable      ResourceType = "routetable"
	ResEIP             ResourceType = "eip"
	ResNATGateway      ResourceType = "natgateway"
	ResSecurityGroup   ResourceType = "securitygroup"
	ResInstance        ResourceType = "instance"
	ResLoadBalancer    ResourceType = "loadbalancer"
	ResTargetGroup     ResourceType = "targetgroup"
	ResListener        ResourceType = "listener"
)

// Roles of planned resources.
const (
	RolePublic       = "public"
	RolePrivate      = "private"
	RoleBastion      = "bastion"
	RoleAPIServerLB  = "apiserver-lb"
	RoleControlPlane = "control-plane"
	RoleNode         = "node"
	RoleWorker       = "worker"
)

// Fixed resource keys. A resource key names a planned resource stably
// across retries and plan versions; it goes into the resource-key tag (how a
// retried task finds what it created) and into the ClientToken.
const (
	KeyVPC             = "vpc"
	KeyInternetGateway = "internetgateway"
	KeyPublicRoutes    = "routetable/public"
	KeyBastion         = "instance/bastion"
	KeyLoadBalancer    = "loadbalancer/apiserver"
	KeyTargetGroup     = "targetgroup/apiserver"
	KeyListener        = "listener/apiserver"
)

// Resource key builders.
func SubnetKey(role, az string) string      { return "subnet/" + role + "/" + az }
func EIPKey(az string) string               { return "eip/" + az }
func NATGatewayKey(az string) string        { return "natgateway/" + az }
func PrivateRoutesKey(az string) string     { return "routetable/private/" + az }
func SecurityGroupKey(role string) string   { return "securitygroup/" + role }
func InstanceKey(pool string, i int) string { return fmt.Sprintf("instance/%s/%d", pool, i) }
func subnetKeys(role string, azs []string) []string {
	out := make([]string, len(azs))
	for i, az := range azs {
		out[i] = SubnetKey(role, az)
	}
	return out
}

// Ports the security groups open.
const (
	PortSSH          = 22
	PortRDP          = 3389
	PortAPIServer    = 6443
	PortKubelet      = 10250
	PortBGP          = 179
	PortVXLAN        = 4789
	PortVXLANLinux   = 8472 // flannel / Cilium
	PortNodePortLow  = 30000
	PortNodePortHigh = 32767
)

// Plan is what provisioning a cluster will create, in creation order.
type Plan struct {
	Kind        ClusterKind       `json:"kind"`
	ClusterName string            `json:"clusterName"`
	Region      string            `json:"region"`
	Placement   string            `json:"placement"`
	VPCCIDR     string            `json:"vpcCidr,omitempty"`
	NATGateways string            `json:"natGateways,omitempty"`
	Subnets     []AZSubnets       `json:"subnets,omitempty"`
	Resources   []PlannedResource `json:"resources"`
}

// PlannedResource is one resource of a plan.
type PlannedResource struct {
	Key  string       `json:"key"`
	Type ResourceType `json:"type"`
	Role string       `json:"role,omitempty"`
	AZ   string       `json:"az,omitempty"`
	CIDR string       `json:"cidr,omitempty"` // vpc, subnet
	// Subnets the resource goes in: keys of planned subnets, or subnet ids
	// with static placement.
	Subnets []string `json:"subnets,omitempty"`
	// RouteTo is the key of a route table's 0.0.0.0/0 target.
	RouteTo string `json:"routeTo,omitempty"`
	// Rules are a security group's inbound rules.
	Rules []SecurityGroupRule `json:"rules,omitempty"`
	// Instances.
	Pool                string `json:"pool,omitempty"`
	InstanceType        string `json:"instanceType,omitempty"`
	RootVolumeGiB       int    `json:"rootVolumeGiB,omitempty"`
	Spot                bool   `json:"spot,omitempty"`
	SpotMaxPricePercent int    `json:"spotMaxPricePercent,omitempty"`
	// Managed node groups: the desired and maximum sizes and the instance
	// types (InstanceType is the first, the one prices count).
	Size          int      `json:"size,omitempty"`
	MaxSize       int      `json:"maxSize,omitempty"`
	InstanceTypes []string `json:"instanceTypes,omitempty"`
}

// SecurityGroupRule is one inbound rule. Each source is a CIDR, or the key
// of a security group (referenced by id) or of an Elastic IP (allowed as a
// /32 once allocated): keys are resolved when the rule is applied.
type SecurityGroupRule struct {
	Description string   `json:"description"`
	Protocol    string   `json:"protocol"` // tcp, udp, or an IP protocol number
	FromPort    int      `json:"fromPort,omitempty"`
	ToPort      int      `json:"toPort,omitempty"`
	Sources     []string `json:"sources"`
}

// SpreadAcrossAZs says how many of size nodes go in each AZ: round-robin in
// the given order, so the first size%len(azs) AZs get one more. Instance i
// of a pool goes to azs[i%len(azs)], which gives exactly these counts.
func SpreadAcrossAZs(size int, azs []string) map[string]int {
	out := make(map[string]int, len(azs))
	if len(azs) == 0 {
		return out
	}
	for i, az := range azs {
		n := size / len(azs)
		if i < size%len(azs) {
			n++
		}
		out[az] = n
	}
	return out
}

// PlanCluster lists the resources provisioning will create for a spec, in
// the order of DESIGN §4. The spec is validated (with defaults) first, so a
// plan always describes a cluster that can be created.
func PlanCluster(spec ClusterSpec, cat Catalog) (Plan, error) {
	if err := ValidateCluster(spec, cat); err != nil {
		return Plan{}, fmt.Errorf("plan cluster: %w", err)
	}
	s := WithDefaults(spec)
	p := Plan{Kind: s.Kind, ClusterName: s.Name, Region: s.Region, Placement: s.Placement.Type}
	if s.Kind == KindEKS {
		return planEKS(p, s)
	}
	var lbSubnets, publicSubnets []string
	cpSubnets := func(az string) []string { return []string{SubnetKey(RolePrivate, az)} }
	workerSubnets := cpSubnets
	if s.Placement.Type == PlacementDynamic {
		subnets, err := CarveSubnets(s.Placement.VPCCIDR, s.Placement.AZs)
		if err != nil {
			return Plan{}, fmt.Errorf("plan cluster: %w", err)
		}
		p.VPCCIDR, p.NATGateways, p.Subnets = s.Placement.VPCCIDR, s.Placement.NATGateways, subnets
		p.Resources = planNetwork(s, subnets)
		publicSubnets = subnetKeys(RolePublic, s.Placement.AZs)
		lbSubnets = publicSubnets
		if s.APIServer.Scheme == SchemeInternal {
			lbSubnets = subnetKeys(RolePrivate, s.Placement.AZs)
		}
	} else {
		// Static: the customer's subnets, whose AZs only the preflight
		// knows, so instances rotate over subnet ids instead of AZs.
		pl := s.Placement
		publicSubnets = pl.PublicSubnetIDs
		lbSubnets = pl.PublicSubnetIDs
		if s.APIServer.Scheme == SchemeInternal {
			lbSubnets = pl.ControlPlaneSubnetIDs
		}
		cpSubnets = func(id string) []string { return []string{id} }
		workerSubnets = cpSubnets
	}
	p.Resources = append(p.Resources, planSecurityGroups(s, p.Resources)...)
	if s.Bastion.IsEnabled() {
		var az string // static: the subnet's AZ, known after the preflight
		if s.Placement.Type == PlacementDynamic {
			az = s.Placement.AZs[0]
		}
		p.Resources = append(p.Resources, PlannedResource{
			Key: KeyBastion, Type: ResInstance, Role: RoleBastion, AZ: az,
			Subnets: publicSubnets[:1], InstanceType: s.Bastion.InstanceType, RootVolumeGiB: BastionRootVolumeGiB,
		})
	}
	p.Resources = append(p.Resources,
		PlannedResource{Key: KeyLoadBalancer, Type: ResLoadBalancer, Role: s.APIServer.Scheme, Subnets: slices.Clone(lbSubnets)},
		PlannedResource{Key: KeyTargetGroup, Type: ResTargetGroup, Role: RoleAPIServerLB},
		PlannedResource{Key: KeyListener, Type: ResListener, Role: RoleAPIServerLB},
	)
	// Control plane first: workers join through it.
	cp, _ := s.ControlPlanePool()
	pools := append([]NodePoolSpec{cp}, slices.DeleteFunc(slices.Clone(s.NodePools), func(p NodePoolSpec) bool { return p.ControlPlane })...)
	for _, pool := range pools {
		slots, subnetsOf := pool.AZs, workerSubnets
		if pool.ControlPlane {
			subnetsOf = cpSubnets
		}
		if s.Placement.Type == PlacementStatic {
			slots = s.Placement.WorkerSubnetIDs
			if pool.ControlPlane {
				slots = s.Placement.ControlPlaneSubnetIDs
			}
		}
		p.Resources = append(p.Resources, planInstances(pool, slots, subnetsOf, s.Placement.Type == PlacementDynamic)...)
	}
	return p, nil
}

// BastionRootVolumeGiB is the bastion's root volume: the AMI's default.
const BastionRootVolumeGiB = 8

func planInstances(pool NodePoolSpec, slots []string, subnetsOf func(string) []string, slotIsAZ bool) []PlannedResource {
	role := RoleWorker
	if pool.ControlPlane {
		role = RoleControlPlane
	}
	out := make([]PlannedResource, pool.Size)
	for i := range pool.Size {
		slot := slots[i%len(slots)]
		r := PlannedResource{
			Key: InstanceKey(pool.Name, i), Type: ResInstance, Role: role, Subnets: subnetsOf(slot),
			Pool: pool.Name, InstanceType: pool.InstanceType, RootVolumeGiB: pool.RootVolumeGiB,
			Spot: pool.Capacity.IsSpot(), SpotMaxPricePercent: pool.Capacity.SpotMaxPricePercent,
		}
		if slotIsAZ {
			r.AZ = slot
		}
		out[i] = r
	}
	return out
}

// planNetwork is steps 2–5 of DESIGN §4 for a dynamic VPC.
func planNetwork(s ClusterSpec, subnets []AZSubnets) []PlannedResource {
	out := []PlannedResource{{Key: KeyVPC, Type: ResVPC, CIDR: s.Placement.VPCCIDR}}
	for _, role := range []string{RolePublic, RolePrivate} {
		for _, sn := range subnets {
			cidr := sn.Public
			if role == RolePrivate {
				cidr = sn.Private
			}
			out = append(out, PlannedResource{Key: SubnetKey(role, sn.AZ), Type: ResSubnet, Role: role, AZ: sn.AZ, CIDR: cidr})
		}
	}
	out = append(out,
		PlannedResource{Key: KeyInternetGateway, Type: ResInternetGateway},
		PlannedResource{Key: KeyPublicRoutes, Type: ResRouteTable, Role: RolePublic, RouteTo: KeyInternetGateway,
			Subnets: subnetKeys(RolePublic, s.Placement.AZs)},
	)
	natAZs := NATGatewayAZs(s.Placement)
	for _, az := range natAZs {
		out = append(out,
			PlannedResource{Key: EIPKey(az), Type: ResEIP, AZ: az},
			PlannedResource{Key: NATGatewayKey(az), Type: ResNATGateway, AZ: az, Subnets: []string{SubnetKey(RolePublic, az)}},
		)
	}
	// One private route table per AZ even with a single NAT gateway, so
	// switching to perAz later only changes routes, not associations.
	for _, az := range s.Placement.AZs {
		nat := az
		if !slices.Contains(natAZs, az) {
			nat = natAZs[0]
		}
		out = append(out, PlannedResource{Key: PrivateRoutesKey(az), Type: ResRouteTable, Role: RolePrivate, AZ: az,
			RouteTo: NATGatewayKey(nat), Subnets: []string{SubnetKey(RolePrivate, az)}})
	}
	return out
}

// NATGatewayAZs are the AZs that get a NAT gateway: all, or the first.
func NATGatewayAZs(pl Placement) []string {
	if pl.NATGateways == NATSingle {
		return firstN(pl.AZs, 1)
	}
	return slices.Clone(pl.AZs)
}

// planSecurityGroups is step 6: the four groups and their inbound rules.
// network holds the planned network, whose EIPs the API LB must allow when it
// is internet-facing: private nodes reach it from their NAT gateway's address.
func planSecurityGroups(s ClusterSpec, network []PlannedResource) []PlannedResource {
	bastion, lb := SecurityGroupKey(RoleBastion), SecurityGroupKey(RoleAPIServerLB)
	cp, node := SecurityGroupKey(RoleControlPlane), SecurityGroupKey(RoleNode)
	cluster := []string{cp, node}
	tcp := func(desc string, from, to int, sources ...string) SecurityGroupRule {
		return SecurityGroupRule{Description: desc, Protocol: "tcp", FromPort: from, ToPort: to, Sources: sources}
	}
	// Pod networking between all nodes; covers Calico (BGP, IP-in-IP,
	// VXLAN), flannel and Cilium (VXLAN 8472) without knowing the CNI.
	cni := []SecurityGroupRule{
		tcp("CNI BGP", PortBGP, PortBGP, cluster...),
		{Description: "CNI IP-in-IP", Protocol: "4", Sources: cluster},
		{Description: "CNI VXLAN", Protocol: "udp", FromPort: PortVXLAN, ToPort: PortVXLAN, Sources: cluster},
		{Description: "CNI VXLAN (flannel, Cilium)", Protocol: "udp", FromPort: PortVXLANLinux, ToPort: PortVXLANLinux, Sources: cluster},
	}
	var sshFromBastion []SecurityGroupRule
	if s.Bastion.IsEnabled() {
		sshFromBastion = []SecurityGroupRule{tcp("SSH from the bastion", PortSSH, PortSSH, bastion)}
	}
	lbSources := append(slices.Clone(s.APIServer.AllowedCIDRs), cluster...)
	if s.APIServer.Scheme == SchemeInternetFacing {
		for _, r := range network {
			if r.Type == ResEIP {
				lbSources = append(lbSources, r.Key)
			}
		}
	}
	groups := []struct {
		role  string
		rules []SecurityGroupRule
	}{
		{RoleBastion, []SecurityGroupRule{
			tcp("SSH", PortSSH, PortSSH, s.Bastion.AllowedCIDRs...),
			tcp("RDP", PortRDP, PortRDP, s.Bastion.AllowedCIDRs...),
		}},
		{RoleAPIServerLB, []SecurityGroupRule{tcp("Kubernetes API", PortAPIServer, PortAPIServer, lbSources...)}},
		{RoleControlPlane, slices.Concat([]SecurityGroupRule{
			tcp("Kubernetes API from the load balancer and nodes", PortAPIServer, PortAPIServer, lb, cp, node),
			tcp("etcd", 2379, 2380, cp),
			tcp("kubelet", PortKubelet, PortKubelet, cluster...),
		}, cni, sshFromBastion)},
		{RoleNode, slices.Concat([]SecurityGroupRule{
			tcp("kubelet", PortKubelet, PortKubelet, cluster...),
			tcp("NodePort services", PortNodePortLow, PortNodePortHigh, AnyIPv4),
		}, cni, sshFromBastion)},
	}
	var out []PlannedResource
	for _, g := range groups {
		if g.role == RoleBastion && !s.Bastion.IsEnabled() {
			continue
		}
		out = append(out, PlannedResource{Key: SecurityGroupKey(g.role), Type: ResSecurityGroup, Role: g.role, Rules: g.rules})
	}
	return out
}

// Count returns how many planned resources have the type (and role, if set).
func (p Plan) Count(t ResourceType, role string) int {
	n := 0
	for _, r := range p.Resources {
		if r.Type == t && (role == "" || r.Role == role) {
			n++
		}
	}
	return n
}

// Find returns the planned resource with the key.
func (p Plan) Find(key string) (PlannedResource, bool) {
	for _, r := range p.Resources {
		if r.Key == key {
			return r, true
		}
	}
	return PlannedResource{}, false
}
