package cloud

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestNetworkReconcileCreatesThePlannedNetwork(t *testing.T) {
	e := newNetEnv(t, nil)
	ids := e.reconcileAll()

	want := map[string]int{
		"vpc": 1, "subnet": 6, "internet-gateway": 1, "elastic-ip": 3, "natgateway": 3,
		"route-table":       5, // public, 3 private, and the VPC's main table
		"security-group":    5, // 4 planned and the VPC's default group
		"network-interface": 3, // the NAT gateways'
	}
	if got := e.counts(); !maps.Equal(got, want) {
		t.Fatalf("inventory counts:\n got %v\nwant %v", got, want)
	}
	// Everything but what AWS creates itself carries our tags.
	for _, r := range e.inventory() {
		if r.Type == "network-interface" || r.Tags["Name"] == "" && (r.Type == "route-table" || r.Type == "security-group") {
			continue
		}
		if r.Tags[domain.TagClusterID] != netClusterID || r.Tags[domain.KubernetesClusterTag("prod-eu")] != "owned" || r.Tags["team"] != "pay" {
			t.Errorf("%s %s lacks the cluster's tags: %v", r.Type, r.ID, r.Tags)
		}
		if r.Type == "natgateway" && r.State != "available" {
			t.Errorf("NAT gateway %s is %s", r.ID, r.State)
		}
		if key := r.Tags[domain.TagResourceKey]; key != "" {
			if l, ok := e.ledger.get(key); !ok || l.ID != r.ID {
				t.Errorf("%s %s (%s) not in the ledger: %+v", r.Type, r.ID, key, l)
			}
		}
	}

	// Subnets: plan CIDRs, role tags, public IPs on launch for public ones.
	subnets, err := describeSubnets(e.ctx, e.client, nil)
	e.must(err)
	for _, sn := range subnets {
		key := tagValue(sn.Tags, domain.TagResourceKey)
		planned, _ := e.scope.Plan.Find(key)
		public := planned.Role == domain.RolePublic
		if aws.ToString(sn.CidrBlock) != planned.CIDR || aws.ToString(sn.AvailabilityZone) != planned.AZ || aws.ToBool(sn.MapPublicIpOnLaunch) != public {
			t.Errorf("subnet %s: %s in %s map-public %v, plan %+v", key, aws.ToString(sn.CidrBlock), aws.ToString(sn.AvailabilityZone), aws.ToBool(sn.MapPublicIpOnLaunch), planned)
		}
		elb, internal := tagValue(sn.Tags, domain.TagELBRole), tagValue(sn.Tags, domain.TagInternalELBRole)
		if public && (elb != "1" || internal != "") || !public && (internal != "1" || elb != "") {
			t.Errorf("subnet %s: elb=%q internal-elb=%q", key, elb, internal)
		}
	}
	if len(ids.PublicSubnets) != 3 || len(ids.PrivateSubnets) != 3 || len(ids.SecurityGroups) != 4 || ids.VPCID == "" {
		t.Fatalf("Lookup: %+v", ids)
	}

	// DNS support and hostnames are on.
	for _, attr := range []types.VpcAttributeName{types.VpcAttributeNameEnableDnsSupport, types.VpcAttributeNameEnableDnsHostnames} {
		out, err := e.client.DescribeVpcAttribute(e.ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(ids.VPCID), Attribute: attr})
		e.must(err)
		if v := cmpBool(out.EnableDnsSupport, out.EnableDnsHostnames); !v {
			t.Errorf("%s is off", attr)
		}
	}

	// Routes: public via the IGW from every public subnet, each AZ's
	// private subnet via its own NAT gateway.
	nats, err := e.svc.natGatewaysByKey(e.ctx)
	e.must(err)
	tables, err := e.routeTables()
	e.must(err)
	checkRoute(t, tables[domain.KeyPublicRoutes], "igw-", slices.Collect(maps.Values(ids.PublicSubnets)))
	for _, az := range netAZs {
		rt := tables[domain.PrivateRoutesKey(az)]
		checkRoute(t, rt, aws.ToString(nats[domain.NATGatewayKey(az)].NatGatewayId), []string{ids.PrivateSubnets[az]})
	}

	// Security groups: rules resolved to group ids, EIPs and CIDRs.
	groups, err := e.svc.securityGroupsByKey(e.ctx)
	e.must(err)
	cp := existingPermissions(groups[domain.SecurityGroupKey(domain.RoleControlPlane)].IpPermissions)
	if !slices.ContainsFunc(cp, permission{proto: "tcp", from: 6443, to: 6443, peer: ids.SecurityGroups[domain.RoleAPIServerLB]}.same) {
		t.Errorf("control plane does not allow 6443 from the LB group: %+v", cp)
	}
	lb := existingPermissions(groups[domain.SecurityGroupKey(domain.RoleAPIServerLB)].IpPermissions)
	eips, err := e.svc.addressesByKey(e.ctx)
	e.must(err)
	natIP := aws.ToString(eips[domain.EIPKey("eu-west-1b")].PublicIp) + "/32"
	if !slices.ContainsFunc(lb, permission{proto: "tcp", from: 6443, to: 6443, peer: natIP}.same) {
		t.Errorf("API LB does not allow the NAT gateway's address %s: %+v", natIP, lb)
	}
	for key, g := range groups {
		planned, _ := e.scope.Plan.Find(key)
		want := 0
		for _, r := range planned.Rules {
			want += len(r.Sources)
		}
		if got := len(existingPermissions(g.IpPermissions)); got != want {
			t.Errorf("%s has %d rules, want %d", key, got, want)
		}
	}
}

func cmpBool(vs ...*types.AttributeBooleanValue) bool {
	for _, v := range vs {
		if v != nil {
			return aws.ToBool(v.Value)
		}
	}
	return false
}

// routeTables returns the cluster's route tables by key.
func (e *netEnv) routeTables() (map[string]types.RouteTable, error) {
	tables, err := describeRouteTables(e.ctx, e.client, e.svc.ownedFilters())
	return byResourceKey(tables, routeTableTags, nil), err
}

func checkRoute(t *testing.T, rt types.RouteTable, target string, subnets []string) {
	t.Helper()
	key := tagValue(rt.Tags, domain.TagResourceKey)
	found := false
	for _, r := range rt.Routes {
		if aws.ToString(r.DestinationCidrBlock) == defaultRoute {
			via := aws.ToString(r.GatewayId) + aws.ToString(r.NatGatewayId)
			found = via != "" && (via == target || target == "igw-" && via[:4] == "igw-")
		}
	}
	if !found {
		t.Errorf("route table %s: no 0.0.0.0/0 via %s: %+v", key, target, rt.Routes)
	}
	var associated []string
	for _, a := range rt.Associations {
		associated = append(associated, aws.ToString(a.SubnetId))
	}
	slices.Sort(associated)
	subnets = slices.Sorted(slices.Values(subnets))
	if !slices.Equal(associated, subnets) {
		t.Errorf("route table %s associated with %v, want %v", key, associated, subnets)
	}
}

func TestNetworkReconcileTwiceCreatesNothing(t *testing.T) {
	e := newNetEnv(t, nil)
	first := e.reconcileAll()
	before := e.inventoryIDs()
	ledger, _ := e.ledger.Resources(e.ctx)

	second := e.reconcileAll()
	if after := e.inventoryIDs(); !slices.Equal(before, after) {
		t.Fatalf("second reconcile changed the account:\nbefore %v\nafter  %v", before, after)
	}
	if again, _ := e.ledger.Resources(e.ctx); !slices.Equal(ledger, again) {
		t.Fatalf("second reconcile changed the ledger:\nbefore %v\nafter  %v", ledger, again)
	}
	if first.VPCID != second.VPCID || !maps.Equal(first.SecurityGroups, second.SecurityGroups) {
		t.Fatalf("Lookup differs: %+v vs %+v", first, second)
	}
}

func TestNetworkReconcileAdoptsWhatACrashedTaskCreated(t *testing.T) {
	e := newNetEnv(t, nil)
	vpcID, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	e.ledger.drop(domain.KeyVPC)
	again, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	if l, _ := e.ledger.get(domain.KeyVPC); again != vpcID || l.ID != vpcID {
		t.Fatalf("second ReconcileVPC: %s (ledger %+v), want %s", again, l, vpcID)
	}

	// The task created the public subnet and died before recording it or
	// turning on public IPs.
	key := domain.SubnetKey(domain.RolePublic, "eu-west-1a")
	planned, _ := e.scope.Plan.Find(key)
	created, err := e.client.CreateSubnet(e.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(planned.CIDR),
		AvailabilityZone: aws.String("eu-west-1a"), TagSpecifications: e.svc.tagSpec(types.ResourceTypeSubnet, key)})
	e.must(err)
	e.must(e.svc.ReconcileSubnets(e.ctx, "eu-west-1a"))
	subnets, err := e.svc.subnetsByKey(e.ctx)
	e.must(err)
	if len(subnets) != 2 || aws.ToString(subnets[key].SubnetId) != aws.ToString(created.Subnet.SubnetId) || !aws.ToBool(subnets[key].MapPublicIpOnLaunch) {
		t.Fatalf("subnets after the resumed task: %+v", subnets)
	}
	if l, _ := e.ledger.get(key); l.ID != aws.ToString(created.Subnet.SubnetId) {
		t.Fatalf("ledger has %+v for %s", l, key)
	}

	// The NAT gateway step crashed after both creates.
	for _, az := range netAZs[1:] {
		e.must(e.svc.ReconcileSubnets(e.ctx, az))
	}
	e.must(e.svc.ReconcileInternetGateway(e.ctx))
	e.must(e.svc.ReconcileNATGateway(e.ctx, "eu-west-1a"))
	natKey, eipKey := domain.NATGatewayKey("eu-west-1a"), domain.EIPKey("eu-west-1a")
	nat, _ := e.ledger.get(natKey)
	eip, _ := e.ledger.get(eipKey)
	e.ledger.drop(natKey)
	e.ledger.drop(eipKey)
	// Resumed by POST /retry: a new generation, so new ClientTokens; only
	// the tags can tell it the gateway exists.
	e.scope.Generation++
	e.must(e.svc.ReconcileNATGateway(e.ctx, "eu-west-1a"))
	if n, _ := e.ledger.get(natKey); n.ID != nat.ID {
		t.Fatalf("NAT gateway re-recorded as %+v, want %s", n, nat.ID)
	}
	if a, _ := e.ledger.get(eipKey); a.ID != eip.ID {
		t.Fatalf("EIP re-recorded as %+v, want %s", a, eip.ID)
	}
	if c := e.counts(); c["natgateway"] != 1 || c["elastic-ip"] != 1 || c["vpc"] != 1 || c["subnet"] != 6 {
		t.Fatalf("a resumed task created duplicates: %v", c)
	}
}

func TestNetworkSingleNATGateway(t *testing.T) {
	e := newNetEnv(t, func(s *domain.ClusterSpec) { s.Placement.NATGateways = domain.NATSingle })
	ids := e.reconcileAll()
	if c := e.counts(); c["natgateway"] != 1 || c["elastic-ip"] != 1 || c["route-table"] != 5 {
		t.Fatalf("counts %v, want 1 NAT gateway, 1 EIP, 5 route tables", c)
	}
	nats, err := e.svc.natGatewaysByKey(e.ctx)
	e.must(err)
	only := aws.ToString(nats[domain.NATGatewayKey("eu-west-1a")].NatGatewayId)
	if only == "" {
		t.Fatalf("no NAT gateway in eu-west-1a: %v", nats)
	}
	tables, err := e.routeTables()
	e.must(err)
	for _, az := range netAZs {
		checkRoute(t, tables[domain.PrivateRoutesKey(az)], only, []string{ids.PrivateSubnets[az]})
	}
	p, err := e.svc.NATGatewaysReady(e.ctx)
	e.must(err)
	if p.Message != "1/1 NAT gateways available" {
		t.Fatalf("progress %+v", p)
	}
}

func TestNetworkNATGatewayFailureNamesTheReason(t *testing.T) {
	e := newNetEnv(t, nil)
	_, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	e.must(e.svc.ReconcileSubnets(e.ctx, "eu-west-1b"))
	// No internet gateway attached: AWS accepts the NAT gateway and fails it.
	e.must(e.svc.ReconcileNATGateway(e.ctx, "eu-west-1b"))
	p, err := e.svc.NATGatewaysReady(e.ctx)
	e.must(err)
	if p.Ready || p.Message != "0/3 NAT gateways available" {
		t.Fatalf("progress while pending: %+v", p)
	}
	nat, _ := e.ledger.get(domain.NATGatewayKey("eu-west-1b"))
	for deadline := time.Now().Add(5 * time.Second); err == nil && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		_, err = e.svc.NATGatewaysReady(e.ctx)
	}
	if !errors.Is(err, ErrResourceFailed) || !containsAll(err.Error(), nat.ID, "eu-west-1b", "Gateway.NotAttached", "has no Internet gateway attached") {
		t.Fatalf("want ErrResourceFailed naming %s, its AZ and the reason, got %v", nat.ID, err)
	}
	if l, _ := e.ledger.get(domain.NATGatewayKey("eu-west-1b")); l.State != "failed" {
		t.Fatalf("ledger state %q, want failed", l.State)
	}
}

func TestNetworkReconcileBeforeItsPrerequisitesSaysWhatIsMissing(t *testing.T) {
	e := newNetEnv(t, nil)
	if err := e.svc.ReconcileSubnets(e.ctx, "eu-west-1a"); err == nil || !containsAll(err.Error(), "VPC", "reconcile it first") {
		t.Fatalf("ReconcileSubnets without a VPC: %v", err)
	}
	_, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	if err := e.svc.ReconcilePrivateRoutes(e.ctx, "eu-west-1a"); err == nil || !containsAll(err.Error(), "natgateway/eu-west-1a", "reconcile it first") {
		t.Fatalf("ReconcilePrivateRoutes without a NAT gateway: %v", err)
	}
}

func TestMissingPermissionsNormalisesProtocols(t *testing.T) {
	have := []types.IpPermission{
		{IpProtocol: aws.String("6"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
		{IpProtocol: aws.String("4"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-1")}}},
	}
	want := []permission{
		{proto: "tcp", from: 22, to: 22, peer: "10.0.0.0/8"},
		{proto: "4", peer: "sg-1"},
		{proto: "tcp", from: 22, to: 22, peer: "sg-1", desc: "ssh"},
		{proto: "tcp", from: 22, to: 22, peer: "sg-1"},
	}
	got := missingPermissions(want, have)
	if len(got) != 1 || got[0].peer != "sg-1" || got[0].proto != "tcp" {
		t.Fatalf("missing %+v", got)
	}
	perms := ipPermissions([]permission{{proto: "4", peer: "sg-2"}, {proto: "udp", from: 4789, to: 4789, peer: "sg-2"}, {proto: "udp", from: 4789, to: 4789, peer: "0.0.0.0/0"}})
	if len(perms) != 2 || perms[0].FromPort != nil || len(perms[1].UserIdGroupPairs) != 1 || len(perms[1].IpRanges) != 1 {
		t.Fatalf("ipPermissions %+v", perms)
	}
}
