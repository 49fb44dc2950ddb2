package domain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// eksExampleJSON is the example: two managed node groups (one spot
// with a taint) and one Fargate profile on a dynamic VPC.
const eksExampleJSON = `{
  "kind": "eks", "name": "eks-eu", "tags": {"team": "pay"},
  "profileId": "` + testProfileID + `", "cloudAccountId": "` + testAccountID + `", "region": "eu-west-1",
  "placement": {"type": "dynamic", "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]},
  "eks": {
    "kubernetesVersion": "1.33",
    "endpointAccess": {"public": true, "private": true, "publicCidrs": ["203.0.113.0/24"]},
    "secretsEncryptionKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "logging": ["api", "audit"],
    "fargateProfiles": [{"name": "system", "selectors": [{"namespace": "kube-system", "labels": {"app.kubernetes.io/name": "coredns"}}]}]
  },
  "nodePools": [
    {"name": "general", "size": 2, "minSize": 1, "maxSize": 4, "instanceType": "m5.large",
     "labels": {"tier": "web"}, "maxUnavailable": 1},
    {"name": "spot", "size": 1, "instanceTypes": ["m5.large", "m5.xlarge"], "azs": ["eu-west-1a", "eu-west-1b"],
     "taints": [{"key": "spot", "value": "true", "effect": "NoSchedule"}], "capacity": {"type": "spot"}}
  ]
}`

func eksExample(t *testing.T) domain.ClusterSpec {
	t.Helper()
	var s domain.ClusterSpec
	if err := domain.DecodeStrict([]byte(eksExampleJSON), &s); err != nil {
		t.Fatalf("decode eks example: %v", err)
	}
	return s
}

func TestEKSExampleValidatesClean(t *testing.T) {
	if err := domain.ValidateCluster(eksExample(t), catalog()); err != nil {
		t.Fatalf("eks example: %v", err)
	}
}

func TestEKSDefaults(t *testing.T) {
	in := eksExample(t)
	in.EKS.KubernetesVersion, in.EKS.EndpointAccess = "", domain.EndpointAccess{}
	got := domain.WithDefaults(in)
	e := got.EKS
	if e.KubernetesVersion != domain.DefaultEKSVersion || !e.EndpointAccess.IsPublic() || !e.EndpointAccess.IsPrivate() ||
		e.EndpointAccess.Public == nil || e.EndpointAccess.Private == nil || !slices.Equal(e.EndpointAccess.PublicCIDRs, []string{"0.0.0.0/0"}) {
		t.Errorf("eks defaults = %+v", e)
	}
	if got.Bastion.Enabled == nil || *got.Bastion.Enabled || got.Bastion.InstanceType != "" {
		t.Errorf("bastion = %+v, want off and nothing else", got.Bastion)
	}
	if got.APIServer.Scheme != "" || len(got.APIServer.AllowedCIDRs) != 0 {
		t.Errorf("apiServer = %+v, want untouched", got.APIServer)
	}
	general, spot := got.NodePools[0], got.NodePools[1]
	if *general.MinSize != 1 || *general.MaxSize != 4 || !slices.Equal(general.InstanceTypes, []string{"m5.large"}) ||
		general.MaxUnavailable != 1 || general.RootVolumeGiB != domain.DefaultRootVolumeGiB || general.RollingUpdate != "" ||
		!slices.Equal(general.AZs, in.Placement.AZs) || general.Capacity.Type != domain.CapacityOnDemand {
		t.Errorf("general = %+v", general)
	}
	if *spot.MinSize != 1 || *spot.MaxSize != 1 || spot.InstanceType != "m5.large" || spot.Capacity.SpotMaxPricePercent != 0 {
		t.Errorf("spot = %+v: min/max default to size, instanceType to the first of instanceTypes, no max price", spot)
	}
	empty := domain.WithDefaults(domain.ClusterSpec{Kind: domain.KindEKS, NodePools: []domain.NodePoolSpec{{Name: "idle"}}}).NodePools[0]
	if *empty.MinSize != 0 || *empty.MaxSize != 1 || empty.InstanceType != domain.DefaultInstanceType {
		t.Errorf("an empty group = %+v, want min 0, max 1 (EKS needs max ≥ 1)", empty)
	}
	private := domain.WithDefaults(domain.ClusterSpec{Kind: domain.KindEKS, EKS: &domain.EKSSpec{EndpointAccess: domain.EndpointAccess{Public: new(false)}}})
	if len(private.EKS.EndpointAccess.PublicCIDRs) != 0 {
		t.Errorf("a private-only endpoint got public CIDRs %v", private.EKS.EndpointAccess.PublicCIDRs)
	}
	// The argument is not touched.
	if in.EKS.KubernetesVersion != "" || in.NodePools[0].InstanceTypes != nil || in.Bastion.Enabled != nil {
		t.Errorf("WithDefaults mutated its argument: %+v", in)
	}
	got.EKS.FargateProfiles[0].Selectors[0].Labels["x"] = "y"
	if _, ok := in.EKS.FargateProfiles[0].Selectors[0].Labels["x"]; ok {
		t.Error("WithDefaults shares Fargate selector labels with its argument")
	}
}

func TestValidateEKSRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	pool := func(i int) func(*domain.ClusterSpec) *domain.NodePoolSpec {
		return func(s *domain.ClusterSpec) *domain.NodePoolSpec { return &s.NodePools[i] }
	}
	general, spot := pool(0), pool(1)
	profile := func(s *domain.ClusterSpec) *domain.FargateProfileSpec { return &s.EKS.FargateProfiles[0] }
	cases := []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		want   []string
	}{
		// kind and spec.eks
		{"eks missing", func(s *domain.ClusterSpec) { s.EKS = nil }, []string{"eks"}},
		{"version unknown", func(s *domain.ClusterSpec) { s.EKS.KubernetesVersion = "1.29" }, []string{"eks.kubernetesVersion"}},
		{"version with patch", func(s *domain.ClusterSpec) { s.EKS.KubernetesVersion = "1.33.1" }, []string{"eks.kubernetesVersion"}},
		{"two AZs minimum", func(s *domain.ClusterSpec) {
			s.Placement.AZs = s.Placement.AZs[:1]
			s.NodePools[1].AZs = nil
		}, []string{"placement.azs"}},
		// endpoint
		{"endpoint unreachable", func(s *domain.ClusterSpec) {
			s.EKS.EndpointAccess = domain.EndpointAccess{Public: new(false), Private: new(false)}
		}, []string{"eks.endpointAccess"}},
		{"public cidrs without public", func(s *domain.ClusterSpec) { s.EKS.EndpointAccess.Public = new(false) }, []string{"eks.endpointAccess.publicCidrs"}},
		{"public cidr invalid", func(s *domain.ClusterSpec) {
			s.EKS.EndpointAccess.PublicCIDRs = []string{"0.0.0.0/0", "203.0.113.7/24"}
		}, []string{"eks.endpointAccess.publicCidrs[1]"}},
		{"public cidr ipv6", func(s *domain.ClusterSpec) { s.EKS.EndpointAccess.PublicCIDRs = []string{"::/0"} }, []string{"eks.endpointAccess.publicCidrs[0]"}},
		{"41 public cidrs", func(s *domain.ClusterSpec) {
			s.EKS.EndpointAccess.PublicCIDRs = nil
			for i := range 41 {
				s.EKS.EndpointAccess.PublicCIDRs = append(s.EKS.EndpointAccess.PublicCIDRs, fmt.Sprintf("198.51.%d.0/24", i))
			}
		}, []string{"eks.endpointAccess.publicCidrs"}},
		// KMS, logging, roles
		{"kms alias", func(s *domain.ClusterSpec) {
			s.EKS.SecretsEncryptionKeyARN = "arn:aws:kms:eu-west-1:123456789012:alias/eks"
		}, []string{"eks.secretsEncryptionKeyArn"}},
		{"kms short account", func(s *domain.ClusterSpec) {
			s.EKS.SecretsEncryptionKeyARN = "arn:aws:kms:eu-west-1:1234:key/abc"
		}, []string{"eks.secretsEncryptionKeyArn"}},
		{"kms other region", func(s *domain.ClusterSpec) {
			s.EKS.SecretsEncryptionKeyARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
		}, []string{"eks.secretsEncryptionKeyArn"}},
		{"log type unknown", func(s *domain.ClusterSpec) { s.EKS.Logging = []string{"api", "kubelet"} }, []string{"eks.logging[1]"}},
		{"log type case", func(s *domain.ClusterSpec) { s.EKS.Logging = []string{"API"} }, []string{"eks.logging[0]"}},
		{"log type duplicate", func(s *domain.ClusterSpec) { s.EKS.Logging = []string{"audit", "api", "audit"} }, []string{"eks.logging[2]"}},
		{"cluster role not a role", func(s *domain.ClusterSpec) {
			s.EKS.ClusterRoleARN = "arn:aws:iam::123456789012:user/eks"
		}, []string{"eks.clusterRoleArn"}},
		{"node role account", func(s *domain.ClusterSpec) { s.EKS.NodeRoleARN = "arn:aws:iam::12345:role/node" }, []string{"eks.nodeRoleArn"}},
		{"pod role name too long", func(s *domain.ClusterSpec) {
			s.EKS.PodExecutionRoleARN = "arn:aws:iam::123456789012:role/" + long(65)
		}, []string{"eks.podExecutionRoleArn"}},
		// refused self-managed settings
		{"ssh key", func(s *domain.ClusterSpec) { s.SSHKeyName = "ops" }, []string{"sshKeyName"}},
		{"api server scheme", func(s *domain.ClusterSpec) { s.APIServer.Scheme = domain.SchemeInternal }, []string{"apiServer.scheme"}},
		{"api server cidrs", func(s *domain.ClusterSpec) { s.APIServer.AllowedCIDRs = []string{"0.0.0.0/0"} }, []string{"apiServer.allowedCidrs"}},
		{"bastion on", func(s *domain.ClusterSpec) { s.Bastion.Enabled = new(true) }, []string{"bastion.enabled"}},
		{"bastion cidrs", func(s *domain.ClusterSpec) { s.Bastion.AllowedCIDRs = []string{"203.0.113.0/24"} }, []string{"bastion.allowedCidrs"}},
		{"control-plane pool", func(s *domain.ClusterSpec) { general(s).ControlPlane = true }, []string{"nodePools[0].controlPlane"}},
		{"spot max price", func(s *domain.ClusterSpec) { spot(s).Capacity.SpotMaxPricePercent = 60 }, []string{"nodePools[1].capacity.spotMaxPricePercent"}},
		{"rolling update", func(s *domain.ClusterSpec) { general(s).RollingUpdate = domain.RollingExpandFirst }, []string{"nodePools[0].rollingUpdate"}},
		{"worker capability", func(s *domain.ClusterSpec) { general(s).AllowWorkerCapability = true }, []string{"nodePools[0].allowWorkerCapability"}},
		// node groups: scaling
		{"nothing to run pods", func(s *domain.ClusterSpec) {
			s.NodePools = nil
			s.EKS.FargateProfiles = nil
		}, []string{"nodePools"}},
		{"size 451", func(s *domain.ClusterSpec) {
			general(s).Size, general(s).MaxSize = 451, new(451)
		}, []string{"nodePools[0].size", "nodePools[0].maxSize"}},
		{"size below min", func(s *domain.ClusterSpec) { general(s).Size = 0 }, []string{"nodePools[0].size"}},
		{"size above max", func(s *domain.ClusterSpec) { general(s).Size = 5 }, []string{"nodePools[0].size"}},
		{"min above max", func(s *domain.ClusterSpec) { general(s).MinSize = new(5) }, []string{"nodePools[0].minSize"}},
		{"min negative", func(s *domain.ClusterSpec) { general(s).MinSize = new(-1) }, []string{"nodePools[0].minSize"}},
		{"max zero", func(s *domain.ClusterSpec) {
			general(s).Size, general(s).MinSize, general(s).MaxSize = 0, new(0), new(0)
		}, []string{"nodePools[0].maxSize"}},
		{"max unavailable above max", func(s *domain.ClusterSpec) { general(s).MaxUnavailable = 5 }, []string{"nodePools[0].maxUnavailable"}},
		{"max unavailable negative", func(s *domain.ClusterSpec) { general(s).MaxUnavailable = -1 }, []string{"nodePools[0].maxUnavailable"}},
		// node groups: instance types, AZs, labels, taints
		{"21 instance types", func(s *domain.ClusterSpec) {
			for range 20 {
				spot(s).InstanceTypes = append(spot(s).InstanceTypes, "c5.large")
			}
			spot(s).InstanceTypes = slices.Compact(spot(s).InstanceTypes) // 3 distinct
			for len(spot(s).InstanceTypes) < 21 {
				spot(s).InstanceTypes = append(spot(s).InstanceTypes, fmt.Sprintf("x%d.large", len(spot(s).InstanceTypes)))
			}
		}, []string{"nodePools[1].instanceTypes"}},
		{"instance type unknown", func(s *domain.ClusterSpec) { spot(s).InstanceTypes[1] = "m5.huge" }, []string{"nodePools[1].instanceTypes[1]"}},
		{"instance type duplicate", func(s *domain.ClusterSpec) { spot(s).InstanceTypes[1] = "m5.large" }, []string{"nodePools[1].instanceTypes[1]"}},
		{"instance type outside the list", func(s *domain.ClusterSpec) { spot(s).InstanceType = "c5.large" }, []string{"nodePools[1].instanceType"}},
		{"pool az outside cluster", func(s *domain.ClusterSpec) { spot(s).AZs[1] = "eu-west-1x" }, []string{"nodePools[1].azs[1]"}},
		{"pool name duplicate", func(s *domain.ClusterSpec) { spot(s).Name = "general" }, []string{"nodePools[1].name"}},
		{"label reserved", func(s *domain.ClusterSpec) { general(s).Labels["kubernetes.io/role"] = "x" }, []string{`nodePools[0].labels["kubernetes.io/role"]`}},
		{"label value", func(s *domain.ClusterSpec) { general(s).Labels["tier"] = "web front" }, []string{"nodePools[0].labels.tier"}},
		{"taint effect in EKS spelling", func(s *domain.ClusterSpec) { spot(s).Taints[0].Effect = "NO_SCHEDULE" }, []string{"nodePools[1].taints[0].effect"}},
		{"taint key", func(s *domain.ClusterSpec) { spot(s).Taints[0].Key = "" }, []string{"nodePools[1].taints[0].key"}},
		{"root volume", func(s *domain.ClusterSpec) { general(s).RootVolumeGiB = 4 }, []string{"nodePools[0].rootVolumeGiB"}},
		{"capacity type", func(s *domain.ClusterSpec) { general(s).Capacity.Type = "reserved" }, []string{"nodePools[0].capacity.type"}},
		// Fargate profiles
		{"profile name missing", func(s *domain.ClusterSpec) { profile(s).Name = "" }, []string{"eks.fargateProfiles[0].name"}},
		{"profile name charset", func(s *domain.ClusterSpec) { profile(s).Name = "-system" }, []string{"eks.fargateProfiles[0].name"}},
		{"profile name too long", func(s *domain.ClusterSpec) { profile(s).Name = long(101) }, []string{"eks.fargateProfiles[0].name"}},
		{"profile name duplicate", func(s *domain.ClusterSpec) {
			s.EKS.FargateProfiles = append(s.EKS.FargateProfiles, s.EKS.FargateProfiles[0])
		}, []string{"eks.fargateProfiles[1].name"}},
		{"no selectors", func(s *domain.ClusterSpec) { profile(s).Selectors = nil }, []string{"eks.fargateProfiles[0].selectors"}},
		{"six selectors", func(s *domain.ClusterSpec) {
			for i := range 5 {
				profile(s).Selectors = append(profile(s).Selectors, domain.FargateSelector{Namespace: fmt.Sprintf("ns%d", i)})
			}
		}, []string{"eks.fargateProfiles[0].selectors"}},
		{"namespace missing", func(s *domain.ClusterSpec) { profile(s).Selectors[0].Namespace = "" }, []string{"eks.fargateProfiles[0].selectors[0].namespace"}},
		{"namespace not a label", func(s *domain.ClusterSpec) { profile(s).Selectors[0].Namespace = "Kube_System" }, []string{"eks.fargateProfiles[0].selectors[0].namespace"}},
		{"six selector labels", func(s *domain.ClusterSpec) {
			for i := range 5 {
				profile(s).Selectors[0].Labels[fmt.Sprintf("k%d", i)] = "v"
			}
		}, []string{"eks.fargateProfiles[0].selectors[0].labels"}},
		{"selector label key", func(s *domain.ClusterSpec) { profile(s).Selectors[0].Labels["/app"] = "x" }, []string{`eks.fargateProfiles[0].selectors[0].labels["/app"]`}},
		{"selector label value", func(s *domain.ClusterSpec) { profile(s).Selectors[0].Labels["app"] = "a b" }, []string{"eks.fargateProfiles[0].selectors[0].labels.app"}},
	}
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			s := eksExample(t)
			tc.mutate(&s)
			err := domain.ValidateCluster(s, catalog())
			if got := fields(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("fields = %q, want %q\nerror: %v", got, tc.want, err)
			}
		})
	}
}

func TestValidateEKSValidVariants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*domain.ClusterSpec)
	}{
		{"fargate only", func(s *domain.ClusterSpec) { s.NodePools = nil }},
		{"node groups only", func(s *domain.ClusterSpec) { s.EKS.FargateProfiles = nil }},
		{"private endpoint only", func(s *domain.ClusterSpec) {
			s.EKS.EndpointAccess = domain.EndpointAccess{Public: new(false)}
		}},
		{"public endpoint only", func(s *domain.ClusterSpec) { s.EKS.EndpointAccess.Private = new(false) }},
		{"existing roles with a path", func(s *domain.ClusterSpec) {
			s.EKS.ClusterRoleARN = "arn:aws:iam::123456789012:role/eks/cluster-role"
			s.EKS.NodeRoleARN = "arn:aws:iam::123456789012:role/node+role@x"
			s.EKS.PodExecutionRoleARN = "arn:aws:iam::123456789012:role/fargate"
		}},
		{"every log type", func(s *domain.ClusterSpec) { s.EKS.Logging = slices.Clone(domain.EKSLogTypes) }},
		{"empty node group", func(s *domain.ClusterSpec) {
			s.NodePools[0].Size, s.NodePools[0].MinSize, s.NodePools[0].MaxSize = 0, nil, nil
		}},
		{"450 nodes, 100 at a time", func(s *domain.ClusterSpec) {
			s.NodePools[0].Size, s.NodePools[0].MaxSize, s.NodePools[0].MaxUnavailable = 450, new(450), 100
		}},
		{"pod labels under kubernetes.io", func(s *domain.ClusterSpec) {
			s.EKS.FargateProfiles[0].Selectors[0].Labels["kubernetes.io/os"] = "linux"
		}},
		{"static placement", func(s *domain.ClusterSpec) {
			s.Placement = domain.Placement{Type: domain.PlacementStatic, VPCID: "vpc-0123456789abcdef0",
				ControlPlaneSubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
				WorkerSubnetIDs:       []string{"subnet-0123456789abcdef2"}}
			s.NodePools[1].AZs = nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := eksExample(t)
			tc.mutate(&s)
			if err := domain.ValidateCluster(s, catalog()); err != nil {
				t.Fatalf("want valid, got %v", err)
			}
		})
	}
}

func TestValidateEKSNotOfferedInAZ(t *testing.T) {
	cat := notOffered{Catalog: catalog(), az: "eu-west-1b", instanceType: "m5.xlarge"}
	err := domain.ValidateCluster(eksExample(t), cat)
	if got := fields(t, err); !slices.Equal(got, []string{"nodePools[1].instanceTypes[1]"}) {
		t.Fatalf("fields = %q; error %v", got, err)
	}
}
