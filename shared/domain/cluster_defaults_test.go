package domain_test

import (
	"reflect"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func minimalSpec() domain.ClusterSpec {
	return domain.ClusterSpec{
		Name: "dev", ProfileID: testProfileID, CloudAccountID: testAccountID, Region: "us-west-2",
		SSHKeyName: "ops",
		Placement:  domain.Placement{AZs: []string{"us-west-2a", "us-west-2b"}},
		Bastion:    domain.Bastion{AllowedCIDRs: []string{"198.51.100.0/24"}},
		NodePools: []domain.NodePoolSpec{
			{Name: "cp", ControlPlane: true, Size: 1},
			{Name: "workers", Size: 2},
			{Name: "spot", Size: 1, Capacity: domain.Capacity{Type: domain.CapacitySpot}},
		},
	}
}

func TestWithDefaults(t *testing.T) {
	in := minimalSpec()
	before := minimalSpec()
	got := domain.WithDefaults(in)
	if !reflect.DeepEqual(in, before) {
		t.Fatalf("WithDefaults mutated its argument: %+v", in)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"kind", got.Kind, domain.KindSelfManaged},
		{"placement.type", got.Placement.Type, "dynamic"},
		{"placement.vpcCidr", got.Placement.VPCCIDR, "10.0.0.0/16"},
		{"placement.natGateways", got.Placement.NATGateways, "perAz"},
		{"apiServer.scheme", got.APIServer.Scheme, "internet-facing"},
		{"apiServer.allowedCidrs", got.APIServer.AllowedCIDRs, []string{"0.0.0.0/0"}},
		{"bastion.enabled", *got.Bastion.Enabled, true},
		{"bastion.instanceType", got.Bastion.InstanceType, "t3.micro"},
		{"cp instanceType", got.NodePools[0].InstanceType, "m5.large"},
		{"cp azs", got.NodePools[0].AZs, []string{"us-west-2a", "us-west-2b"}},
		{"cp rootVolumeGiB", got.NodePools[0].RootVolumeGiB, 80},
		{"cp rollingUpdate", got.NodePools[0].RollingUpdate, "expandFirst"},
		{"cp capacity", got.NodePools[0].Capacity, domain.Capacity{Type: "onDemand"}},
		{"worker instanceType", got.NodePools[1].InstanceType, "m5.large"},
		{"worker azs", got.NodePools[1].AZs, []string{"us-west-2a", "us-west-2b"}},
		{"worker rootVolumeGiB", got.NodePools[1].RootVolumeGiB, 50},
		{"worker capacity", got.NodePools[1].Capacity.Type, "onDemand"},
		{"spot max percent", got.NodePools[2].Capacity.SpotMaxPricePercent, 100},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// The pools' AZs are copies: changing one must not change the cluster's.
	got.NodePools[1].AZs[0] = "changed"
	if got.Placement.AZs[0] != "us-west-2a" || in.Placement.AZs[0] != "us-west-2a" {
		t.Error("pool AZs alias the cluster's AZs")
	}
	if err := domain.ValidateCluster(in, catalog()); err != nil {
		t.Errorf("minimal spec with defaults should validate: %v", err)
	}
}

func TestWithDefaultsKeepsUserValues(t *testing.T) {
	s := example(t)
	s.Bastion.Enabled = new(false)
	s.NodePools[1].RootVolumeGiB = 200
	got := domain.WithDefaults(s)
	if got.Bastion.IsEnabled() || got.NodePools[1].RootVolumeGiB != 200 || got.NodePools[2].Capacity.SpotMaxPricePercent != 60 {
		t.Errorf("defaults overwrote user values: %+v", got)
	}
	if got.Bastion.InstanceType != "t3.micro" {
		t.Errorf("bastion instance type changed: %q", got.Bastion.InstanceType)
	}
}

func TestWithDefaultsStatic(t *testing.T) {
	s := minimalSpec()
	s.Placement = domain.Placement{Type: domain.PlacementStatic, VPCID: "vpc-01234567",
		ControlPlaneSubnetIDs: []string{"subnet-01234567"}, WorkerSubnetIDs: []string{"subnet-89abcdef"}}
	got := domain.WithDefaults(s)
	if got.Placement.VPCCIDR != "" || got.Placement.NATGateways != "" {
		t.Errorf("static placement got dynamic defaults: %+v", got.Placement)
	}
	// No public subnets: nowhere for an internet-facing LB or a bastion.
	if got.APIServer.Scheme != domain.SchemeInternal || got.Bastion.IsEnabled() {
		t.Errorf("static without public subnets: scheme %q, bastion %v", got.APIServer.Scheme, got.Bastion.IsEnabled())
	}
	if err := domain.ValidateCluster(s, catalog()); err != nil {
		t.Errorf("static minimal spec should validate: %v", err)
	}
}
