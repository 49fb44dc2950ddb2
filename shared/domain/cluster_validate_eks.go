package domain

import (
	"regexp"
	"slices"
)

// EKS API limits the validators enforce before AWS would.
const (
	MaxEKSPublicAccessCIDRs = 40  // publicAccessCidrs per cluster
	MaxFargateProfileName   = 100 // CreateFargateProfile's fargateProfileName
	MaxNodeGroupUnavailable = 100 // updateConfig.maxUnavailable's ceiling
	MinEKSClusterAZs        = 2   // CreateCluster wants subnets in at least two AZs
)

var (
	// kmsKeyARNRe captures a KMS key ARN's region; secrets encryption
	// takes a key, not an alias.
	kmsKeyARNRe = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:kms:([a-z]{2}(-[a-z]+)+-[0-9]{1,2}):[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
	// iamRoleARNRe is an IAM role ARN, with an optional path; the name is
	// IAM's 1–64 characters of [\w+=,.@-].
	iamRoleARNRe = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([\x21-\x7e]{0,510}/)?[\w+=,.@-]{1,64}$`)
	// fargateProfileNameRe is what CreateFargateProfile accepts.
	fargateProfileNameRe = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]*$`)
)

// validateEKSCluster checks what is particular to kind eks: spec.eks, the
// pools as managed node groups, and the self-managed-only settings it
// refuses. raw are the pools as requested (see validateNodePools).
func validateEKSCluster(v *ValidationErrors, s ClusterSpec, raw []NodePoolSpec, cat Catalog, regionOK bool) {
	refuseSelfManagedFields(v, s)
	if s.Placement.Type == PlacementDynamic && len(s.Placement.AZs) > 0 && len(s.Placement.AZs) < MinEKSClusterAZs {
		v.Add("placement.azs", "an EKS cluster needs subnets in at least %d availability zones", MinEKSClusterAZs)
	}
	if s.EKS == nil {
		v.Add("eks", "is required for kind eks")
	} else {
		validateEKSSpec(v, s)
	}
	validateNodeGroups(v, s, raw, cat, regionOK)
}

// refuseSelfManagedFields reports the settings of a control plane and a
// bastion that ClusterForge would run itself, which an eks cluster has not.
func refuseSelfManagedFields(v *ValidationErrors, s ClusterSpec) {
	if s.SSHKeyName != "" {
		v.Add("sshKeyName", "not used by eks clusters: managed node groups get no key pair")
	}
	if s.APIServer.Scheme != "" {
		v.Add("apiServer.scheme", "not used by eks clusters; set eks.endpointAccess instead")
	}
	if len(s.APIServer.AllowedCIDRs) > 0 {
		v.Add("apiServer.allowedCidrs", "not used by eks clusters; set eks.endpointAccess.publicCidrs instead")
	}
	b := s.Bastion
	if b.IsEnabled() {
		v.Add("bastion.enabled", "eks clusters have no bastion")
	}
	if b.InstanceType != "" {
		v.Add("bastion.instanceType", "eks clusters have no bastion")
	}
	if len(b.AllowedCIDRs) > 0 {
		v.Add("bastion.allowedCidrs", "eks clusters have no bastion")
	}
}

// refuseEKSFields reports EKS-only settings on a self-managed cluster.
func refuseEKSFields(v *ValidationErrors, s ClusterSpec) {
	if s.EKS != nil {
		v.Add("eks", "only allowed with kind eks")
	}
	for i, p := range s.NodePools {
		f := fieldAt("nodePools", i)
		for _, x := range []struct {
			field string
			set   bool
		}{
			{".minSize", p.MinSize != nil},
			{".maxSize", p.MaxSize != nil},
			{".instanceTypes", len(p.InstanceTypes) > 0},
			{".maxUnavailable", p.MaxUnavailable != 0},
		} {
			if x.set {
				v.Add(f+x.field, "only allowed with kind eks (managed node groups)")
			}
		}
	}
}

func validateEKSSpec(v *ValidationErrors, s ClusterSpec) {
	e := s.EKS
	if !slices.Contains(EKSVersions, e.KubernetesVersion) {
		v.Add("eks.kubernetesVersion", "must be one of %v", EKSVersions)
	}
	ea := e.EndpointAccess
	if !ea.IsPublic() && !ea.IsPrivate() {
		v.Add("eks.endpointAccess", "at least one of public and private must be true, or the API server is unreachable")
	}
	switch {
	case !ea.IsPublic() && len(ea.PublicCIDRs) > 0:
		v.Add("eks.endpointAccess.publicCidrs", "only allowed when public is true")
	case len(ea.PublicCIDRs) > MaxEKSPublicAccessCIDRs:
		v.Add("eks.endpointAccess.publicCidrs", "at most %d CIDRs (EKS's limit)", MaxEKSPublicAccessCIDRs)
	default:
		for i, c := range ea.PublicCIDRs {
			if msg := checkIPv4CIDR(c); msg != "" {
				v.Add(fieldAt("eks.endpointAccess.publicCidrs", i), "%s", msg)
			}
		}
	}
	if k := e.SecretsEncryptionKeyARN; k != "" {
		m := kmsKeyARNRe.FindStringSubmatch(k)
		switch {
		case m == nil:
			v.Add("eks.secretsEncryptionKeyArn", "must be a KMS key ARN: arn:aws:kms:<region>:<12-digit account>:key/<key id>")
		case m[2] != s.Region:
			v.Add("eks.secretsEncryptionKeyArn", "the key must be in the cluster's region %s", s.Region)
		}
	}
	seen := map[string]bool{}
	for i, t := range e.Logging {
		switch {
		case !slices.Contains(EKSLogTypes, t):
			v.Add(fieldAt("eks.logging", i), "must be one of %v", EKSLogTypes)
		case seen[t]:
			v.Add(fieldAt("eks.logging", i), "duplicate log type %s", t)
		}
		seen[t] = true
	}
	for _, r := range []struct{ field, arn string }{
		{"eks.clusterRoleArn", e.ClusterRoleARN},
		{"eks.nodeRoleArn", e.NodeRoleARN},
		{"eks.podExecutionRoleArn", e.PodExecutionRoleARN},
	} {
		if r.arn != "" && !iamRoleARNRe.MatchString(r.arn) {
			v.Add(r.field, "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>")
		}
	}
	validateFargateProfiles(v, e.FargateProfiles)
}

func validateFargateProfiles(v *ValidationErrors, profiles []FargateProfileSpec) {
	names := map[string]int{}
	for i, fp := range profiles {
		f := fieldAt("eks.fargateProfiles", i)
		switch {
		case fp.Name == "":
			v.Add(f+".name", "is required")
		case len(fp.Name) > MaxFargateProfileName || !fargateProfileNameRe.MatchString(fp.Name):
			v.Add(f+".name", "must be 1–%d characters: letters, digits, '-' and '_', starting with a letter or digit", MaxFargateProfileName)
		default:
			if first, dup := names[fp.Name]; dup {
				v.Add(f+".name", "duplicate Fargate profile name (also eks.fargateProfiles[%d])", first)
			} else {
				names[fp.Name] = i
			}
		}
		if n := len(fp.Selectors); n < 1 || n > MaxFargateProfileSelectors {
			v.Add(f+".selectors", "must list 1 to %d selectors", MaxFargateProfileSelectors)
		}
		for j, sel := range fp.Selectors {
			sf := fieldAt(f+".selectors", j)
			if msg := checkDNSLabel(sel.Namespace, MaxDNSLabel); msg != "" {
				v.Add(sf+".namespace", "%s", msg)
			}
			if len(sel.Labels) > MaxFargateSelectorLabels {
				v.Add(sf+".labels", "at most %d labels per selector", MaxFargateSelectorLabels)
			}
			for _, k := range sortedKeys(sel.Labels) {
				lf := fieldKey(sf+".labels", k)
				if msg := checkLabelKey(k); msg != "" {
					v.Add(lf, "key %s", msg)
				}
				if msg := checkLabelValue(sel.Labels[k]); msg != "" {
					v.Add(lf, "value %s", msg)
				}
			}
		}
	}
}

// validateNodeGroups checks the pools of an eks cluster: each a managed
// node group, none a control plane.
func validateNodeGroups(v *ValidationErrors, s ClusterSpec, raw []NodePoolSpec, cat Catalog, regionOK bool) {
	names := map[string]int{}
	for i, p := range s.NodePools {
		f := fieldAt("nodePools", i)
		if p.ControlPlane {
			v.Add(f+".controlPlane", "eks clusters have no control-plane pool: AWS runs the control plane")
		}
		if msg := checkDNSLabel(p.Name, MaxDNSLabel); msg != "" {
			v.Add(f+".name", "%s", msg)
		} else if first, dup := names[p.Name]; dup {
			v.Add(f+".name", "duplicate pool name %q (also nodePools[%d])", p.Name, first)
		} else {
			names[p.Name] = i
		}
		validateNodeGroup(v, f, p, len(raw[i].AZs) > 0, s, cat, regionOK)
	}
	fargate := 0
	if s.EKS != nil {
		fargate = len(s.EKS.FargateProfiles)
	}
	if len(s.NodePools) == 0 && fargate == 0 {
		v.Add("nodePools", "an eks cluster needs at least one node pool or one Fargate profile (eks.fargateProfiles)")
	}
}

func validateNodeGroup(v *ValidationErrors, f string, p NodePoolSpec, ownAZs bool, s ClusterSpec, cat Catalog, regionOK bool) {
	validateNodeGroupScaling(v, f, p)
	azs := validatePoolAZs(v, f, p, ownAZs, s, cat, regionOK)
	validateNodeGroupInstanceTypes(v, f, p, s, azs, cat, regionOK)
	validateNodeLabels(v, f, p.Labels)
	validateTaints(v, f, p.Taints)
	if p.RollingUpdate != "" {
		v.Add(f+".rollingUpdate", "not used by eks clusters: EKS replaces nodes by updateConfig; set maxUnavailable instead")
	}
	validateRootVolume(v, f, p)
	switch {
	case !slices.Contains(capacityTypes, p.Capacity.Type):
		v.Add(f+".capacity.type", "must be one of %v", capacityTypes)
	case p.Capacity.SpotMaxPricePercent != 0:
		v.Add(f+".capacity.spotMaxPricePercent", "not used by eks clusters: managed node groups bid up to the on-demand price")
	}
	if p.AllowWorkerCapability {
		v.Add(f+".allowWorkerCapability", "only applies to a self-managed control-plane pool")
	}
}

// validateNodeGroupInstanceTypes checks instanceTypes (defaults applied,
// so never empty): at most 20, distinct, known and offered in the pool's
// AZs; instanceType must be one of them.
func validateNodeGroupInstanceTypes(v *ValidationErrors, f string, p NodePoolSpec, s ClusterSpec, azs []string, cat Catalog, regionOK bool) {
	if len(p.InstanceTypes) > MaxNodeGroupInstanceTypes {
		v.Add(f+".instanceTypes", "must list 1 to %d instance types", MaxNodeGroupInstanceTypes)
		return
	}
	seen := map[string]bool{}
	for j, it := range p.InstanceTypes {
		jf := fieldAt(f+".instanceTypes", j)
		if seen[it] {
			v.Add(jf, "duplicate instance type %s", it)
			continue
		}
		seen[it] = true
		checkInstanceType(v, jf, it, s.Region, azs, cat, regionOK)
	}
	if !slices.Contains(p.InstanceTypes, p.InstanceType) {
		v.Add(f+".instanceType", "must be one of instanceTypes (or left out: the first of them)")
	}
}

// validateNodeGroupScaling checks a node group's scaling config as EKS
// does: 0 ≤ min ≤ size ≤ max ≤ 450, max ≥ 1, and the update config's
// maxUnavailable between 1 and max (EKS caps it at 100).
func validateNodeGroupScaling(v *ValidationErrors, f string, p NodePoolSpec) {
	minSize, maxSize := deref(p.MinSize), deref(p.MaxSize)
	sizeOK := true
	if p.Size < 0 || p.Size > MaxNodeGroupSize {
		v.Add(f+".size", "must be between 0 and %d", MaxNodeGroupSize)
		sizeOK = false
	}
	if minSize < 0 || minSize > MaxNodeGroupSize {
		v.Add(f+".minSize", "must be between 0 and %d", MaxNodeGroupSize)
		sizeOK = false
	}
	if maxSize < 1 || maxSize > MaxNodeGroupSize {
		v.Add(f+".maxSize", "must be between 1 and %d", MaxNodeGroupSize)
		sizeOK = false
	}
	if sizeOK {
		switch {
		case minSize > maxSize:
			v.Add(f+".minSize", "must be at most maxSize (%d)", maxSize)
		case p.Size < minSize || p.Size > maxSize:
			v.Add(f+".size", "must be between minSize (%d) and maxSize (%d)", minSize, maxSize)
		}
	}
	if limit := min(max(maxSize, 1), MaxNodeGroupUnavailable); p.MaxUnavailable < 1 || p.MaxUnavailable > limit {
		v.Add(f+".maxUnavailable", "must be between 1 and %d (maxSize, at most %d)", limit, MaxNodeGroupUnavailable)
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
