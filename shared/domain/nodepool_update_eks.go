package domain

import "slices"

// Node pool edits on a running eks cluster. A managed node group takes new
// scaling (size, minSize, maxSize), labels, taints and update config in
// place (UpdateNodegroupConfig); new instance types need a new node group
// (the replacement "<pool>-<n>"), since EKS keeps a group's instance types
// for its life. Its subnets, capacity type and disk size are fixed as
// well, and ClusterForge does not replace a group for those: the user adds
// a pool with the new setting and removes the old one, deciding when the
// pods move.

// ValidateNodeGroupChanges checks the pool edits between two effective
// specs (defaults applied) of an eks cluster, beyond what ValidateCluster
// checks of the result; nil for other kinds. Pools added or removed are
// always allowed here.
func ValidateNodeGroupChanges(before, after ClusterSpec) error {
	if after.Kind != KindEKS {
		return nil
	}
	var v ValidationErrors
	for i, p := range after.NodePools {
		j := slices.IndexFunc(before.NodePools, func(b NodePoolSpec) bool { return b.Name == p.Name })
		if j < 0 {
			continue
		}
		prev, f := before.NodePools[j], fieldAt("nodePools", i)
		if !slices.Equal(prev.AZs, p.AZs) {
			v.Add(f+".azs", "an EKS node group's subnets cannot change; add a pool in the new availability zones and remove this one")
		}
		if prev.Capacity.Type != p.Capacity.Type {
			v.Add(f+".capacity.type", "an EKS node group's capacity type cannot change; add a pool with the new capacity type and remove this one")
		}
		if prev.RootVolumeGiB != p.RootVolumeGiB {
			v.Add(f+".rootVolumeGiB", "an EKS node group's disk size cannot change; add a pool with the new size and remove this one")
		}
	}
	return v.Err()
}

// NodeGroupNeedsReplacement reports whether a pool's edit needs a new node
// group: its instance types changed (order included: the first is the
// pool's instanceType).
func NodeGroupNeedsReplacement(before, after NodePoolSpec) bool {
	return !slices.Equal(before.InstanceTypes, after.InstanceTypes) || before.InstanceType != after.InstanceType
}
