package domain_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func eksPlan(t *testing.T, mutate func(*domain.ClusterSpec)) domain.Plan {
	t.Helper()
	s := eksExample(t)
	if mutate != nil {
		mutate(&s)
	}
	p, err := domain.PlanCluster(s, catalog())
	if err != nil {
		t.Fatalf("PlanCluster: %v", err)
	}
	return p
}

func TestPlanEKS(t *testing.T) {
	p := eksPlan(t, nil)
	want := []string{
		"vpc",
		"subnet/public/eu-west-1a", "subnet/public/eu-west-1b", "subnet/public/eu-west-1c",
		"subnet/private/eu-west-1a", "subnet/private/eu-west-1b", "subnet/private/eu-west-1c",
		"internetgateway", "routetable/public",
		"eip/eu-west-1a", "natgateway/eu-west-1a", "eip/eu-west-1b", "natgateway/eu-west-1b", "eip/eu-west-1c", "natgateway/eu-west-1c",
		"routetable/private/eu-west-1a", "routetable/private/eu-west-1b", "routetable/private/eu-west-1c",
		"iamrole/cluster", "iamrole/node", "iamrole/fargate-pod",
		"ekscluster", "nodegroup/general", "nodegroup/spot", "fargateprofile/system",
	}
	if got := keys(p); !slices.Equal(got, want) {
		t.Fatalf("keys:\n got %q\nwant %q", got, want)
	}
	if p.Kind != domain.KindEKS {
		t.Errorf("kind %q", p.Kind)
	}
	cluster, _ := p.Find(domain.KeyEKSCluster)
	if cluster.Type != domain.ResEKSCluster || len(cluster.Subnets) != 6 {
		t.Errorf("ekscluster %+v: want the public and private subnets of 3 AZs", cluster)
	}
	spot, _ := p.Find(domain.NodeGroupKey("spot"))
	if !spot.Spot || spot.Size != 1 || spot.MaxSize != 1 || spot.InstanceType != "m5.large" ||
		!slices.Equal(spot.InstanceTypes, []string{"m5.large", "m5.xlarge"}) ||
		!slices.Equal(spot.Subnets, []string{"subnet/private/eu-west-1a", "subnet/private/eu-west-1b"}) {
		t.Errorf("nodegroup/spot %+v", spot)
	}
	general, _ := p.Find(domain.NodeGroupKey("general"))
	if general.Size != 2 || general.MaxSize != 4 || general.Spot || len(general.Subnets) != 3 {
		t.Errorf("nodegroup/general %+v", general)
	}
	fp, _ := p.Find(domain.FargateProfileKey("system"))
	if fp.Type != domain.ResFargateProfile || slices.ContainsFunc(fp.Subnets, func(s string) bool { return strings.Contains(s, "public") }) || len(fp.Subnets) != 3 {
		t.Errorf("Fargate profile %+v: want the 3 private subnets only", fp)
	}
	for _, t2 := range []domain.ResourceType{domain.ResSecurityGroup, domain.ResInstance, domain.ResLoadBalancer, domain.ResTargetGroup, domain.ResListener} {
		if n := p.Count(t2, ""); n != 0 {
			t.Errorf("%d %s planned for an eks cluster", n, t2)
		}
	}
}

func TestPlanEKSRoles(t *testing.T) {
	roles := func(p domain.Plan) []string {
		var out []string
		for _, r := range p.Resources {
			if r.Type == domain.ResIAMRole {
				out = append(out, r.Role)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		mutate func(*domain.ClusterSpec)
		want   []string
	}{
		{"all created", nil, []string{domain.RoleEKSCluster, domain.RoleEKSNode, domain.RoleFargatePodExecutor}},
		{"given ARNs", func(s *domain.ClusterSpec) {
			s.EKS.ClusterRoleARN = "arn:aws:iam::123456789012:role/c"
			s.EKS.NodeRoleARN = "arn:aws:iam::123456789012:role/n"
			s.EKS.PodExecutionRoleARN = "arn:aws:iam::123456789012:role/f"
		}, nil},
		{"no Fargate", func(s *domain.ClusterSpec) { s.EKS.FargateProfiles = nil }, []string{domain.RoleEKSCluster, domain.RoleEKSNode}},
		{"Fargate only", func(s *domain.ClusterSpec) { s.NodePools = nil }, []string{domain.RoleEKSCluster, domain.RoleFargatePodExecutor}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := roles(eksPlan(t, tc.mutate)); !slices.Equal(got, tc.want) {
				t.Errorf("roles %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlanEKSStatic(t *testing.T) {
	p := eksPlan(t, func(s *domain.ClusterSpec) {
		s.Placement = domain.Placement{Type: domain.PlacementStatic, VPCID: "vpc-0123456789abcdef0",
			ControlPlaneSubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			WorkerSubnetIDs:       []string{"subnet-0123456789abcdef2"}}
		s.NodePools[1].AZs = nil
	})
	want := []string{"iamrole/cluster", "iamrole/node", "iamrole/fargate-pod", "ekscluster", "nodegroup/general", "nodegroup/spot", "fargateprofile/system"}
	if got := keys(p); !slices.Equal(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	ng, _ := p.Find(domain.NodeGroupKey("general"))
	if !slices.Equal(ng.Subnets, []string{"subnet-0123456789abcdef2"}) {
		t.Errorf("node group subnets %v, want the worker subnets", ng.Subnets)
	}
}

func TestPlannedCallsEKS(t *testing.T) {
	got := domain.PlannedCalls(eksPlan(t, nil))
	want := map[string]int{
		"iam:CreateRole": 3, "iam:AttachRolePolicy": 5, // 1 cluster + 3 node + 1 Fargate policies
		"eks:CreateCluster": 1, "eks:CreateNodegroup": 2, "eks:CreateFargateProfile": 1,
		"ec2:CreateVpc": 1, "ec2:CreateNatGateway": 3, "ec2:AllocateAddress": 3,
	}
	for call, n := range want {
		if got[call] != n {
			t.Errorf("%s = %d, want %d", call, got[call], n)
		}
	}
	for _, absent := range []string{"ec2:RunInstances", "ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer"} {
		if got[absent] != 0 {
			t.Errorf("%s = %d for an eks cluster", absent, got[absent])
		}
	}
	if t.Failed() {
		t.Logf("calls: %v", slices.Sorted(maps.Keys(got)))
	}
}

// TestEstimateCostEKS checks the eks example in eu-west-1 by hand:
//
//	EKS control plane  0.10 × 730                    =  73.00
//	general  2 × m5.large  2 × 0.107 × 730          = 156.22
//	spot     1 × m5.large  (spot at on-demand)      =  78.11
//	gp3 general 100 GB × 0.088 = 8.80; spot 50 GB = 4.40
//	NAT 3 × 0.048 × 730 = 105.12; data 300 GB × 0.048 = 14.40
//	IPv4: the 3 NAT addresses × 0.005 × 730 = 10.95 (no bastion, no NLB)
//	Fargate 0
//	total 451.00
func TestEstimateCostEKS(t *testing.T) {
	est, err := domain.EstimateCost(eksPlan(t, nil), catalog())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"EKS control plane":                            73.00,
		"general instances (m5.large)":                 156.22,
		"spot instances (m5.large)":                    78.11,
		"general root volumes (gp3)":                   8.80,
		"spot root volumes (gp3)":                      4.40,
		"NAT gateways":                                 105.12,
		"NAT gateway data processed":                   14.40,
		"public IPv4 addresses":                        10.95,
		"Fargate pods (billed per pod, not estimated)": 0,
	}
	got := map[string]domain.CostItem{}
	for _, it := range est.Items {
		got[it.What] = it
	}
	if len(got) != len(want) {
		t.Errorf("items %+v", est.Items)
	}
	for what, m := range want {
		if it, ok := got[what]; !ok || !near(it.Monthly, m) || !near(it.SpotMonthly, m) {
			t.Errorf("%s: %+v, want %.2f", what, it, m)
		}
	}
	if !near(est.OnDemandMonthly, 451.00) || !near(est.SpotMonthly, 451.00) {
		t.Errorf("totals %.2f / %.2f, want 451.00", est.OnDemandMonthly, est.SpotMonthly)
	}
	if len(est.Assumptions) != len(domain.CostAssumptions)+len(domain.EKSCostAssumptions) {
		t.Errorf("assumptions %q", est.Assumptions)
	}
}
