package domain_test

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func azNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("us-east-1%c", 'a'+i)
	}
	return out
}

func TestCarveSubnetsSlash16ThreeAZs(t *testing.T) {
	got, err := domain.CarveSubnets("10.0.0.0/16", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.AZSubnets{
		{AZ: "a", Private: "10.0.0.0/18", Public: "10.0.192.0/20"},
		{AZ: "b", Private: "10.0.64.0/18", Public: "10.0.208.0/20"},
		{AZ: "c", Private: "10.0.128.0/18", Public: "10.0.224.0/20"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// TestCarveSubnetsProperties checks every AZ count against CIDRs from the
// largest VPC to the smallest that fits: subnets inside the VPC, pairwise
// disjoint, private larger than public, none smaller than /27; and one
// prefix smaller than that is refused, naming what would fit.
func TestCarveSubnetsProperties(t *testing.T) {
	wantSmallest := map[int]int{1: 24, 2: 24, 3: 23, 4: 22, 5: 21, 6: 21}
	for n := 1; n <= 6; n++ {
		if got := domain.SmallestVPCPrefix(n); got != wantSmallest[n] {
			t.Errorf("SmallestVPCPrefix(%d) = %d, want %d", n, got, wantSmallest[n])
		}
		for bits := 16; bits <= 24; bits++ {
			vpcCIDR := fmt.Sprintf("172.20.0.0/%d", bits)
			if bits == 24 {
				vpcCIDR = "192.168.7.0/24"
			}
			vpc := netip.MustParsePrefix(vpcCIDR)
			subnets, err := domain.CarveSubnets(vpcCIDR, azNames(n))
			if bits > wantSmallest[n] {
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("/%d", wantSmallest[n])) {
					t.Errorf("%d AZs in %s: want an error naming /%d, got %v", n, vpcCIDR, wantSmallest[n], err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%d AZs in %s: %v", n, vpcCIDR, err)
			}
			var all []netip.Prefix
			for i, s := range subnets {
				priv, pub := netip.MustParsePrefix(s.Private), netip.MustParsePrefix(s.Public)
				if s.AZ != azNames(n)[i] {
					t.Errorf("subnet %d is for %s", i, s.AZ)
				}
				if priv.Bits() >= pub.Bits() {
					t.Errorf("%s: private %s not larger than public %s", vpcCIDR, priv, pub)
				}
				all = append(all, priv, pub)
			}
			for i, a := range all {
				if a.Bits() > 27 || !vpc.Contains(a.Addr()) || a.Bits() < vpc.Bits() || a.Masked() != a {
					t.Errorf("%s: subnet %s is not a /27-or-larger block inside the VPC", vpcCIDR, a)
				}
				for _, b := range all[i+1:] {
					if a.Overlaps(b) {
						t.Errorf("%s, %d AZs: %s overlaps %s", vpcCIDR, n, a, b)
					}
				}
			}
		}
	}
}

func TestCarveSubnetsDeterministic(t *testing.T) {
	a, _ := domain.CarveSubnets("10.8.0.0/20", azNames(4))
	b, _ := domain.CarveSubnets("10.8.0.0/20", azNames(4))
	if !reflect.DeepEqual(a, b) {
		t.Error("same input, different subnets")
	}
}

func TestCarveSubnetsRejects(t *testing.T) {
	for _, tc := range []struct {
		cidr string
		azs  int
	}{{"10.0.0.0/15", 1}, {"10.0.0.0/25", 1}, {"10.0.0.5/16", 1}, {"::/64", 1}, {"10.0.0.0/16", 0}, {"10.0.0.0/16", 7}} {
		if _, err := domain.CarveSubnets(tc.cidr, azNames(tc.azs)); err == nil {
			t.Errorf("CarveSubnets(%s, %d AZs) should fail", tc.cidr, tc.azs)
		}
	}
}

func TestSpreadAcrossAZs(t *testing.T) {
	abc := []string{"a", "b", "c"}
	for _, tc := range []struct {
		size int
		azs  []string
		want map[string]int
	}{
		{3, abc, map[string]int{"a": 1, "b": 1, "c": 1}},
		{5, abc, map[string]int{"a": 2, "b": 2, "c": 1}},
		{1, abc, map[string]int{"a": 1, "b": 0, "c": 0}},
		{0, abc, map[string]int{"a": 0, "b": 0, "c": 0}},
		{7, []string{"x"}, map[string]int{"x": 7}},
		{4, nil, map[string]int{}},
	} {
		if got := domain.SpreadAcrossAZs(tc.size, tc.azs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SpreadAcrossAZs(%d, %v) = %v, want %v", tc.size, tc.azs, got, tc.want)
		}
	}
}
