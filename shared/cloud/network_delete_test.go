package cloud

import (
	"errors"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestNetworkDeleteRemovesEverything(t *testing.T) {
	e := newNetEnv(t, nil)
	e.reconcileAll()

	e.must(e.svc.DeleteNetworkInterfaces(e.ctx))
	e.must(e.svc.DeleteSecurityGroups(e.ctx))
	e.must(e.svc.DeleteNATGateways(e.ctx))
	// The gateways still hold their addresses while deleting.
	if err := e.svc.ReleaseAddresses(e.ctx); !errors.Is(err, ErrDependencyViolation) {
		t.Fatalf("ReleaseAddresses while NAT gateways are deleting: %v, want ErrDependencyViolation", err)
	}
	if p, err := e.svc.NATGatewaysDeleted(e.ctx); err != nil || p.Ready || p.Message != "0/3 NAT gateways deleted" {
		t.Fatalf("NATGatewaysDeleted right after DeleteNATGateways: %+v, %v", p, err)
	}
	// Calling it again while they delete changes nothing.
	e.must(e.svc.DeleteNATGateways(e.ctx))
	if p := e.waitFor("NAT gateways deleted", e.svc.NATGatewaysDeleted); p.Message != "3/3 NAT gateways deleted" {
		t.Fatalf("progress %+v", p)
	}
	e.must(e.svc.ReleaseAddresses(e.ctx))
	e.must(e.svc.DeleteRouteTables(e.ctx))
	e.must(e.svc.DeleteInternetGateway(e.ctx))
	e.must(e.svc.DeleteSubnets(e.ctx))
	e.must(e.svc.DeleteVPC(e.ctx))

	for _, r := range e.inventory() {
		if r.Type != "natgateway" || r.State != "deleted" {
			t.Errorf("left in the account: %s %s (%s)", r.Type, r.ID, r.State)
		}
	}
	all, _ := e.ledger.Resources(e.ctx)
	for _, r := range all {
		if r.State != StateDeleted {
			t.Errorf("ledger still says %s %s is %s", r.Key, r.ID, r.State)
		}
	}
	if len(all) != 22 { // vpc, 6 subnets, igw, 4 route tables, 3 EIPs, 3 NATs, 4 groups
		t.Errorf("ledger has %d entries, want 22: %+v", len(all), all)
	}

	// Deleting again is a no-op: everything is already gone.
	e.deleteAll()
	left, err := FindLeftovers(e.ctx, e.client, e.scope)
	e.must(err)
	if len(left) != 0 {
		t.Fatalf("leftovers after a full delete: %+v", left)
	}
}

func TestNetworkDeleteVPCWithASubnetLeftIsDependencyViolation(t *testing.T) {
	e := newNetEnv(t, nil)
	vpcID, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	e.must(e.svc.ReconcileSubnets(e.ctx, "eu-west-1a"))

	err = e.svc.DeleteVPC(e.ctx)
	if !errors.Is(err, ErrDependencyViolation) || !containsAll(err.Error(), vpcID) {
		t.Fatalf("DeleteVPC with subnets left: %v, want ErrDependencyViolation naming %s", err, vpcID)
	}
	if _, ok := e.find(vpcID); !ok {
		t.Fatal("the VPC is gone")
	}
	if l, _ := e.ledger.get(domain.KeyVPC); l.State == StateDeleted {
		t.Fatalf("ledger marks the VPC deleted: %+v", l)
	}
	e.must(e.svc.DeleteSubnets(e.ctx))
	e.must(e.svc.DeleteVPC(e.ctx))
	if l, _ := e.ledger.get(domain.KeyVPC); l.State != StateDeleted {
		t.Fatalf("ledger after DeleteVPC: %+v", l)
	}
}

func TestNetworkDeleteNetworkInterfacesRemovesOrphans(t *testing.T) {
	e := newNetEnv(t, nil)
	ids := e.reconcileAll()
	// An interface the CNI left behind, using the nodes' group: it keeps
	// the group (and the subnet) from being deleted.
	orphan, err := e.client.CreateNetworkInterface(e.ctx, &ec2.CreateNetworkInterfaceInput{
		SubnetId: aws.String(ids.PrivateSubnets["eu-west-1b"]), Groups: []string{ids.SecurityGroups[domain.RoleNode]},
	})
	e.must(err)
	orphanID := aws.ToString(orphan.NetworkInterface.NetworkInterfaceId)
	if err := e.svc.DeleteSecurityGroups(e.ctx); !errors.Is(err, ErrDependencyViolation) {
		t.Fatalf("DeleteSecurityGroups with an interface using one: %v, want ErrDependencyViolation", err)
	}

	e.must(e.svc.DeleteNetworkInterfaces(e.ctx))
	if _, ok := e.find(orphanID); ok {
		t.Fatalf("orphan interface %s still exists", orphanID)
	}
	if n := e.counts()["network-interface"]; n != 3 {
		t.Fatalf("%d interfaces left, want the 3 NAT gateways' (in use, requester-managed)", n)
	}
	e.must(e.svc.DeleteSecurityGroups(e.ctx))
	if n := e.counts()["security-group"]; n != 1 {
		t.Fatalf("%d security groups left, want the VPC's default", n)
	}
}

func TestNetworkDeleteSecurityGroupsIncludesTheCloudControllers(t *testing.T) {
	e := newNetEnv(t, nil)
	ids := e.reconcileAll()
	// The cloud controller's group for a Service's load balancer, referenced
	// by our node group's rule.
	ccm, err := e.client.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("k8s-elb-a1b2c3"), Description: aws.String("Security group for Kubernetes ELB"), VpcId: aws.String(ids.VPCID),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup, Tags: []types.Tag{
			{Key: aws.String(domain.KubernetesClusterTag("prod-eu")), Value: aws.String("owned")}}}},
	})
	e.must(err)
	_, err = e.client.AuthorizeSecurityGroupIngress(e.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(ids.SecurityGroups[domain.RoleNode]),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(31000), ToPort: aws.Int32(31000),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: ccm.GroupId}}}}})
	e.must(err)

	e.must(e.svc.DeleteSecurityGroups(e.ctx))
	if _, ok := e.find(aws.ToString(ccm.GroupId)); ok {
		t.Fatal("the cloud controller's group still exists")
	}
	if n := e.counts()["security-group"]; n != 1 {
		t.Fatalf("%d security groups left, want the VPC's default", n)
	}
	if _, recorded := e.ledger.get(aws.ToString(ccm.GroupId)); recorded {
		t.Fatal("the cloud controller's group went into our ledger")
	}
}

func TestNetworkStaticPlacementDeletesOnlyWhatTheLedgerHolds(t *testing.T) {
	e := newNetEnv(t, nil)
	// The customer's network, with the discovery tags they put on it and
	// things of theirs that tag discovery would catch.
	shared := func(rt types.ResourceType, extra ...string) []types.TagSpecification {
		tags := []types.Tag{{Key: aws.String(domain.KubernetesClusterTag("prod-eu")), Value: aws.String("shared")}}
		for i := 0; i+1 < len(extra); i += 2 {
			tags = append(tags, types.Tag{Key: aws.String(extra[i]), Value: aws.String(extra[i+1])})
		}
		return []types.TagSpecification{{ResourceType: rt, Tags: tags}}
	}
	vpc, err := e.client.CreateVpc(e.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("172.31.0.0/16"), TagSpecifications: shared(types.ResourceTypeVpc)})
	e.must(err)
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	subnet := func(cidr, az, role string) string {
		out, err := e.client.CreateSubnet(e.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az),
			TagSpecifications: shared(types.ResourceTypeSubnet, domain.TagCAPARole, role)})
		e.must(err)
		return aws.ToString(out.Subnet.SubnetId)
	}
	public, private := subnet("172.31.0.0/24", "eu-west-1a", "public"), subnet("172.31.16.0/20", "eu-west-1a", "private")
	// The customer tags what the cluster uses with its id, for their cost
	// reports: tag discovery would take their subnet for ours.
	_, err = e.client.CreateTags(e.ctx, &ec2.CreateTagsInput{Resources: []string{public},
		Tags: []types.Tag{{Key: aws.String(domain.TagClusterID), Value: aws.String(netClusterID)}}})
	e.must(err)
	theirs, err := e.client.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("ingress"), Description: aws.String("theirs"),
		VpcId: aws.String(vpcID), TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup,
			Tags: []types.Tag{{Key: aws.String(domain.KubernetesClusterTag("prod-eu")), Value: aws.String("owned")}}}}})
	e.must(err)
	eni, err := e.client.CreateNetworkInterface(e.ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(private)})
	e.must(err)
	before := map[string]map[string]string{}
	for _, r := range e.inventory() {
		before[r.ID] = r.Tags
	}

	e.replan(func(s *domain.ClusterSpec) {
		s.Placement = domain.Placement{Type: domain.PlacementStatic, VPCID: vpcID,
			ControlPlaneSubnetIDs: []string{private}, WorkerSubnetIDs: []string{private}, PublicSubnetIDs: []string{public}}
	})
	if _, err := e.svc.ReconcileVPC(e.ctx); err == nil {
		t.Fatal("ReconcileVPC with static placement: want an error")
	}
	e.must(e.svc.ReconcileSecurityGroups(e.ctx))
	ids, err := e.svc.Lookup(e.ctx)
	e.must(err)
	if ids.VPCID != vpcID || ids.PublicSubnets["eu-west-1a"] != public || ids.PrivateSubnets["eu-west-1a"] != private || len(ids.SecurityGroups) != 4 {
		t.Fatalf("Lookup: %+v", ids)
	}
	e.deleteAll()

	after := map[string]map[string]string{}
	for _, r := range e.inventory() {
		after[r.ID] = r.Tags
	}
	for id, tags := range before {
		if got, ok := after[id]; !ok || !maps.Equal(got, tags) {
			t.Errorf("customer resource %s: tags %v → %v (exists %v)", id, tags, got, ok)
		}
	}
	for _, g := range ids.SecurityGroups {
		if _, ok := after[g]; ok {
			t.Errorf("our group %s still exists", g)
		}
	}
	if len(after) != len(before) {
		t.Errorf("after delete %d resources, want the customer's %d", len(after), len(before))
	}
	for _, id := range []string{aws.ToString(theirs.GroupId), aws.ToString(eni.NetworkInterface.NetworkInterfaceId)} {
		if _, ok := after[id]; !ok {
			t.Errorf("the customer's %s was deleted", id)
		}
	}
}
