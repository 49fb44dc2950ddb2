package domain

import (
	"encoding/json"
	"slices"
)

// validateNodePools checks the pools of s (defaults applied); raw are the
// pools as requested, to tell AZs the user chose from AZs inherited from the
// cluster, whose problems are already reported once on placement.azs.
func validateNodePools(v *ValidationErrors, s ClusterSpec, raw []NodePoolSpec, cat Catalog, regionOK bool) {
	controlPlanes := 0
	names := map[string]int{}
	for i, p := range s.NodePools {
		f := fieldAt("nodePools", i)
		if p.ControlPlane {
			controlPlanes++
			if controlPlanes > 1 {
				v.Add(f+".controlPlane", "only one control-plane pool is allowed")
			}
		}
		if msg := checkDNSLabel(p.Name, MaxDNSLabel); msg != "" {
			v.Add(f+".name", "%s", msg)
		} else if first, dup := names[p.Name]; dup {
			v.Add(f+".name", "duplicate pool name %q (also nodePools[%d])", p.Name, first)
		} else {
			names[p.Name] = i
		}
		validatePool(v, f, p, len(raw[i].AZs) > 0, s, cat, regionOK)
	}
	if controlPlanes == 0 {
		v.Add("nodePools", "exactly one control-plane pool (controlPlane: true) is required")
	}
}

func validatePool(v *ValidationErrors, f string, p NodePoolSpec, ownAZs bool, s ClusterSpec, cat Catalog, regionOK bool) {
	switch {
	case p.ControlPlane && !slices.Contains(ControlPlaneSizes, p.Size):
		v.Add(f+".size", "a control plane must have %v nodes so etcd keeps quorum", ControlPlaneSizes)
	case !p.ControlPlane && (p.Size < 0 || p.Size > MaxWorkerPoolSize):
		v.Add(f+".size", "must be between 0 and %d", MaxWorkerPoolSize)
	}
	azs := validatePoolAZs(v, f, p, ownAZs, s, cat, regionOK)
	if info, ok := checkInstanceType(v, f+".instanceType", p.InstanceType, s.Region, azs, cat, regionOK); ok && p.ControlPlane {
		if info.VCPUs < MinControlPlaneVCPUs || info.MemoryMiB < MinControlPlaneMemoryMiB {
			v.Add(f+".instanceType", "%s is too small for a control plane: need at least %d vCPUs and %d MiB",
				p.InstanceType, MinControlPlaneVCPUs, MinControlPlaneMemoryMiB)
		}
	}
	validateNodeLabels(v, f, p.Labels)
	validateTaints(v, f, p.Taints)
	if !slices.Contains(rollingUpdates, p.RollingUpdate) {
		v.Add(f+".rollingUpdate", "must be one of %v", rollingUpdates)
	}
	validateRootVolume(v, f, p)
	validateCapacity(v, f, p)
	if p.AllowWorkerCapability && !p.ControlPlane {
		v.Add(f+".allowWorkerCapability", "only applies to the control-plane pool")
	}
}

// validatePoolAZs checks a pool's own AZs and returns those that exist in
// the region, the ones whose instance type offerings are worth checking
// (the others are reported already).
func validatePoolAZs(v *ValidationErrors, f string, p NodePoolSpec, ownAZs bool, s ClusterSpec, cat Catalog, regionOK bool) []string {
	// Pool AZs must be a subset of the cluster's; with static placement and
	// no cluster AZs the preflight checks them against the subnets instead.
	regionAZs := cat.AZs(s.Region)
	if ownAZs {
		var within []string
		if len(s.Placement.AZs) > 0 {
			within = s.Placement.AZs
		}
		checkAZList(v, f+".azs", p.AZs, regionOK, regionAZs, within)
	}
	return slices.DeleteFunc(slices.Clone(p.AZs), func(az string) bool { return !slices.Contains(regionAZs, az) })
}

// validateNodeLabels checks labels a kubelet sets on its own node.
func validateNodeLabels(v *ValidationErrors, f string, labels map[string]string) {
	for _, k := range sortedKeys(labels) {
		lf := fieldKey(f+".labels", k)
		if msg := checkQualifiedName(k); msg != "" {
			v.Add(lf, "key %s", msg)
		}
		if msg := checkLabelValue(labels[k]); msg != "" {
			v.Add(lf, "value %s", msg)
		}
	}
}

func validateRootVolume(v *ValidationErrors, f string, p NodePoolSpec) {
	if p.RootVolumeGiB < MinRootVolumeGiB || p.RootVolumeGiB > MaxRootVolumeGiB {
		v.Add(f+".rootVolumeGiB", "must be between %d and %d", MinRootVolumeGiB, MaxRootVolumeGiB)
	}
}

func validateTaints(v *ValidationErrors, f string, taints []Taint) {
	seen := map[string]bool{}
	for j, t := range taints {
		tf := fieldAt(f+".taints", j)
		if msg := checkQualifiedName(t.Key); msg != "" {
			v.Add(tf+".key", "%s", msg)
		}
		if msg := checkLabelValue(t.Value); msg != "" {
			v.Add(tf+".value", "%s", msg)
		}
		if !slices.Contains(taintEffects, t.Effect) {
			v.Add(tf+".effect", "must be one of %v", taintEffects)
		}
		// Kubernetes identifies a taint by key and effect; a second one
		// would be rejected by the kubelet at registration.
		id := t.Key + ":" + t.Effect
		if seen[id] {
			v.Add(tf, "duplicate taint %s with effect %s", t.Key, t.Effect)
		}
		seen[id] = true
	}
}

func validateCapacity(v *ValidationErrors, f string, p NodePoolSpec) {
	c := p.Capacity
	switch {
	case !slices.Contains(capacityTypes, c.Type):
		v.Add(f+".capacity.type", "must be one of %v", capacityTypes)
	case c.IsSpot() && p.ControlPlane:
		v.Add(f+".capacity.type", "the control plane can't run on spot: two interruptions would lose etcd quorum")
	case c.IsSpot() && (c.SpotMaxPricePercent < 1 || c.SpotMaxPricePercent > 100):
		v.Add(f+".capacity.spotMaxPricePercent", "must be between 1 and 100 (percent of the on-demand price)")
	case !c.IsSpot() && c.SpotMaxPricePercent != 0:
		v.Add(f+".capacity.spotMaxPricePercent", "only allowed with capacity.type spot")
	}
}

// ExplicitZeroSpotPercents finds the pools of a cluster request body that
// set capacity.spotMaxPricePercent to 0. The spec type reads 0 as absent
// (WithDefaults then gives a spot pool AWS's default, 100 %), so the
// validator cannot see an explicit 0, which the contract refuses (1–100).
// body must already have passed DecodeStrict.
func ExplicitZeroSpotPercents(body []byte) []FieldError {
	var raw struct {
		NodePools []struct {
			Capacity struct {
				SpotMaxPricePercent *json.Number `json:"spotMaxPricePercent"`
			} `json:"capacity"`
		} `json:"nodePools"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	var out []FieldError
	for i, p := range raw.NodePools {
		if n := p.Capacity.SpotMaxPricePercent; n != nil {
			if v, err := n.Float64(); err == nil && v == 0 {
				out = append(out, FieldError{
					Field:   string(Path("nodePools").Index(i).Field("capacity").Field("spotMaxPricePercent")),
					Message: "must be between 1 and 100 (percent of the on-demand price)",
				})
			}
		}
	}
	return out
}
