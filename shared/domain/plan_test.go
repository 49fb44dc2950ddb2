package domain_test

import (
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func plan(t *testing.T, mutate func(*domain.ClusterSpec)) domain.Plan {
	t.Helper()
	s := example(t)
	if mutate != nil {
		mutate(&s)
	}
	p, err := domain.PlanCluster(s, catalog())
	if err != nil {
		t.Fatalf("PlanCluster: %v", err)
	}
	return p
}

func keys(p domain.Plan) []string {
	out := make([]string, len(p.Resources))
	for i, r := range p.Resources {
		out[i] = r.Key
	}
	return out
}

func TestPlanClusterOrderAndKeys(t *testing.T) {
	p := plan(t, nil)
	want := []string{
		"vpc",
		"subnet/public/eu-west-1a", "subnet/public/eu-west-1b", "subnet/public/eu-west-1c",
		"subnet/private/eu-west-1a", "subnet/private/eu-west-1b", "subnet/private/eu-west-1c",
		"internetgateway", "routetable/public",
		"eip/eu-west-1a", "natgateway/eu-west-1a", "eip/eu-west-1b", "natgateway/eu-west-1b", "eip/eu-west-1c", "natgateway/eu-west-1c",
		"routetable/private/eu-west-1a", "routetable/private/eu-west-1b", "routetable/private/eu-west-1c",
		"securitygroup/bastion", "securitygroup/apiserver-lb", "securitygroup/control-plane", "securitygroup/node",
		"instance/bastion",
		"loadbalancer/apiserver", "targetgroup/apiserver", "listener/apiserver",
		"instance/control-plane/0", "instance/control-plane/1", "instance/control-plane/2",
		"instance/general/0", "instance/general/1", "instance/general/2",
		"instance/gpu/0",
	}
	if got := keys(p); !slices.Equal(got, want) {
		t.Fatalf("keys:\n got %q\nwant %q", got, want)
	}
	check := func(key string, ok func(domain.PlannedResource) bool) {
		t.Helper()
		r, found := p.Find(key)
		if !found || !ok(r) {
			t.Errorf("%s: unexpected %+v", key, r)
		}
	}
	check("vpc", func(r domain.PlannedResource) bool { return r.CIDR == "10.0.0.0/16" })
	check("subnet/public/eu-west-1b", func(r domain.PlannedResource) bool { return r.CIDR == "10.0.208.0/20" && r.AZ == "eu-west-1b" })
	check("subnet/private/eu-west-1c", func(r domain.PlannedResource) bool { return r.CIDR == "10.0.128.0/18" })
	check("natgateway/eu-west-1b", func(r domain.PlannedResource) bool {
		return slices.Equal(r.Subnets, []string{"subnet/public/eu-west-1b"})
	})
	check("routetable/public", func(r domain.PlannedResource) bool { return r.RouteTo == "internetgateway" && len(r.Subnets) == 3 })
	check("routetable/private/eu-west-1c", func(r domain.PlannedResource) bool { return r.RouteTo == "natgateway/eu-west-1c" })
	check("instance/bastion", func(r domain.PlannedResource) bool {
		return r.AZ == "eu-west-1a" && r.Subnets[0] == "subnet/public/eu-west-1a" && r.InstanceType == "t3.micro"
	})
	check("loadbalancer/apiserver", func(r domain.PlannedResource) bool {
		return r.Role == "internet-facing" && slices.Equal(r.Subnets, []string{"subnet/public/eu-west-1a", "subnet/public/eu-west-1b", "subnet/public/eu-west-1c"})
	})
	check("instance/control-plane/1", func(r domain.PlannedResource) bool {
		return r.AZ == "eu-west-1b" && r.Subnets[0] == "subnet/private/eu-west-1b" && r.Role == "control-plane" && r.RootVolumeGiB == 80
	})
	check("instance/gpu/0", func(r domain.PlannedResource) bool {
		return r.Spot && r.SpotMaxPricePercent == 60 && r.InstanceType == "g4dn.xlarge" && r.AZ == "eu-west-1a"
	})
}

func TestPlanClusterSpreadsInstances(t *testing.T) {
	p := plan(t, func(s *domain.ClusterSpec) { s.NodePools[1].Size = 5 })
	perAZ := map[string]int{}
	for _, r := range p.Resources {
		if r.Pool == "general" {
			perAZ[r.AZ]++
		}
	}
	if want := map[string]int{"eu-west-1a": 2, "eu-west-1b": 2, "eu-west-1c": 1}; !maps.Equal(perAZ, want) {
		t.Errorf("general pool per AZ = %v, want %v", perAZ, want)
	}
}

func TestPlanClusterSingleNATAndInternalAPI(t *testing.T) {
	p := plan(t, func(s *domain.ClusterSpec) {
		s.Placement.NATGateways = domain.NATSingle
		s.APIServer.Scheme = domain.SchemeInternal
	})
	if p.Count(domain.ResNATGateway, "") != 1 || p.Count(domain.ResEIP, "") != 1 {
		t.Fatalf("single: %d NAT gateways, %d EIPs", p.Count(domain.ResNATGateway, ""), p.Count(domain.ResEIP, ""))
	}
	for _, az := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
		if r, _ := p.Find(domain.PrivateRoutesKey(az)); r.RouteTo != "natgateway/eu-west-1a" {
			t.Errorf("%s routes to %q", az, r.RouteTo)
		}
	}
	lb, _ := p.Find(domain.KeyLoadBalancer)
	if lb.Role != domain.SchemeInternal || !strings.HasPrefix(lb.Subnets[0], "subnet/private/") {
		t.Errorf("internal LB: %+v", lb)
	}
	sg, _ := p.Find(domain.SecurityGroupKey(domain.RoleAPIServerLB))
	for _, src := range sg.Rules[0].Sources {
		if strings.HasPrefix(src, "eip/") {
			t.Errorf("internal LB needn't allow NAT addresses: %v", sg.Rules[0].Sources)
		}
	}
}

func TestPlanClusterSecurityGroups(t *testing.T) {
	p := plan(t, nil)
	rules := func(role string) []domain.SecurityGroupRule {
		r, ok := p.Find(domain.SecurityGroupKey(role))
		if !ok {
			t.Fatalf("no %s security group", role)
		}
		return r.Rules
	}
	find := func(rs []domain.SecurityGroupRule, port int) domain.SecurityGroupRule {
		for _, r := range rs {
			if r.FromPort == port {
				return r
			}
		}
		t.Fatalf("no rule for port %d in %+v", port, rs)
		return domain.SecurityGroupRule{}
	}
	if r := find(rules("bastion"), 22); !slices.Equal(r.Sources, []string{"203.0.113.0/24"}) {
		t.Errorf("bastion SSH from %v", r.Sources)
	}
	if r := find(rules("bastion"), 3389); !slices.Equal(r.Sources, []string{"203.0.113.0/24"}) {
		t.Errorf("bastion RDP from %v", r.Sources)
	}
	lb := find(rules("apiserver-lb"), 6443)
	for _, want := range []string{"0.0.0.0/0", "securitygroup/node", "eip/eu-west-1a", "eip/eu-west-1c"} {
		if !slices.Contains(lb.Sources, want) {
			t.Errorf("API LB rule lacks %s: %v", want, lb.Sources)
		}
	}
	if r := find(rules("control-plane"), 2379); !slices.Equal(r.Sources, []string{"securitygroup/control-plane"}) || r.ToPort != 2380 {
		t.Errorf("etcd must be control-plane only: %+v", r)
	}
	for _, role := range []string{"control-plane", "node"} {
		if r := find(rules(role), 22); !slices.Equal(r.Sources, []string{"securitygroup/bastion"}) {
			t.Errorf("%s SSH must come from the bastion only: %v", role, r.Sources)
		}
	}
	if r := find(rules("node"), 30000); r.ToPort != 32767 {
		t.Errorf("NodePort range: %+v", r)
	}
}

func TestPlanClusterWithoutBastion(t *testing.T) {
	p := plan(t, func(s *domain.ClusterSpec) { s.Bastion = domain.Bastion{Enabled: new(false)} })
	if _, ok := p.Find(domain.KeyBastion); ok {
		t.Error("bastion planned while disabled")
	}
	if p.Count(domain.ResSecurityGroup, "") != 3 {
		t.Errorf("want 3 security groups without a bastion, got %d", p.Count(domain.ResSecurityGroup, ""))
	}
	cp, _ := p.Find(domain.SecurityGroupKey(domain.RoleControlPlane))
	for _, r := range cp.Rules {
		if r.FromPort == 22 {
			t.Errorf("SSH rule without a bastion: %+v", r)
		}
	}
}

func TestPlanClusterStatic(t *testing.T) {
	p := plan(t, staticPlacement)
	for _, typ := range []domain.ResourceType{domain.ResVPC, domain.ResSubnet, domain.ResNATGateway, domain.ResEIP, domain.ResRouteTable, domain.ResInternetGateway} {
		if n := p.Count(typ, ""); n != 0 {
			t.Errorf("static placement plans %d %s", n, typ)
		}
	}
	var subnets []string
	for _, r := range p.Resources {
		if r.Pool == "general" {
			subnets = append(subnets, r.Subnets[0])
		}
	}
	want := []string{"subnet-0123456789abcdef1", "subnet-0123456789abcdef2", "subnet-0123456789abcdef1"}
	if !slices.Equal(subnets, want) {
		t.Errorf("general pool subnets = %v, want %v", subnets, want)
	}
	if b, _ := p.Find(domain.KeyBastion); b.Subnets[0] != "subnet-0123456789abcdef3" {
		t.Errorf("bastion subnet %v", b.Subnets)
	}
}

func TestPlanClusterRejectsInvalid(t *testing.T) {
	s := example(t)
	s.NodePools[1].Taints[0].Effect = "Never"
	_, err := domain.PlanCluster(s, catalog())
	if got := fields(t, err); !slices.Equal(got, []string{"nodePools[1].taints[0].effect"}) {
		t.Errorf("fields %v (%v)", got, err)
	}
}

func TestPlannedCalls(t *testing.T) {
	got := domain.PlannedCalls(plan(t, nil))
	want := map[string]int{
		"ec2:CreateVpc": 1, "ec2:ModifyVpcAttribute": 2,
		"ec2:CreateSubnet": 6, "ec2:ModifySubnetAttribute": 3,
		"ec2:CreateInternetGateway": 1, "ec2:AttachInternetGateway": 1,
		"ec2:CreateRouteTable": 4, "ec2:CreateRoute": 4, "ec2:AssociateRouteTable": 6,
		"ec2:AllocateAddress": 3, "ec2:CreateNatGateway": 3,
		"ec2:CreateSecurityGroup": 4, "ec2:AuthorizeSecurityGroupIngress": 4,
		"ec2:RunInstances": 8, "elasticloadbalancing:RegisterTargets": 3,
		"elasticloadbalancing:CreateLoadBalancer": 1, "elasticloadbalancing:CreateTargetGroup": 1,
		"elasticloadbalancing:CreateListener": 1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PlannedCalls:\n got %v\nwant %v", got, want)
	}
}

func TestTags(t *testing.T) {
	user := map[string]string{"team": "pay"}
	common := map[string]string{
		"team": "pay",
		"sigs.k8s.io/cluster-api-provider-aws/cluster/prod-eu": "owned",
		"kubernetes.io/cluster/prod-eu":                        "owned",
		"clusterforge.io/cluster-id":                           testClusterID,
	}
	for _, tc := range []struct {
		key   string
		extra map[string]string
	}{
		{"vpc", map[string]string{"Name": "prod-eu-vpc"}},
		{"subnet/public/eu-west-1a", map[string]string{"Name": "prod-eu-subnet-public-eu-west-1a",
			"kubernetes.io/role/elb": "1", "sigs.k8s.io/cluster-api-provider-aws/role": "public"}},
		{"subnet/private/eu-west-1b", map[string]string{"Name": "prod-eu-subnet-private-eu-west-1b",
			"kubernetes.io/role/internal-elb": "1", "sigs.k8s.io/cluster-api-provider-aws/role": "private"}},
		{"instance/general/2", map[string]string{"Name": "prod-eu-instance-general-2"}},
	} {
		want := maps.Clone(common)
		maps.Copy(want, tc.extra)
		want["clusterforge.io/resource-key"] = tc.key
		if got := domain.Tags("prod-eu", testClusterID, tc.key, user); !maps.Equal(got, want) {
			t.Errorf("Tags(%s):\n got %v\nwant %v", tc.key, got, want)
		}
	}
	if len(user) != 1 {
		t.Error("Tags mutated the user's tags")
	}
	if got := domain.Tags("c", "id", "vpc", nil); got["Name"] != "c-vpc" {
		t.Errorf("nil user tags: %v", got)
	}
}

func TestClientToken(t *testing.T) {
	a := domain.ClientToken(testClusterID, "natgateway/eu-west-1a", 1)
	if a != domain.ClientToken(testClusterID, "natgateway/eu-west-1a", 1) {
		t.Error("not deterministic")
	}
	if !regexp.MustCompile(`^[\x21-\x7e]{1,64}$`).MatchString(a) {
		t.Errorf("token %q is not 1–64 printable ASCII", a)
	}
	others := []string{
		domain.ClientToken(testClusterID, "natgateway/eu-west-1b", 1),
		domain.ClientToken(testClusterID, "natgateway/eu-west-1a", 2),
		domain.ClientToken("clu-other", "natgateway/eu-west-1a", 1),
		// field boundaries matter: ("ab","c") must differ from ("a","bc")
		domain.ClientToken(testClusterID+"n", "atgateway/eu-west-1a", 1),
	}
	for _, o := range others {
		if o == a {
			t.Errorf("different inputs gave the same token %q", a)
		}
	}
	if long := domain.ClientToken(strings.Repeat("x", 500), strings.Repeat("y", 500), 1<<30); len(long) > 64 {
		t.Errorf("token length %d", len(long))
	}
}

func TestELBName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
	for _, name := range []string{"prod-eu", strings.Repeat("a", 40), "internal", "internal-api", "a"} {
		n := domain.ELBName(name, testClusterID, "api")
		if len(n) > 32 || !valid.MatchString(n) || strings.HasPrefix(n, "internal-") {
			t.Errorf("ELBName(%q) = %q is not a valid ELBv2 name", name, n)
		}
		if n != domain.ELBName(name, testClusterID, "api") {
			t.Error("not deterministic")
		}
	}
	if domain.ELBName("prod", "clu-a", "api") == domain.ELBName("prod", "clu-b", "api") {
		t.Error("two clusters named prod must get different load balancer names")
	}
}
