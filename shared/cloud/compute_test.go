package cloud

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

const testUserData = "#cloud-config\nruncmd: [kubeadm join]\n"

func TestComputeNodesSpreadInPrivateSubnets(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := workerPool("general", 3)
	e.plan(pool)
	svc := e.service()

	st, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 3 || st.WaitingForSpotPrice || len(st.Nodes) != 3 {
		t.Fatalf("status = %+v", st)
	}
	insts := e.live()
	if got := perAZ(insts); len(insts) != 3 || got[computeAZs[0]] != 1 || got[computeAZs[1]] != 1 || got[computeAZs[2]] != 1 {
		t.Fatalf("instances per AZ = %v, want 1/1/1", got)
	}
	for _, inst := range insts {
		az, key := aws.ToString(inst.Placement.AvailabilityZone), instanceTag(inst, domain.TagResourceKey)
		if aws.ToString(inst.SubnetId) != e.net.PrivateSubnets[az] {
			t.Errorf("%s in subnet %s, want the private subnet of %s", key, aws.ToString(inst.SubnetId), az)
		}
		if inst.PublicIpAddress != nil {
			t.Errorf("%s has public address %s", key, aws.ToString(inst.PublicIpAddress))
		}
		if len(inst.SecurityGroups) != 1 || aws.ToString(inst.SecurityGroups[0].GroupId) != e.net.SecurityGroups[domain.RoleNode] {
			t.Errorf("%s groups = %v, want the node group", key, inst.SecurityGroups)
		}
		if aws.ToString(inst.KeyName) != "ops" || inst.InstanceType != "m5.large" {
			t.Errorf("%s key %q type %s", key, aws.ToString(inst.KeyName), inst.InstanceType)
		}
		if aws.ToString(inst.ClientToken) != e.scope.ClientToken(key) {
			t.Errorf("%s client token %q, want the key's", key, aws.ToString(inst.ClientToken))
		}
		for k, v := range map[string]string{TagPool: "general", domain.TagClusterID: e.scope.ClusterID, "team": "pay",
			domain.TagName: domain.ResourceName("prod", key), domain.KubernetesClusterTag("prod"): "owned"} {
			if got := instanceTag(inst, k); got != v {
				t.Errorf("%s tag %s = %q, want %q", key, k, got, v)
			}
		}
		attr := mustDo(e.ec2.DescribeInstanceAttribute(e.ctx, &ec2.DescribeInstanceAttributeInput{
			InstanceId: inst.InstanceId, Attribute: ec2types.InstanceAttributeNameUserData}))(t)
		if ud, _ := base64.StdEncoding.DecodeString(aws.ToString(attr.UserData.Value)); string(ud) != testUserData {
			t.Errorf("%s user data = %q", key, ud)
		}
		vols := mustDo(e.ec2.DescribeVolumes(e.ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
			computeFilter("attachment.instance-id", aws.ToString(inst.InstanceId))}}))(t).Volumes
		if len(vols) != 1 || aws.ToInt32(vols[0].Size) != 50 || vols[0].VolumeType != ec2types.VolumeTypeGp3 {
			t.Errorf("%s volumes = %+v, want one gp3 of 50 GiB", key, vols)
		}
	}
	if recs := e.ledger.ofType(domain.ResInstance); len(recs) != 3 || recs[0].AZ == "" || recs[0].Key == "" {
		t.Errorf("ledger = %+v", recs)
	}

	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instances()); n != 3 {
		t.Errorf("second reconcile: %d instances, want still 3", n)
	}
	if n := len(e.runForms()); n != 3 {
		t.Errorf("%d RunInstances calls, want 3", n)
	}
}

func TestComputeControlPlaneUsesItsSecurityGroup(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := domain.NodePoolSpec{Name: "control-plane", ControlPlane: true, Size: 1, InstanceType: "m5.large", AZs: computeAZs}
	e.plan(pool)
	if _, err := e.service().ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	insts := e.live()
	if len(insts) != 1 || aws.ToString(insts[0].SecurityGroups[0].GroupId) != e.net.SecurityGroups[domain.RoleControlPlane] {
		t.Fatalf("control-plane instances = %+v", insts)
	}
}

func TestComputeNodeCrashBeforeLedgerRecordDoesNotDuplicate(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := workerPool("general", 2)
	e.plan(pool)
	svc := e.service()

	e.ledger.failRecords = 1 // the task dies after the first RunInstances answered
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err == nil {
		t.Fatal("want the ledger error")
	}
	if n := len(e.instances()); n != 1 {
		t.Fatalf("%d instances after the crash, want 1", n)
	}
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instances()); n != 2 {
		t.Errorf("%d instances after the retry, want 2", n)
	}
	if recs := e.ledger.ofType(domain.ResInstance); len(recs) != 2 {
		t.Errorf("ledger holds %d instances, want both (the first re-recorded from its tags)", len(recs))
	}
}

// blindEC2 hides every instance from DescribeInstances, as an eventually
// consistent read right after a launch can.
type blindEC2 struct{ ComputeEC2API }

func (blindEC2) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return &ec2.DescribeInstancesOutput{}, nil
}

func TestComputeRetryUnseenByDescribeReusesClientToken(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := workerPool("general", 2)
	e.plan(pool)
	e.ledger.failRecords = 1
	if _, err := e.service().ReconcileNodes(e.ctx, e.net, pool, testUserData); err == nil {
		t.Fatal("want the ledger error")
	}
	blind := NewComputeService(blindEC2{e.ec2}, e.scope, nil, WithSSHKeyName("ops"))
	if _, err := blind.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instances()); n != 2 {
		t.Errorf("%d instances, want 2: the ClientToken must return the first launch", n)
	}
}

func TestComputeSpotWaitsThenLaunchesWithMaxPrice(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := spotPool("gpu", 2, 60) // m5.large 0.096 on demand → max 0.0576
	e.plan(pool)
	svc := e.service()

	e.cat.SetSpotPrice(computeRegion, "", "m5.large", 0.2104)
	st, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData)
	if err != nil {
		t.Fatal(err)
	}
	if !st.WaitingForSpotPrice || st.SpotMessage != "current 0.2104 > max 0.0576 in every AZ" {
		t.Fatalf("status = %+v, want waiting with the prices", st)
	}
	if n := len(e.instances()); n != 0 {
		t.Fatalf("%d instances launched while the price is out of range", n)
	}

	e.cat.SetSpotPrice(computeRegion, "", "m5.large", 0.03)
	if st, err = svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if st.WaitingForSpotPrice {
		t.Fatalf("still waiting: %+v", st)
	}
	insts := e.live()
	if len(insts) != 2 {
		t.Fatalf("%d spot instances, want 2", len(insts))
	}
	for _, inst := range insts {
		if inst.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot || instanceTag(inst, TagSpotPrice) != "0.0300" {
			t.Errorf("instance %s lifecycle %q spot price tag %q", aws.ToString(inst.InstanceId), inst.InstanceLifecycle, instanceTag(inst, TagSpotPrice))
		}
	}
	for _, f := range e.runForms() {
		if f.Get("InstanceMarketOptions.MarketType") != "spot" || f.Get("InstanceMarketOptions.SpotOptions.MaxPrice") != "0.0576" ||
			f.Get("InstanceMarketOptions.SpotOptions.SpotInstanceType") != "one-time" {
			t.Errorf("RunInstances market options = %v", marketOptions(f))
		}
	}
	_, nodes, err := svc.NodesReady(e.ctx, "gpu")
	if err != nil || len(nodes) != 2 || nodes[0].Capacity != domain.CapacitySpot || nodes[0].SpotPrice != "0.0300" {
		t.Errorf("nodes = %+v, %v", nodes, err)
	}
}

func marketOptions(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		if strings.HasPrefix(k, "InstanceMarketOptions") {
			out[k] = v
		}
	}
	return out
}

func TestComputeSpotOnlyInAZsInRange(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := spotPool("gpu", 3, 60)
	e.plan(pool)
	e.cat.SetSpotPrice(computeRegion, "", "m5.large", 0.03)
	e.cat.SetSpotPrice(computeRegion, computeAZs[0], "m5.large", 0.2104)
	if _, err := e.service().ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	got := perAZ(e.live())
	if got[computeAZs[0]] != 0 || got[computeAZs[1]]+got[computeAZs[2]] != 3 || got[computeAZs[1]] == 0 || got[computeAZs[2]] == 0 {
		t.Errorf("instances per AZ = %v, want all 3 spread over the two AZs in range", got)
	}
}

func TestComputeSpotMaxPriceTooLowAtLaunch(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := spotPool("gpu", 2, 60)
	e.plan(pool)
	e.cat.SetSpotPrice(computeRegion, "", "m5.large", 0.03)
	// The price read was in range, but EC2 refuses the launch in the first
	// AZ (the price rose meanwhile): that AZ is out of range.
	risen := map[string]bool{e.net.PrivateSubnets[computeAZs[0]]: true}
	e.failRun = func(f url.Values) string {
		if risen[f.Get("NetworkInterface.1.SubnetId")] {
			return codeSpotMaxPriceTooLow
		}
		return ""
	}
	svc := e.service()
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if got := perAZ(e.live()); got[computeAZs[0]] != 0 || len(e.live()) != 2 {
		t.Fatalf("instances per AZ = %v, want 2 outside the first AZ", got)
	}

	// Refused everywhere: the pool waits, it does not fail.
	other := spotPool("gpu2", 1, 60)
	e.plan(other)
	for _, az := range computeAZs {
		risen[e.net.PrivateSubnets[az]] = true
	}
	st, err := svc.ReconcileNodes(e.ctx, e.net, other, testUserData)
	if err != nil || !st.WaitingForSpotPrice || !strings.Contains(st.SpotMessage, "max 0.0576") {
		t.Fatalf("status = %+v, %v; want waiting", st, err)
	}
}

func TestComputeInsufficientCapacityMovesToOtherAZs(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := workerPool("general", 3)
	e.plan(pool)
	full := map[string]bool{e.net.PrivateSubnets[computeAZs[0]]: true}
	e.failRun = func(f url.Values) string {
		if full[f.Get("NetworkInterface.1.SubnetId")] {
			return codeInsufficientCapacity
		}
		return ""
	}
	if _, err := e.service().ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	got := perAZ(e.live())
	if got[computeAZs[0]] != 0 || got[computeAZs[1]]+got[computeAZs[2]] != 3 {
		t.Errorf("instances per AZ = %v, want none in the full AZ", got)
	}

	// No capacity anywhere: a clear error, nothing launched.
	other := workerPool("batch", 2)
	e.plan(other)
	for _, az := range computeAZs {
		full[e.net.PrivateSubnets[az]] = true
	}
	_, err := e.service().ReconcileNodes(e.ctx, e.net, other, testUserData)
	if !errors.Is(err, ErrInsufficientCapacity) || !strings.Contains(err.Error(), "every AZ") {
		t.Fatalf("err = %v, want ErrInsufficientCapacity naming every AZ", err)
	}
	if n := len(e.instances(computeFilter("tag:"+TagPool, "batch"))); n != 0 {
		t.Errorf("%d batch instances launched", n)
	}
}

func TestComputeNodesReadyAndSpotInterruptionReplacement(t *testing.T) {
	e := newComputeEnv(t, 0.02) // instances run after 0.6 s
	pool := workerPool("general", 2)
	e.plan(pool)
	svc := e.service()
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	p, nodes, err := svc.NodesReady(e.ctx, "general")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ready || p.Done != 0 || p.Total != 2 || p.Message != "0/2 nodes running" || len(nodes) != 2 || nodes[0].State != "pending" {
		t.Fatalf("right after launch: %+v %+v", p, nodes)
	}
	waitFor(t, "nodes running", func() bool { p, _, _ = svc.NodesReady(e.ctx, "general"); return p.Ready })
	if p.Message != "2/2 nodes running" {
		t.Errorf("message = %q", p.Message)
	}
	_, nodes, _ = svc.NodesReady(e.ctx, "general")
	n := nodes[0]
	if n.PrivateIP == "" || n.AZ != computeAZs[0] || n.Capacity != domain.CapacityOnDemand || n.InstanceType != "m5.large" ||
		n.RootVolumeGiB != 50 || n.LaunchedAt.IsZero() {
		t.Errorf("node = %+v", n)
	}

	// An interruption: AWS terminates the node.
	victim := n.InstanceID
	mustDo(e.ec2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{victim}}))(t)
	p, _, _ = svc.NodesReady(e.ctx, "general")
	if p.Ready || p.Done != 1 || !strings.Contains(p.Message, victim) {
		t.Fatalf("after interruption: %+v", p)
	}
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if live := e.live(); len(live) != 2 {
		t.Fatalf("%d live instances after replacement, want 2", len(live))
	}
	repl := e.live(computeFilter("tag:"+domain.TagResourceKey, domain.InstanceKey("general", 0)))
	if len(repl) != 1 || aws.ToString(repl[0].InstanceId) == victim || aws.ToString(repl[0].ClientToken) == e.scope.ClientToken(domain.InstanceKey("general", 0)) {
		t.Fatalf("replacement = %+v, want a new instance with a new token", repl)
	}
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instances()); n != 3 { // two live, one terminated
		t.Errorf("%d instances after a further reconcile, want 3", n)
	}
}

func TestComputeBastion(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	svc := e.service()
	if err := svc.ReconcileBastion(e.ctx, e.net); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instances()); n != 0 {
		t.Fatalf("bastion disabled (not planned) but %d instances", n)
	}
	e.planBastion()
	for range 2 {
		if err := svc.ReconcileBastion(e.ctx, e.net); err != nil {
			t.Fatal(err)
		}
	}
	insts := e.instances()
	if len(insts) != 1 {
		t.Fatalf("%d bastions, want 1", len(insts))
	}
	b := insts[0]
	if aws.ToString(b.SubnetId) != e.net.PublicSubnets[computeAZs[0]] || b.PublicIpAddress == nil || b.InstanceType != "t3.micro" ||
		aws.ToString(b.KeyName) != "ops" || aws.ToString(b.SecurityGroups[0].GroupId) != e.net.SecurityGroups[domain.RoleBastion] ||
		instanceTag(b, domain.TagResourceKey) != domain.KeyBastion {
		t.Errorf("bastion = %+v", b)
	}
	if recs := e.ledger.ofType(domain.ResInstance); len(recs) != 1 || recs[0].Key != domain.KeyBastion {
		t.Errorf("ledger = %+v", recs)
	}
}

func TestComputeTerminateInstances(t *testing.T) {
	e := newComputeEnv(t, 0.001)
	pool := workerPool("general", 2)
	e.plan(pool)
	e.planBastion()
	svc := e.service()
	if err := svc.ReconcileBastion(e.ctx, e.net); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReconcileNodes(e.ctx, e.net, pool, testUserData); err != nil {
		t.Fatal(err)
	}
	// One the ledger knows but tags do not (launched without our tags).
	img := mustDo(svc.images.find(e.ctx, e.ec2, computeRegion, DefaultNodeImage, time.Now()))(t)
	untagged := mustDo(e.ec2.RunInstances(e.ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		ImageId: aws.String(img.ID), InstanceType: "t3.micro", SubnetId: aws.String(e.net.PrivateSubnets[computeAZs[1]])}))(t).Instances[0]
	mustDo(0, e.ledger.Record(e.ctx, domain.Resource{Type: string(domain.ResInstance), ID: aws.ToString(untagged.InstanceId)}))(t)
	// And one the ledger names that AWS has forgotten.
	mustDo(0, e.ledger.Record(e.ctx, domain.Resource{Type: string(domain.ResInstance), ID: "i-0000000000000dead"}))(t)

	if err := svc.TerminateInstances(e.ctx); err != nil {
		t.Fatal(err)
	}
	p, err := svc.InstancesTerminated(e.ctx)
	if err != nil || p.Ready || p.Total != 4 {
		t.Fatalf("right after terminate: %+v %v", p, err)
	}
	waitFor(t, "instances terminated", func() bool { p, _ = svc.InstancesTerminated(e.ctx); return p.Ready })
	if p.Message != "4/4 instances terminated" {
		t.Errorf("message = %q", p.Message)
	}
	if err := svc.TerminateInstances(e.ctx); err != nil {
		t.Errorf("terminating again: %v", err)
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
