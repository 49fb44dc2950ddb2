package spec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ClusterFlags are the create shortcuts for the common case: a dynamic
// VPC, one control-plane pool and one worker pool.
type ClusterFlags struct {
	Name, Description   string
	Account, Profile    string // ids (acc-…, prf-…); names are resolved by the caller
	Region              string
	AZs                 []string
	NATGateways         string
	SSHKey              string
	BastionCIDRs        []string
	NoBastion           bool
	ControlPlaneSize    int // 0: 3 with three or more AZs, else 1
	ControlPlaneType    string
	Workers             int
	WorkerPool          string
	InstanceType        string
	SpotMaxPricePercent int // >0: workers on spot at this % of on-demand
}

// Cluster builds the POST /v1/clusters body (DESIGN §3) from the flags.
// Only what was given is sent, so the API's defaults apply to the rest.
func Cluster(f ClusterFlags) (map[string]any, error) {
	var missing []string
	for flag, v := range map[string]string{"--name": f.Name, "--account": f.Account, "--profile": f.Profile, "--region": f.Region} {
		if v == "" {
			missing = append(missing, flag)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s (or give the whole spec with -f)", joinSorted(missing))
	}
	if f.Workers < 0 {
		return nil, errors.New("--workers must be 0 or more")
	}
	body := map[string]any{
		"name": f.Name, "cloudAccountId": f.Account, "profileId": f.Profile, "region": f.Region,
	}
	setIf(body, "description", f.Description)
	setIf(body, "sshKeyName", f.SSHKey)

	placement := map[string]any{"type": "dynamic"}
	if len(f.AZs) > 0 {
		placement["azs"] = f.AZs
	}
	setIf(placement, "natGateways", f.NATGateways)
	body["placement"] = placement

	switch {
	case f.NoBastion:
		body["bastion"] = map[string]any{"enabled": false}
	case len(f.BastionCIDRs) > 0:
		body["bastion"] = map[string]any{"enabled": true, "allowedCidrs": f.BastionCIDRs}
	}

	cpSize := f.ControlPlaneSize
	if cpSize == 0 {
		cpSize = 1
		if len(f.AZs) >= 3 {
			cpSize = 3 // one per AZ: survives losing an AZ
		}
	}
	cp := map[string]any{"name": "control-plane", "controlPlane": true, "size": cpSize}
	setIf(cp, "instanceType", first(f.ControlPlaneType, f.InstanceType))
	pools := []map[string]any{cp}
	if f.Workers > 0 {
		w := map[string]any{"name": first(f.WorkerPool, "workers"), "size": f.Workers}
		setIf(w, "instanceType", f.InstanceType)
		if f.SpotMaxPricePercent > 0 {
			w["capacity"] = map[string]any{"type": "spot", "spotMaxPricePercent": f.SpotMaxPricePercent}
		}
		pools = append(pools, w)
	}
	body["nodePools"] = pools
	return body, nil
}

func setIf(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// joinSorted names flags in a stable order (they come from a map).
func joinSorted(s []string) string {
	slices.Sort(s)
	return strings.Join(s, ", ")
}
