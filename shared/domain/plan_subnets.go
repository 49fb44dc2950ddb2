package domain

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
)

// Limits on a dynamic VPC's CIDR and the subnets carved from it.
const (
	MinVPCPrefix    = 16 // AWS's largest VPC
	MaxVPCPrefix    = 24 // smaller VPCs leave no room for growth and extra pools
	MaxSubnetPrefix = 27 // 32 addresses minus AWS's 5 reserved: the smallest useful subnet
	MaxAZs          = 6
)

// AZSubnets are the two subnets of one AZ.
type AZSubnets struct {
	AZ      string `json:"az"`
	Private string `json:"private"`
	Public  string `json:"public"`
}

// subnetBits says how a VPC is cut for n AZs. The VPC is split into
// 2^slotBits equal slots; the first n slots are the private subnets (nodes
// live there, so they get the room); the next free slot is split into
// 2^publicBits public subnets, which only hold NAT gateways, the bastion and
// load balancer interfaces. At least one slot stays free for every n, and the
// public split is at least 2 so public subnets are always smaller.
//
//	/16, 3 AZs: private /18 ×3 (10.0.0.0, .64, .128), public /20 ×3 from 10.0.192.0/18
func subnetBits(n int) (slotBits, publicBits int) {
	slotBits = ceilLog2(n + 1)
	publicBits = ceilLog2(max(n, 2))
	return slotBits, publicBits
}

func ceilLog2(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// SmallestVPCPrefix is the longest VPC prefix (the smallest VPC) that still
// yields subnets of at least /27 for n AZs, capped to the accepted range.
func SmallestVPCPrefix(n int) int {
	slotBits, publicBits := subnetBits(n)
	return min(MaxSubnetPrefix-slotBits-publicBits, MaxVPCPrefix)
}

// ParseVPCCIDR checks a dynamic VPC CIDR: IPv4, in canonical form (AWS would
// otherwise silently use a different range than the user wrote), /16–/24.
func ParseVPCCIDR(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 CIDR", cidr)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set; did you mean %s?", cidr, p.Masked())
	}
	if p.Bits() < MinVPCPrefix || p.Bits() > MaxVPCPrefix {
		return netip.Prefix{}, fmt.Errorf("%q: the VPC prefix must be between /%d and /%d", cidr, MinVPCPrefix, MaxVPCPrefix)
	}
	return p, nil
}

// CarveSubnets cuts one private and one public subnet per AZ out of the VPC
// CIDR, deterministically (same input, same CIDRs: a retried task finds the
// subnet it created before), without overlaps.
func CarveSubnets(vpcCIDR string, azs []string) ([]AZSubnets, error) {
	vpc, err := ParseVPCCIDR(vpcCIDR)
	if err != nil {
		return nil, err
	}
	n := len(azs)
	if n < 1 || n > MaxAZs {
		return nil, fmt.Errorf("need 1 to %d AZs, got %d", MaxAZs, n)
	}
	if need := SmallestVPCPrefix(n); vpc.Bits() > need {
		return nil, fmt.Errorf("%s is too small for %d AZs: use /%d or larger so every subnet is at least /%d",
			vpcCIDR, n, need, MaxSubnetPrefix)
	}
	slotBits, publicBits := subnetBits(n)
	slot := vpc.Bits() + slotBits
	publicBlock := nthSubnet(vpc, slot, n) // the first slot after the private ones
	out := make([]AZSubnets, n)
	for i, az := range azs {
		out[i] = AZSubnets{
			AZ:      az,
			Private: nthSubnet(vpc, slot, i).String(),
			Public:  nthSubnet(publicBlock, slot+publicBits, i).String(),
		}
	}
	return out, nil
}

// nthSubnet is the i-th /bits block inside parent.
func nthSubnet(parent netip.Prefix, prefixBits, i int) netip.Prefix {
	a4 := parent.Addr().As4()
	base := binary.BigEndian.Uint32(a4[:])
	base += uint32(i) << (32 - prefixBits)
	binary.BigEndian.PutUint32(a4[:], base)
	return netip.PrefixFrom(netip.AddrFrom4(a4), prefixBits)
}
