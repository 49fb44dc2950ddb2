package domain_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestExampleValidatesClean(t *testing.T) {
	if err := domain.ValidateCluster(example(t), catalog()); err != nil {
		t.Fatalf("§3 example: %v", err)
	}
}

// notOffered hides one instance type in one AZ, as a real account might.
type notOffered struct {
	domain.Catalog
	az, instanceType string
}

func (c notOffered) Offered(region, az, it string) bool {
	return !(az == c.az && it == c.instanceType) && c.Catalog.Offered(region, az, it)
}

func staticPlacement(s *domain.ClusterSpec) {
	s.Placement = domain.Placement{
		Type: domain.PlacementStatic, VPCID: "vpc-0123456789abcdef0",
		ControlPlaneSubnetIDs: []string{"subnet-0123456789abcdef0"},
		WorkerSubnetIDs:       []string{"subnet-0123456789abcdef1", "subnet-0123456789abcdef2"},
		PublicSubnetIDs:       []string{"subnet-0123456789abcdef3"},
	}
	s.NodePools[1].AZs = nil
}

func TestValidateClusterRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	manyTags := func(s *domain.ClusterSpec) {
		for i := range 41 {
			s.Tags[long(i+1)] = "x"
		}
	}
	cases := []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		want   []string // exact field paths, in order
	}{
		// identity
		{"eks on self-managed", func(s *domain.ClusterSpec) { s.EKS = &domain.EKSSpec{} }, []string{"eks"}},
		{"node group fields on self-managed", func(s *domain.ClusterSpec) {
			s.NodePools[1].MinSize, s.NodePools[1].MaxSize = new(1), new(5)
			s.NodePools[1].InstanceTypes = []string{"m5.large"}
			s.NodePools[1].MaxUnavailable = 2
		}, []string{"nodePools[1].minSize", "nodePools[1].maxSize", "nodePools[1].instanceTypes", "nodePools[1].maxUnavailable"}},
		{"kind unknown", func(s *domain.ClusterSpec) { s.Kind = "gke" }, []string{"kind"}},
		{"name uppercase", func(s *domain.ClusterSpec) { s.Name = "Prod" }, []string{"name"}},
		{"name too long", func(s *domain.ClusterSpec) { s.Name = long(41) }, []string{"name"}},
		{"name missing", func(s *domain.ClusterSpec) { s.Name = "" }, []string{"name"}},
		{"name trailing dash", func(s *domain.ClusterSpec) { s.Name = "prod-" }, []string{"name"}},
		{"description too long", func(s *domain.ClusterSpec) { s.Description = long(257) }, []string{"description"}},
		{"too many tags", manyTags, []string{"tags"}},
		{"tag aws: prefix", func(s *domain.ClusterSpec) { s.Tags["AWS:x"] = "1" }, []string{`tags["AWS:x"]`}},
		{"tag kubernetes.io prefix", func(s *domain.ClusterSpec) { s.Tags["kubernetes.io/x"] = "1" }, []string{`tags["kubernetes.io/x"]`}},
		{"tag sigs.k8s.io prefix", func(s *domain.ClusterSpec) { s.Tags["sigs.k8s.io/x"] = "1" }, []string{`tags["sigs.k8s.io/x"]`}},
		{"tag clusterforge.io prefix", func(s *domain.ClusterSpec) { s.Tags["clusterforge.io/x"] = "1" }, []string{`tags["clusterforge.io/x"]`}},
		{"tag Name", func(s *domain.ClusterSpec) { s.Tags["Name"] = "mine" }, []string{"tags.Name"}},
		{"tag key charset", func(s *domain.ClusterSpec) { s.Tags["cost#center"] = "1" }, []string{`tags["cost#center"]`}},
		{"tag key too long", func(s *domain.ClusterSpec) { s.Tags[long(129)] = "1" }, []string{"tags." + long(129)}},
		{"tag value too long", func(s *domain.ClusterSpec) { s.Tags["team"] = long(257) }, []string{"tags.team"}},
		{"tag value charset", func(s *domain.ClusterSpec) { s.Tags["team"] = "a;b" }, []string{"tags.team"}},
		{"profile id syntax", func(s *domain.ClusterSpec) { s.ProfileID = "prf-..." }, []string{"profileId"}},
		{"account id wrong prefix", func(s *domain.ClusterSpec) { s.CloudAccountID = testProfileID }, []string{"cloudAccountId"}},
		{"account id missing", func(s *domain.ClusterSpec) { s.CloudAccountID = "" }, []string{"cloudAccountId"}},
		{"ssh key spaces", func(s *domain.ClusterSpec) { s.SSHKeyName = " ops" }, []string{"sshKeyName"}},
		{"ssh key non-ascii", func(s *domain.ClusterSpec) { s.SSHKeyName = "clé" }, []string{"sshKeyName"}},
		{"ssh key required with bastion", func(s *domain.ClusterSpec) { s.SSHKeyName = "" }, []string{"sshKeyName"}},
		{"pack override layer name", func(s *domain.ClusterSpec) { s.PackOverrides["Bad_Name"] = "a: 1" }, []string{"packOverrides.Bad_Name"}},
		{"pack override not a mapping", func(s *domain.ClusterSpec) { s.PackOverrides["kubernetes"] = "- a\n- b" }, []string{"packOverrides.kubernetes"}},
		// region and AZs
		{"region unknown", func(s *domain.ClusterSpec) { s.Region = "mars-north-1" }, []string{"region"}},
		{"az not in region", func(s *domain.ClusterSpec) {
			s.Placement.AZs[1] = "us-east-1b"
			s.NodePools[1].AZs = nil
		}, []string{"placement.azs[1]"}},
		{"az duplicate", func(s *domain.ClusterSpec) {
			s.Placement.AZs[2] = "eu-west-1a"
			s.NodePools[1].AZs = nil
		}, []string{"placement.azs[2]"}},
		{"no azs", func(s *domain.ClusterSpec) {
			s.Placement.AZs = nil
			s.NodePools[1].AZs = nil
		}, []string{"placement.azs"}},
		{"no azs, pool names its own", func(s *domain.ClusterSpec) { s.Placement.AZs = nil }, []string{"placement.azs"}},
		{"seven azs", func(s *domain.ClusterSpec) {
			s.Region = "us-east-1"
			s.Placement.AZs = []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f", "us-east-1a"}
			s.NodePools[1].AZs = nil
		}, []string{"placement.azs", "placement.azs[6]"}},
		{"pool az not in region", func(s *domain.ClusterSpec) { s.NodePools[1].AZs[0] = "us-east-1a" }, []string{"nodePools[1].azs[0]"}},
		// VPC CIDR
		{"vpc cidr /8", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.0/8" }, []string{"placement.vpcCidr"}},
		{"vpc cidr /25", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.0/25" }, []string{"placement.vpcCidr"}},
		{"vpc cidr host bits", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.1/16" }, []string{"placement.vpcCidr"}},
		{"vpc cidr ipv6", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "fd00::/56" }, []string{"placement.vpcCidr"}},
		{"vpc cidr garbage", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "ten-oh" }, []string{"placement.vpcCidr"}},
		{"vpc cidr too small for 3 azs", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.0.0.0/24" }, []string{"placement.vpcCidr"}},
		{"nat layout", func(s *domain.ClusterSpec) { s.Placement.NATGateways = "both" }, []string{"placement.natGateways"}},
		{"placement type", func(s *domain.ClusterSpec) { s.Placement.Type = "hybrid" }, []string{"placement.type"}},
		{"dynamic with vpc id", func(s *domain.ClusterSpec) { s.Placement.VPCID = "vpc-0123456789abcdef0" }, []string{"placement.vpcId"}},
		{"dynamic with subnets", func(s *domain.ClusterSpec) { s.Placement.WorkerSubnetIDs = []string{"subnet-01234567"} }, []string{"placement.workerSubnetIds"}},
		// static placement
		{"static with vpc cidr", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.VPCCIDR = "10.0.0.0/16" }, []string{"placement.vpcCidr"}},
		{"static with nat", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.NATGateways = domain.NATSingle }, []string{"placement.natGateways"}},
		{"static vpc id syntax", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.VPCID = "vpc-XYZ" }, []string{"placement.vpcId"}},
		{"static vpc id missing", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.VPCID = "" }, []string{"placement.vpcId"}},
		{"static no worker subnets", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.WorkerSubnetIDs = nil }, []string{"placement.workerSubnetIds"}},
		{"static no control-plane subnets", func(s *domain.ClusterSpec) { staticPlacement(s); s.Placement.ControlPlaneSubnetIDs = nil }, []string{"placement.controlPlaneSubnetIds"}},
		{"static subnet syntax", func(s *domain.ClusterSpec) {
			staticPlacement(s)
			s.Placement.WorkerSubnetIDs[1] = "sn-1"
		}, []string{"placement.workerSubnetIds[1]"}},
		{"static duplicate subnet", func(s *domain.ClusterSpec) {
			staticPlacement(s)
			s.Placement.WorkerSubnetIDs[1] = s.Placement.WorkerSubnetIDs[0]
		}, []string{"placement.workerSubnetIds[1]"}},
		{"static public resources without public subnets", func(s *domain.ClusterSpec) {
			staticPlacement(s)
			s.Placement.PublicSubnetIDs = nil
		}, []string{"apiServer.scheme", "bastion.enabled"}},
		// API server and bastion
		{"api scheme", func(s *domain.ClusterSpec) { s.APIServer.Scheme = "public" }, []string{"apiServer.scheme"}},
		{"api cidr", func(s *domain.ClusterSpec) { s.APIServer.AllowedCIDRs = []string{"0.0.0.0/0", "10.0.0.0/33"} }, []string{"apiServer.allowedCidrs[1]"}},
		{"api cidr host bits", func(s *domain.ClusterSpec) { s.APIServer.AllowedCIDRs = []string{"203.0.113.7/24"} }, []string{"apiServer.allowedCidrs[0]"}},
		{"bastion type unknown", func(s *domain.ClusterSpec) { s.Bastion.InstanceType = "t9.huge" }, []string{"bastion.instanceType"}},
		{"bastion cidrs required", func(s *domain.ClusterSpec) { s.Bastion.AllowedCIDRs = nil }, []string{"bastion.allowedCidrs"}},
		{"bastion cidr", func(s *domain.ClusterSpec) { s.Bastion.AllowedCIDRs = []string{"::/0"} }, []string{"bastion.allowedCidrs[0]"}},
		// node pools
		{"no control plane", func(s *domain.ClusterSpec) { s.NodePools = s.NodePools[1:] }, []string{"nodePools"}},
		{"two control planes", func(s *domain.ClusterSpec) { s.NodePools[1].ControlPlane = true }, []string{"nodePools[1].controlPlane"}},
		{"control plane size 2", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 2 }, []string{"nodePools[0].size"}},
		{"control plane size 0", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 0 }, []string{"nodePools[0].size"}},
		{"worker size 201", func(s *domain.ClusterSpec) { s.NodePools[1].Size = 201 }, []string{"nodePools[1].size"}},
		{"worker size negative", func(s *domain.ClusterSpec) { s.NodePools[1].Size = -1 }, []string{"nodePools[1].size"}},
		{"duplicate pool name", func(s *domain.ClusterSpec) { s.NodePools[2].Name = "general" }, []string{"nodePools[2].name"}},
		{"pool name syntax", func(s *domain.ClusterSpec) { s.NodePools[2].Name = "GPU" }, []string{"nodePools[2].name"}},
		{"pool name too long", func(s *domain.ClusterSpec) { s.NodePools[2].Name = long(64) }, []string{"nodePools[2].name"}},
		{"pool az outside cluster", func(s *domain.ClusterSpec) { s.Placement.AZs = s.Placement.AZs[:2] }, []string{"nodePools[1].azs[2]"}},
		{"pool az duplicate", func(s *domain.ClusterSpec) { s.NodePools[1].AZs[1] = "eu-west-1a" }, []string{"nodePools[1].azs[1]"}},
		{"unknown instance type", func(s *domain.ClusterSpec) { s.NodePools[1].InstanceType = "m5.huge" }, []string{"nodePools[1].instanceType"}},
		{"control plane too small", func(s *domain.ClusterSpec) { s.NodePools[0].InstanceType = "t3.micro" }, []string{"nodePools[0].instanceType"}},
		// labels
		{"label key prefix reserved", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["kubernetes.io/role"] = "x" }, []string{`nodePools[1].labels["kubernetes.io/role"]`}},
		{"label key k8s.io subdomain", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["foo.k8s.io/x"] = "x" }, []string{`nodePools[1].labels["foo.k8s.io/x"]`}},
		{"label node-role", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["node-role.kubernetes.io/worker"] = "" }, []string{`nodePools[1].labels["node-role.kubernetes.io/worker"]`}},
		{"label our prefix", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["clusterforge.io/pool"] = "x" }, []string{`nodePools[1].labels["clusterforge.io/pool"]`}},
		{"label key name start", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["-tier"] = "x" }, []string{"nodePools[1].labels.-tier"}},
		{"label key name too long", func(s *domain.ClusterSpec) { s.NodePools[1].Labels[long(64)] = "x" }, []string{"nodePools[1].labels." + long(64)}},
		{"label key prefix uppercase", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["Example.com/x"] = "x" }, []string{`nodePools[1].labels["Example.com/x"]`}},
		{"label key prefix too long", func(s *domain.ClusterSpec) { s.NodePools[1].Labels[long(254)+"/x"] = "x" }, []string{`nodePools[1].labels["` + long(254) + `/x"]`}},
		{"label key empty prefix", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["/x"] = "x" }, []string{`nodePools[1].labels["/x"]`}},
		{"label value charset", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["tier"] = "web front" }, []string{"nodePools[1].labels.tier"}},
		{"label value too long", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["tier"] = long(64) }, []string{"nodePools[1].labels.tier"}},
		{"label value ends with dash", func(s *domain.ClusterSpec) { s.NodePools[1].Labels["tier"] = "web-" }, []string{"nodePools[1].labels.tier"}},
		// taints
		{"taint effect", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Effect = "NoWay" }, []string{"nodePools[1].taints[0].effect"}},
		{"taint effect case", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Effect = "noschedule" }, []string{"nodePools[1].taints[0].effect"}},
		{"taint key empty", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Key = "" }, []string{"nodePools[1].taints[0].key"}},
		{"taint key reserved", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Key = "node-role.kubernetes.io/control-plane" }, []string{"nodePools[1].taints[0].key"}},
		{"taint value", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Value = "a/b" }, []string{"nodePools[1].taints[0].value"}},
		{"taint value too long", func(s *domain.ClusterSpec) { s.NodePools[1].Taints[0].Value = long(64) }, []string{"nodePools[1].taints[0].value"}},
		{"taint duplicate", func(s *domain.ClusterSpec) {
			s.NodePools[1].Taints = append(s.NodePools[1].Taints, domain.Taint{Key: "dedicated", Value: "api", Effect: "NoSchedule"})
		}, []string{"nodePools[1].taints[1]"}},
		// update, volume, capacity
		{"rolling update", func(s *domain.ClusterSpec) { s.NodePools[1].RollingUpdate = "sideways" }, []string{"nodePools[1].rollingUpdate"}},
		{"root volume small", func(s *domain.ClusterSpec) { s.NodePools[1].RootVolumeGiB = 7 }, []string{"nodePools[1].rootVolumeGiB"}},
		{"root volume large", func(s *domain.ClusterSpec) { s.NodePools[1].RootVolumeGiB = 16385 }, []string{"nodePools[1].rootVolumeGiB"}},
		{"capacity type", func(s *domain.ClusterSpec) { s.NodePools[1].Capacity.Type = "reserved" }, []string{"nodePools[1].capacity.type"}},
		{"spot percent over 100", func(s *domain.ClusterSpec) { s.NodePools[2].Capacity.SpotMaxPricePercent = 101 }, []string{"nodePools[2].capacity.spotMaxPricePercent"}},
		{"spot percent negative", func(s *domain.ClusterSpec) { s.NodePools[2].Capacity.SpotMaxPricePercent = -5 }, []string{"nodePools[2].capacity.spotMaxPricePercent"}},
		{"spot percent without spot", func(s *domain.ClusterSpec) { s.NodePools[1].Capacity.SpotMaxPricePercent = 50 }, []string{"nodePools[1].capacity.spotMaxPricePercent"}},
		{"spot control plane", func(s *domain.ClusterSpec) {
			s.NodePools[0].Capacity = domain.Capacity{Type: "spot", SpotMaxPricePercent: 50}
		}, []string{"nodePools[0].capacity.type"}},
		{"worker capability on worker", func(s *domain.ClusterSpec) { s.NodePools[1].AllowWorkerCapability = true }, []string{"nodePools[1].allowWorkerCapability"}},
	}
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			s := example(t)
			tc.mutate(&s)
			got := fields(t, domain.ValidateCluster(s, catalog()))
			if !slices.Equal(got, tc.want) {
				t.Errorf("fields = %q, want %q\nerror: %v", got, tc.want, domain.ValidateCluster(s, catalog()))
			}
		})
	}
}

func TestValidateClusterNotOfferedInAZ(t *testing.T) {
	cat := notOffered{Catalog: catalog(), az: "eu-west-1c", instanceType: "g4dn.xlarge"}
	err := domain.ValidateCluster(example(t), cat)
	if got := fields(t, err); !slices.Equal(got, []string{"nodePools[2].instanceType"}) {
		t.Fatalf("fields = %q; error %v", got, err)
	}
	if !strings.Contains(err.Error(), "eu-west-1c") {
		t.Errorf("error should name the AZ: %v", err)
	}
}

func TestValidateClusterTooSmallCIDRSaysWhatFits(t *testing.T) {
	s := example(t)
	s.Placement.VPCCIDR = "10.0.0.0/24"
	err := domain.ValidateCluster(s, catalog())
	if err == nil || !strings.Contains(err.Error(), "/23") {
		t.Fatalf("want an error suggesting /23, got %v", err)
	}
}

func TestValidateClusterValidVariants(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*domain.ClusterSpec)
	}{
		{"static placement", staticPlacement},
		{"static internal without public subnets", func(s *domain.ClusterSpec) {
			staticPlacement(s)
			s.Placement.PublicSubnetIDs = nil
			s.APIServer.Scheme = ""
			s.Bastion.Enabled = nil // defaults to off: nowhere to put it
		}},
		{"single NAT, internal API", func(s *domain.ClusterSpec) {
			s.Placement.NATGateways = domain.NATSingle
			s.APIServer.Scheme = domain.SchemeInternal
		}},
		{"/23 fits 3 AZs", func(s *domain.ClusterSpec) { s.Placement.VPCCIDR = "10.1.0.0/23" }},
		{"six AZs", func(s *domain.ClusterSpec) {
			s.Region = "us-east-1"
			s.Placement.AZs = []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}
			s.Placement.VPCCIDR = "172.16.0.0/21"
			s.NodePools[1].AZs = []string{"us-east-1f"}
		}},
		{"bastion off, no ssh key", func(s *domain.ClusterSpec) {
			s.Bastion = domain.Bastion{Enabled: new(false)}
			s.SSHKeyName = ""
		}},
		{"kubelet-settable labels", func(s *domain.ClusterSpec) {
			s.NodePools[1].Labels["node.kubernetes.io/lifecycle"] = "normal"
			s.NodePools[1].Labels["example.com/gpu"] = ""
			s.NodePools[1].Labels["a"] = "A.b_c-1"
		}},
		{"taint without value", func(s *domain.ClusterSpec) {
			s.NodePools[2].Taints = []domain.Taint{{Key: "nvidia.com/gpu", Effect: domain.EffectNoExecute}}
		}},
		{"same taint key, other effect", func(s *domain.ClusterSpec) {
			s.NodePools[1].Taints = append(s.NodePools[1].Taints, domain.Taint{Key: "dedicated", Value: "web", Effect: domain.EffectNoExecute})
		}},
		{"unicode tags, 40 of them", func(s *domain.ClusterSpec) {
			s.Tags = map[string]string{"équipe": "paiements", "cost center": "a:b/c=d+e-f@g"}
			for i := range 38 {
				s.Tags[strings.Repeat("k", i+1)] = ""
			}
		}},
		{"worker pool of 0, 200", func(s *domain.ClusterSpec) { s.NodePools[1].Size, s.NodePools[2].Size = 0, 200 }},
		{"control plane of 1 and 5", func(s *domain.ClusterSpec) { s.NodePools[0].Size = 5 }},
		{"control plane takes work", func(s *domain.ClusterSpec) { s.NodePools[0].AllowWorkerCapability = true }},
		{"description at limit", func(s *domain.ClusterSpec) { s.Description = strings.Repeat("é", 256) }},
		{"cluster name at limit", func(s *domain.ClusterSpec) { s.Name = strings.Repeat("a", 40) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := example(t)
			tc.mutate(&s)
			if err := domain.ValidateCluster(s, catalog()); err != nil {
				t.Fatalf("want valid, got %v", err)
			}
		})
	}
}
