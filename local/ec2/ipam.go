package ec2

import (
	"net/netip"
)

// AWS reserves the first four addresses and the last one of every subnet.
const reservedAddressesPerSubnet = 5

func parseCIDR(param, cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errBadRequest("InvalidParameterValue", "Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", cidr, param)
	}
	return p.Masked(), nil
}

// prefixWithin reports whether inner lies entirely inside outer.
func prefixWithin(inner, outer netip.Prefix) bool {
	return inner.Bits() >= outer.Bits() && outer.Contains(inner.Addr())
}

func addressCount(p netip.Prefix) int { return 1 << (32 - p.Bits()) }

// addrAt returns the n-th address of p.
func addrAt(p netip.Prefix, n int) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// allocatePrivateIP takes the lowest free host address of the subnet, or
// the requested one when given.
func (sn *subnet) allocatePrivateIP(requested string) (string, error) {
	if requested != "" {
		a, err := netip.ParseAddr(requested)
		if err != nil || !sn.cidr.Contains(a) {
			return "", errBadRequest("InvalidParameterValue", "Address %s does not fall within the subnet's address range", requested)
		}
		if sn.usedIPs[a] {
			return "", errBadRequest("InvalidIPAddress.InUse", "Address %s is in use.", requested)
		}
		sn.usedIPs[a] = true
		return a.String(), nil
	}
	for n := 4; n < addressCount(sn.cidr)-1; n++ {
		a := addrAt(sn.cidr, n)
		if !sn.usedIPs[a] {
			sn.usedIPs[a] = true
			return a.String(), nil
		}
	}
	return "", errBadRequest("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", sn.id)
}

func (sn *subnet) releasePrivateIP(ip string) {
	if a, err := netip.ParseAddr(ip); err == nil {
		delete(sn.usedIPs, a)
	}
}

func (sn *subnet) availableIPs() int {
	return addressCount(sn.cidr) - reservedAddressesPerSubnet - len(sn.usedIPs)
}
