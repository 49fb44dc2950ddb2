package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/clusterforge/clusterforge/local/harness"
)

// DESIGN §4 "Deletion reverses it" and "Force delete", end to end on the
// local cloud: the real API, Lambdas, state machines and scheduler, checked
// with the customer's own AWS keys.

// TestDeleteLeavesNothing: a Running cluster deleted through the API leaves
// nothing tagged as its own, leaves the list but stays readable, reports
// every deletion task Succeeded, and its force-delete unlock never fires.
func TestDeleteLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newDeleteEnv(t)
	id := e.runningCluster(t, "leaves-nothing")
	if left := tagged(t, e.customer, id); len(left) == 0 {
		t.Fatal("a Running cluster has no tagged resources: the leak scan would prove nothing")
	}

	start := time.Now()
	d := e.deleteCluster(t, id)
	c := e.waitStatus(t, id, "Deleted", deletedTimeout)
	deletedAt := time.Now()
	t.Logf("Deleting → Deleted in %s", deletedAt.Sub(start).Round(time.Millisecond))

	e.assertNothingTagged(t, id)

	if status, listed := e.listedClusterIDs(t)[id]; listed {
		t.Errorf("GET /v1/clusters still lists the deleted cluster (status %s)", status)
	}
	if c.Status != "Deleted" || c.ForceDeleted || len(c.LeftoverResources) != 0 {
		t.Errorf("GET by id = status %s, forceDeleted %v, leftovers %v; want Deleted, false, none", c.Status, c.ForceDeleted, c.LeftoverResources)
	}
	if c.DeletingSince == nil || !c.DeletingSince.Equal(*d.DeletingSince) {
		t.Errorf("deletingSince = %v after the deletion, want %v as DELETE answered", c.DeletingSince, d.DeletingSince)
	}
	if len(c.Tasks) == 0 {
		t.Error("the deleted cluster has no tasks")
	}
	for _, task := range c.Tasks {
		if task.State != "Succeeded" {
			t.Errorf("deletion task %s is %s (%s), want Succeeded", task.Name, task.State, task.Message)
		}
	}

	// The unlock schedule must be gone with the deletion: there is no
	// platform-account client in the tests, so prove it by its absence —
	// past availableAt, nothing unlocks and forcedelete-unlock never runs
	// for this cluster (a leftover schedule would fire and log a no-op).
	availableAt := *d.ForceDelete.AvailableAt
	if !deletedAt.Before(availableAt) {
		t.Logf("deletion took longer than the %s force-delete delay; the schedule fired before Deleted, so its removal is not observable", forceDeleteDelay)
		return
	}
	time.Sleep(time.Until(availableAt) + 5*time.Second)
	if c := e.get(t, id); c.Status != "Deleted" || c.ForceDelete.Available {
		t.Errorf("past availableAt the deleted cluster is %s with forceDelete.available %v, want Deleted and false", c.Status, c.ForceDelete.Available)
	}
	if lines := lambdaLogLines(t, "forcedelete-unlock", id); len(lines) > 0 {
		t.Errorf("the force-delete schedule of a cleanly deleted cluster still fired:\n%s", strings.Join(lines, "\n"))
	}
}

// TestDeleteRemovesCloudControllerResources: what the cluster's cloud
// controller and CNI make with the customer's keys (an NLB and target
// group, a security group, a detached ENI) does not block or survive the
// deletion.
func TestDeleteRemovesCloudControllerResources(t *testing.T) {
	t.Parallel()
	e := newDeleteEnv(t)
	const name = "ccm-leftovers"
	id := e.runningCluster(t, name)
	ctx := context.Background()
	cfg := customerConfig(t, e.customer)
	lbc := elb.NewFromConfig(cfg)

	vpcID := e.clusterVPC(t, id)
	public := e.subnetsWithTag(t, vpcID, "kubernetes.io/role/elb")
	private := e.subnetsWithTag(t, vpcID, "kubernetes.io/role/internal-elb")
	if len(public) != len(harness.ExampleAZs) || len(private) != len(harness.ExampleAZs) {
		t.Fatalf("VPC %s has public subnets %v and private %v, want one of each per AZ %v", vpcID, public, private, harness.ExampleAZs)
	}
	owned := "kubernetes.io/cluster/" + name
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e6)

	// A Service of type LoadBalancer: NLB, target group, listener.
	lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("k8s-default-web-" + suffix), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Subnets: public,
		Tags: []elbtypes.Tag{
			{Key: aws.String(owned), Value: aws.String("owned")},
			{Key: aws.String("kubernetes.io/service-name"), Value: aws.String("default/web")},
		},
	})
	if err != nil {
		t.Fatalf("create the controller's load balancer: %v", err)
	}
	lbARN := aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	tg, err := lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String("k8s-default-web-tg-" + suffix), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(30080),
		VpcId: aws.String(vpcID), TargetType: elbtypes.TargetTypeEnumInstance,
		Tags: []elbtypes.Tag{{Key: aws.String(owned), Value: aws.String("owned")}},
	})
	if err != nil {
		t.Fatalf("create the controller's target group: %v", err)
	}
	tgARN := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if _, err := lbc.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}},
	}); err != nil {
		t.Fatalf("create the controller's listener: %v", err)
	}
	// The controller's security group for that load balancer.
	sg, err := e.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("k8s-elb-web-" + suffix), Description: aws.String("Security group for Kubernetes ELB web"),
		VpcId: aws.String(vpcID),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags: []ec2types.Tag{{Key: aws.String(owned), Value: aws.String("owned")}}}},
	})
	if err != nil {
		t.Fatalf("create the controller's security group: %v", err)
	}
	sgID := aws.ToString(sg.GroupId)
	// An interface the CNI left detached in a private subnet.
	eni, err := e.ec2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{
		SubnetId: aws.String(private[0]), Description: aws.String("aws-K8S-i-orphaned"),
	})
	if err != nil {
		t.Fatalf("create the orphan network interface: %v", err)
	}
	eniID := aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	enis, err := e.ec2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eniID}})
	if err != nil || len(enis.NetworkInterfaces) != 1 || enis.NetworkInterfaces[0].Status != ec2types.NetworkInterfaceStatusAvailable {
		t.Fatalf("the orphan interface %s is not available before the deletion: %v %+v", eniID, err, enis)
	}
	t.Logf("controller resources: lb %s, tg %s, sg %s, eni %s in VPC %s", lbARN, tgARN, sgID, eniID, vpcID)

	start := time.Now()
	e.deleteCluster(t, id)
	e.waitStatus(t, id, "Deleted", deletedTimeout)
	t.Logf("Deleting → Deleted in %s", time.Since(start).Round(time.Millisecond))

	lbs, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbARN}})
	assertGone(t, "load balancer "+lbARN, err, lenOr(lbs, func(o *elb.DescribeLoadBalancersOutput) int { return len(o.LoadBalancers) }))
	tgs, err := lbc.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{tgARN}})
	assertGone(t, "target group "+tgARN, err, lenOr(tgs, func(o *elb.DescribeTargetGroupsOutput) int { return len(o.TargetGroups) }))
	sgs, err := e.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{sgID}})
	assertGone(t, "security group "+sgID, err, lenOr(sgs, func(o *ec2.DescribeSecurityGroupsOutput) int { return len(o.SecurityGroups) }))
	enis, err = e.ec2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eniID}})
	assertGone(t, "network interface "+eniID, err, lenOr(enis, func(o *ec2.DescribeNetworkInterfacesOutput) int { return len(o.NetworkInterfaces) }))
	vpcs, err := e.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	assertGone(t, "VPC "+vpcID, err, lenOr(vpcs, func(o *ec2.DescribeVpcsOutput) int { return len(o.Vpcs) }))
	e.assertNothingTagged(t, id)
}

// lenOr is n(out), or 0 when the call failed and out is nil.
func lenOr[T any](out *T, n func(*T) int) int {
	if out == nil {
		return 0
	}
	return n(out)
}

// TestForceDeleteStuckDeletion: a deletion that cannot delete the VPC stays
// Deleting; force delete is refused (409 with availableAt) until the
// unlock schedule fires through the scheduler dispatcher, is never allowed
// for editors and viewers, and then marks the cluster Deleted with the VPC
// as its only leftover.
func TestForceDeleteStuckDeletion(t *testing.T) {
	t.Parallel()
	e := newDeleteEnv(t)
	id := e.runningCluster(t, "stuck-vpc")
	vpcID := e.clusterVPC(t, id)

	// EC2 answers every DeleteVpc of this account with a 500 InternalError:
	// the SDK retries it, the Lambda maps the exhausted retries to
	// Retryable, Step Functions retries that and then Catches it into
	// DeletionStuck (minutes here, since the SDK's backoff runs in wall
	// time) — either way the VPC outlives the force-delete delay.
	fault := addFaultRule(t, map[string]any{
		"account": e.customer.AccountID, "service": "ec2", "action": "DeleteVpc", "nth": 0, "kind": "server-error",
	})

	d := e.deleteCluster(t, id)
	availableAt := *d.ForceDelete.AvailableAt
	fdPath := "/v1/clusters/" + id + "/forcedelete"

	r := e.api.send(t, http.MethodPost, fdPath, nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("force delete right after DELETE = %d, want 409: %s", r.Status, r.Body)
	}
	var locked struct {
		Error struct {
			Code        string     `json:"code"`
			Message     string     `json:"message"`
			AvailableAt *time.Time `json:"availableAt"`
		} `json:"error"`
	}
	mustJSON(t, r.Body, &locked)
	if locked.Error.Code != "ForceDeleteNotAvailable" {
		t.Errorf("409 code = %q, want ForceDeleteNotAvailable", locked.Error.Code)
	}
	if locked.Error.AvailableAt == nil || !locked.Error.AvailableAt.Equal(availableAt) {
		t.Errorf("409 availableAt = %v, want %s (deletingSince + %s)", locked.Error.AvailableAt, availableAt, forceDeleteDelay)
	}
	if !strings.Contains(locked.Error.Message, availableAt.UTC().Format(time.RFC3339)) {
		t.Errorf("409 message %q does not say when (%s)", locked.Error.Message, availableAt.UTC().Format(time.RFC3339))
	}
	for _, role := range []string{"viewer", "project-editor"} {
		if r := as(t, e.tenant, "p1", role).send(t, http.MethodPost, fdPath, nil); r.Status != http.StatusForbidden {
			t.Errorf("force delete as %s = %d, want 403: %s", role, r.Status, r.Body)
		}
	}
	// project-admin may force delete: still locked, so 409, not 403.
	if r := as(t, e.tenant, "p1", "project-admin").send(t, http.MethodPost, fdPath, nil); r.Status != http.StatusConflict {
		t.Errorf("force delete as project-admin before the unlock = %d, want 409: %s", r.Status, r.Body)
	}

	// The deletion gets as far as the VPC (everything else deleted), gives
	// up there (DeletionStuck: the vpc task Failed, the cluster still
	// Deleting) and stays so until the schedule unlocks force delete.
	deadline := availableAt.Add(90 * time.Second)
	var c clusterView
	var unlockedAt time.Time
	for {
		c = e.get(t, id)
		if c.Status != "Deleting" {
			t.Fatalf("while DeleteVpc fails the cluster became %s (%s), want Deleting", c.Status, c.StatusMessage)
		}
		if c.ForceDelete.Available && unlockedAt.IsZero() {
			unlockedAt = time.Now()
			if unlockedAt.Before(availableAt.Add(-time.Second)) {
				t.Fatalf("force delete unlocked at %s, before availableAt %s", unlockedAt.UTC(), availableAt)
			}
		}
		if c.ForceDelete.Available && strings.HasPrefix(c.StatusMessage, "deletion stuck at vpc") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("by %s forceDelete.available = %v, status message %q, DeleteVpc failed %d times; want the unlock at %s and the deletion stuck at the VPC; tasks %+v",
				time.Now().UTC(), c.ForceDelete.Available, c.StatusMessage, faultFired(t, fault), availableAt, c.Tasks)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("force delete unlocked %s after availableAt; %s; DeleteVpc failed %d times",
		unlockedAt.Sub(availableAt).Round(time.Millisecond), c.StatusMessage, faultFired(t, fault))
	for _, task := range c.Tasks {
		want := "Succeeded"
		if task.Name == "vpc" {
			want = "Failed"
		}
		if task.State != want {
			t.Errorf("stuck deletion: task %s is %s (%s), want %s", task.Name, task.State, task.Message, want)
		}
	}
	// The unlock came from the scheduler dispatcher invoking the real
	// forcedelete-unlock Lambda (also the positive control for
	// TestDeleteLeavesNothing's "never fired" check).
	if len(lambdaLogLines(t, "forcedelete-unlock", id)) == 0 {
		t.Error("forcedelete-unlock logged nothing for the cluster, yet force delete is available")
	}

	for _, role := range []string{"viewer", "project-editor"} {
		if r := as(t, e.tenant, "p1", role).send(t, http.MethodPost, fdPath, nil); r.Status != http.StatusForbidden {
			t.Errorf("force delete as %s after the unlock = %d, want 403: %s", role, r.Status, r.Body)
		}
	}
	var fd clusterView
	e.api.must(t, http.StatusOK, http.MethodPost, fdPath, nil, &fd)
	checkForceDeleted := func(when string, c clusterView) {
		t.Helper()
		if c.Status != "Deleted" || !c.ForceDeleted {
			t.Errorf("%s: status %s, forceDeleted %v; want Deleted, true", when, c.Status, c.ForceDeleted)
		}
		if len(c.LeftoverResources) != 1 {
			t.Fatalf("%s: leftoverResources = %+v, want exactly the VPC %s", when, c.LeftoverResources, vpcID)
		}
		l := c.LeftoverResources[0]
		if l.Type != "vpc" || l.ID != vpcID {
			t.Errorf("%s: leftover = %+v, want type vpc, id %s", when, l, vpcID)
		}
		if l.Region != harness.ExampleRegion || l.Reason == "" {
			t.Errorf("%s: leftover %s has region %q and reason %q; want region %s and a reason the user can act on", when, l.ID, l.Region, l.Reason, harness.ExampleRegion)
		}
	}
	checkForceDeleted("POST /forcedelete", fd)

	if _, err := cloud.Admin(context.Background(), http.MethodDelete, "/faults/"+fault, nil, nil); err != nil {
		t.Fatalf("remove the DeleteVpc fault: %v", err)
	}
	checkForceDeleted("GET after force delete", e.get(t, id))
	if status, listed := e.listedClusterIDs(t)[id]; listed {
		t.Errorf("GET /v1/clusters still lists the force-deleted cluster (status %s)", status)
	}
}

// TestDeleteDuringProvisioning: DELETE while the network is half built
// stops provisioning and removes what it had created, including what was
// still being created when DELETE came.
func TestDeleteDuringProvisioning(t *testing.T) {
	t.Parallel()
	e := newDeleteEnv(t)
	id := e.createCluster(t, "half-built")

	// Wait for the VPC to exist and the NAT gateways to be on their way.
	deadline := time.Now().Add(runningTimeout)
	var c clusterView
	for {
		c = e.get(t, id)
		state := map[string]string{}
		for _, task := range c.Tasks {
			state[task.Name] = task.State
		}
		if state["vpc"] == "Succeeded" && (state["natGateways"] == "Running" || state["natGateways"] == "Succeeded") {
			break
		}
		if c.Status != "Provisioning" || time.Now().After(deadline) {
			t.Fatalf("cluster is %s (%s) with tasks %v; want Provisioning with the VPC made and NAT gateways pending", c.Status, c.StatusMessage, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := tagged(t, e.customer, id)
	if len(before["vpc"]) != 1 || len(before["natgateway"]) == 0 {
		t.Fatalf("before DELETE the account holds %v; want the VPC and NAT gateways", before)
	}
	t.Logf("DELETE at progress %d%% with %v", c.Progress, before)

	start := time.Now()
	e.deleteCluster(t, id)
	e.waitStatus(t, id, "Deleted", deletedTimeout+2*time.Minute)
	deletedAt := time.Now()
	t.Logf("Deleting → Deleted in %s", deletedAt.Sub(start).Round(time.Millisecond))
	e.assertNothingTagged(t, id)

	// The provisioning execution was stopped: nothing is created for this
	// cluster once it is Deleted (the account is this test's alone), and
	// it stays Deleted with nothing left.
	time.Sleep(3 * time.Second)
	for _, call := range serviceCalls(t, e.customer.AccountID) {
		if call.Time.After(deletedAt) && creates(call.Action) {
			t.Errorf("%s:%s by %s at %s, after the cluster was Deleted: provisioning still runs", call.Service, call.Action, call.AppID, call.Time.UTC())
		}
	}
	if c := e.get(t, id); c.Status != "Deleted" {
		t.Errorf("the cluster became %s after Deleted", c.Status)
	}
	e.assertNothingTagged(t, id)
}

// TestDeleteIsIdempotent: a repeated DELETE is accepted and keeps the
// deletion's clock; one deletion completes; DELETE on a Deleted cluster is
// a conflict.
func TestDeleteIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newDeleteEnv(t)
	id := e.runningCluster(t, "twice")

	first := e.deleteCluster(t, id)
	second := e.deleteCluster(t, id)
	if !second.DeletingSince.Equal(*first.DeletingSince) {
		t.Errorf("the second DELETE moved deletingSince from %s to %s (and with it when force delete unlocks)", first.DeletingSince, second.DeletingSince)
	}
	c := e.waitStatus(t, id, "Deleted", deletedTimeout)
	e.assertNothingTagged(t, id)
	for _, task := range c.Tasks {
		if task.State != "Succeeded" {
			t.Errorf("deletion task %s is %s (%s), want Succeeded", task.Name, task.State, task.Message)
		}
	}
	// One deletion completed: the VPC was deleted once (the first
	// execution was stopped before it got there; this account is the
	// test's alone).
	deleted := 0
	for _, call := range serviceCalls(t, e.customer.AccountID) {
		if call.Action == "DeleteVpc" && call.Status == http.StatusOK {
			deleted++
		}
	}
	if deleted != 1 {
		t.Errorf("DeleteVpc succeeded %d times, want once", deleted)
	}
	// Stays Deleted: the superseded execution does not flip it back.
	time.Sleep(2 * time.Second)
	if c := e.get(t, id); c.Status != "Deleted" || c.ForceDeleted {
		t.Errorf("after both deletions the cluster is %s (forceDeleted %v), want Deleted", c.Status, c.ForceDeleted)
	}

	r := e.api.send(t, http.MethodDelete, "/v1/clusters/"+id, nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("DELETE on a Deleted cluster = %d, want 409: %s", r.Status, r.Body)
	}
	if code := r.err(t).Error.Code; code != "conflict" {
		t.Errorf("DELETE on a Deleted cluster: code %q, want conflict", code)
	}
}
