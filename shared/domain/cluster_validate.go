package domain

import (
	"slices"
	"sort"
)

// Catalog is what validation and planning need to know about AWS: regions,
// zones and instance types. shared/pricing has the static implementation;
// the live preflight later checks the same facts in the customer's account.
type Catalog interface {
	Regions() []string
	AZs(region string) []string
	InstanceType(name string) (InstanceTypeInfo, bool)
	Offered(region, az, instanceType string) bool
}

// InstanceTypeInfo is the shape of an instance type.
type InstanceTypeInfo struct {
	VCPUs     int `json:"vcpus"`
	MemoryMiB int `json:"memoryMiB"`
	GPUs      int `json:"gpus"`
}

// Node pool limits.
const (
	MaxWorkerPoolSize = 200
	MinRootVolumeGiB  = 8     // the AMIs' root snapshot size
	MaxRootVolumeGiB  = 16384 // gp3's maximum
	// kubeadm's preflight refuses a control plane below 2 vCPUs / 1700 MB;
	// we ask for 2 GiB so etcd has headroom.
	MinControlPlaneVCPUs     = 2
	MinControlPlaneMemoryMiB = 2048
)

// ControlPlaneSizes are the allowed control-plane sizes: odd, so etcd keeps
// a quorum through one (3) or two (5) failures.
var ControlPlaneSizes = []int{1, 3, 5}

var (
	placementTypes = []string{PlacementDynamic, PlacementStatic}
	natLayouts     = []string{NATPerAZ, NATSingle}
	apiSchemes     = []string{SchemeInternetFacing, SchemeInternal}
	rollingUpdates = []string{RollingExpandFirst, RollingContractFirst}
	capacityTypes  = []string{CapacityOnDemand, CapacitySpot}
	taintEffects   = []string{EffectNoSchedule, EffectPreferNoSchedule, EffectNoExecute}
	supportedKinds = []ClusterKind{KindSelfManaged, KindEKS}
)

// ValidateCluster checks a cluster create request and returns every problem
// at once (a *ValidationError, each entry with its field path). It validates the
// effective spec (WithDefaults applied), so omitted fields are judged by
// their defaults. It makes no AWS calls: the preflight does the checks that
// need the customer's account (key pair exists, quotas, real offerings,
// static subnets' VPC and tags).
func ValidateCluster(spec ClusterSpec, cat Catalog) error {
	s := WithDefaults(spec)
	var v ValidationErrors
	validateIdentity(&v, s)
	regionOK := validateRegion(&v, s, cat)
	validatePlacement(&v, s, cat, regionOK)
	if s.Kind == KindEKS {
		validateEKSCluster(&v, s, spec.NodePools, cat, regionOK)
		return v.Err()
	}
	validateAPIServer(&v, s)
	validateBastion(&v, s, cat, regionOK)
	validateNodePools(&v, s, spec.NodePools, cat, regionOK)
	refuseEKSFields(&v, s)
	return v.Err()
}

func validateIdentity(v *ValidationErrors, s ClusterSpec) {
	if !slices.Contains(supportedKinds, s.Kind) {
		v.Add("kind", "must be one of %v", supportedKinds)
	}
	if msg := checkDNSLabel(s.Name, MaxClusterName); msg != "" {
		v.Add("name", "%s", msg)
	}
	if len([]rune(s.Description)) > MaxClusterDescription {
		v.Add("description", "must be at most %d characters", MaxClusterDescription)
	}
	if len(s.Tags) > MaxUserTags {
		v.Add("tags", "at most %d tags (AWS allows 50 per resource and ClusterForge adds its own)", MaxUserTags)
	}
	for _, k := range sortedKeys(s.Tags) {
		if msg := checkTagKey(k); msg != "" {
			v.Add(fieldKey("tags", k), "key %s", msg)
		}
		if msg := checkTagValue(s.Tags[k]); msg != "" {
			v.Add(fieldKey("tags", k), "value %s", msg)
		}
	}
	// Whether each key names a layer of the profile is checked once the
	// profile is loaded (MergeLayerValues); the shape is checked here.
	for _, k := range sortedKeys(s.PackOverrides) {
		f := fieldKey("packOverrides", k)
		if msg := checkDNSLabel(k, MaxNameLength); msg != "" {
			v.Add(f, "layer name %s", msg)
		}
		if len(s.PackOverrides[k]) > MaxLayerValuesBytes {
			v.Add(f, "must be at most %d bytes", MaxLayerValuesBytes)
		} else if err := CheckValuesYAML(s.PackOverrides[k]); err != nil {
			v.Add(f, "%v", err)
		}
	}
	if msg := checkRefID(s.ProfileID, PrefixProfile); msg != "" {
		v.Add("profileId", "%s", msg)
	}
	if msg := checkRefID(s.CloudAccountID, PrefixCloudAccount); msg != "" {
		v.Add("cloudAccountId", "%s", msg)
	}
	switch {
	case s.Kind == KindEKS: // validateEKSCluster refuses a key name
	case s.SSHKeyName == "" && s.Bastion.IsEnabled():
		v.Add("sshKeyName", "is required when the bastion is enabled")
	case s.SSHKeyName == "":
	case len(s.SSHKeyName) > MaxSSHKeyName || !sshKeyNameRe.MatchString(s.SSHKeyName):
		v.Add("sshKeyName", "must be 1–%d printable ASCII characters without leading or trailing spaces", MaxSSHKeyName)
	}
}

func validateRegion(v *ValidationErrors, s ClusterSpec, cat Catalog) bool {
	switch {
	case s.Region == "":
		v.Add("region", "is required")
	case !slices.Contains(cat.Regions(), s.Region):
		v.Add("region", "unknown region %q; known: %v", s.Region, cat.Regions())
	default:
		return true
	}
	return false
}

func validatePlacement(v *ValidationErrors, s ClusterSpec, cat Catalog, regionOK bool) {
	p := s.Placement
	if !slices.Contains(placementTypes, p.Type) {
		v.Add("placement.type", "must be one of %v", placementTypes)
		return
	}
	static := p.Type == PlacementStatic
	// AZs: required for dynamic; optional for static, where the subnets
	// decide and the preflight checks the two agree.
	if !static || len(p.AZs) > 0 {
		checkAZList(v, "placement.azs", p.AZs, regionOK, cat.AZs(s.Region), nil)
	}
	if static {
		validateStaticPlacement(v, s)
		return
	}
	staticOnly := []struct {
		field string
		set   bool
	}{
		{"placement.vpcId", p.VPCID != ""},
		{"placement.controlPlaneSubnetIds", len(p.ControlPlaneSubnetIDs) > 0},
		{"placement.workerSubnetIds", len(p.WorkerSubnetIDs) > 0},
		{"placement.publicSubnetIds", len(p.PublicSubnetIDs) > 0},
	}
	for _, f := range staticOnly {
		if f.set {
			v.Add(f.field, "only allowed with static placement")
		}
	}
	if !slices.Contains(natLayouts, p.NATGateways) {
		v.Add("placement.natGateways", "must be one of %v", natLayouts)
	}
	if _, err := ParseVPCCIDR(p.VPCCIDR); err != nil {
		v.Add("placement.vpcCidr", "%v", err)
	} else if n := len(p.AZs); n >= 1 && n <= MaxAZs {
		if _, err := CarveSubnets(p.VPCCIDR, p.AZs); err != nil {
			v.Add("placement.vpcCidr", "%v", err)
		}
	}
}

func validateStaticPlacement(v *ValidationErrors, s ClusterSpec) {
	p := s.Placement
	if p.VPCCIDR != "" {
		v.Add("placement.vpcCidr", "only allowed with dynamic placement (the VPC exists already)")
	}
	if p.NATGateways != "" {
		v.Add("placement.natGateways", "only allowed with dynamic placement (the VPC's routing is the customer's)")
	}
	switch {
	case p.VPCID == "":
		v.Add("placement.vpcId", "is required with static placement")
	case !vpcIDRe.MatchString(p.VPCID):
		v.Add("placement.vpcId", "must look like vpc-0123456789abcdef0")
	}
	lists := []struct {
		field    string
		ids      []string
		required bool
	}{
		{"placement.controlPlaneSubnetIds", p.ControlPlaneSubnetIDs, true},
		{"placement.workerSubnetIds", p.WorkerSubnetIDs, true},
		{"placement.publicSubnetIds", p.PublicSubnetIDs, false},
	}
	for _, l := range lists {
		if l.required && len(l.ids) == 0 {
			v.Add(l.field, "at least one subnet is required with static placement")
		}
		seen := map[string]bool{}
		for i, id := range l.ids {
			switch {
			case !subnetIDRe.MatchString(id):
				v.Add(fieldAt(l.field, i), "must look like subnet-0123456789abcdef0")
			case seen[id]:
				v.Add(fieldAt(l.field, i), "duplicate subnet %s", id)
			}
			seen[id] = true
		}
	}
	if len(p.PublicSubnetIDs) == 0 {
		if s.APIServer.Scheme == SchemeInternetFacing {
			v.Add("apiServer.scheme", "internet-facing needs placement.publicSubnetIds with static placement")
		}
		if s.Bastion.IsEnabled() {
			v.Add("bastion.enabled", "the bastion needs placement.publicSubnetIds with static placement")
		}
	}
}

// checkAZList checks a list of AZs: 1–6, distinct, in the region, and (when
// within is non-nil) a subset of within.
func checkAZList(v *ValidationErrors, field string, azs []string, regionOK bool, regionAZs, within []string) {
	if len(azs) < 1 || len(azs) > MaxAZs {
		v.Add(field, "must list 1 to %d availability zones", MaxAZs)
	}
	seen := map[string]bool{}
	for i, az := range azs {
		f := fieldAt(field, i)
		switch {
		case seen[az]:
			v.Add(f, "duplicate availability zone %s", az)
		case regionOK && !slices.Contains(regionAZs, az):
			v.Add(f, "%s is not an availability zone of the region; known: %v", az, regionAZs)
		case within != nil && !slices.Contains(within, az):
			v.Add(f, "%s is not one of the cluster's availability zones %v", az, within)
		}
		seen[az] = true
	}
}

func checkCIDRList(v *ValidationErrors, field string, cidrs []string) {
	if len(cidrs) > MaxAllowedCIDRs {
		v.Add(field, "at most %d CIDRs", MaxAllowedCIDRs)
	}
	for i, c := range cidrs {
		if msg := checkIPv4CIDR(c); msg != "" {
			v.Add(fieldAt(field, i), "%s", msg)
		}
	}
}

func validateAPIServer(v *ValidationErrors, s ClusterSpec) {
	if !slices.Contains(apiSchemes, s.APIServer.Scheme) {
		v.Add("apiServer.scheme", "must be one of %v", apiSchemes)
	}
	checkCIDRList(v, "apiServer.allowedCidrs", s.APIServer.AllowedCIDRs)
}

func validateBastion(v *ValidationErrors, s ClusterSpec, cat Catalog, regionOK bool) {
	b := s.Bastion
	if !b.IsEnabled() {
		return
	}
	if len(b.AllowedCIDRs) == 0 {
		v.Add("bastion.allowedCidrs", "is required when the bastion is enabled: SSH/RDP is never opened to the internet by default")
	}
	checkCIDRList(v, "bastion.allowedCidrs", b.AllowedCIDRs)
	azs := firstN(s.Placement.AZs, 1) // the bastion goes in the first AZ
	if len(azs) > 0 && !slices.Contains(cat.AZs(s.Region), azs[0]) {
		azs = nil // reported on placement.azs
	}
	checkInstanceType(v, "bastion.instanceType", b.InstanceType, s.Region, azs, cat, regionOK)
}

// checkInstanceType reports an unknown type, or the AZs that don't offer it.
func checkInstanceType(v *ValidationErrors, field, it, region string, azs []string, cat Catalog, regionOK bool) (InstanceTypeInfo, bool) {
	info, ok := cat.InstanceType(it)
	if !ok {
		v.Add(field, "unknown instance type %q", it)
		return info, false
	}
	if regionOK {
		var missing []string
		for _, az := range azs {
			if !cat.Offered(region, az, it) {
				missing = append(missing, az)
			}
		}
		if len(missing) > 0 {
			v.Add(field, "%s is not offered in %v", it, missing)
		}
	}
	return info, true
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
