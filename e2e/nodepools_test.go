package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/clusterforge/clusterforge/local/harness"
)

// Labels and taints change in place; size goes up and down keeping the AZ
// spread; a GPU pool and a spot pool come and go; the API refuses stale
// versions, clusters that are not Running and the control plane's removal.
func TestNodePoolEditResizeAddRemove(t *testing.T) {
	t.Parallel()
	e := newTenant(t, harness.CustomerAccount{})
	ec := ec2.NewFromConfig(customerConfig(t, e.customer))
	id := e.npRunning(t, npSpec("np-edit", e, nil))
	before := npAlive(npInstances(t, ec, id), "general")

	// Stale version, wrong status, invalid change, control-plane removal.
	stale := e.get(t, id).Version - 1
	r := e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general", map[string]any{"version": stale, "size": 4})
	if r.Status != http.StatusConflict {
		t.Errorf("stale version: %d %s, want 409", r.Status, r.Body)
	}
	r = e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general", map[string]any{"size": 4})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "version") {
		t.Errorf("no version: %d %s, want 400 naming version", r.Status, r.Body)
	}
	r = e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general",
		map[string]any{"version": e.get(t, id).Version, "taints": []map[string]string{{"key": "a", "effect": "Sometimes"}}})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "taints") {
		t.Errorf("bad taint: %d %s, want 400 on taints", r.Status, r.Body)
	}
	r = e.api.send(t, http.MethodDelete, "/v1/clusters/"+id+"/nodepools/control-plane", map[string]any{"version": e.get(t, id).Version})
	if r.Status != http.StatusConflict {
		t.Errorf("remove the control plane: %d %s, want 409", r.Status, r.Body)
	}

	// Labels and taints: in place, no instance replaced, tags follow.
	start := time.Now()
	e.npUpdate(t, id, http.MethodPatch, "/general", map[string]any{
		"labels": map[string]string{"tier": "api"},
		"taints": []map[string]string{{"key": "dedicated", "value": "api", "effect": "NoExecute"}},
	})
	after := npAlive(npInstances(t, ec, id), "general")
	if !slices.Equal(npIDs(before), npIDs(after)) {
		t.Fatalf("labels/taints edit replaced nodes: %v → %v", npIDs(before), npIDs(after))
	}
	for _, in := range after {
		if in.Tags["clusterforge.io/labels"] != "tier=api" || in.Tags["clusterforge.io/taints"] != "dedicated=api:NoExecute" {
			t.Errorf("%s tags after the edit: %v", in.ID, in.Tags)
		}
	}
	if ops := npLaunchesAndTerminations(t, e.customer.AccountID, start); len(ops) > 0 {
		// The shared account has other clusters: only a concern if this
		// one changed, which the ids above already prove; log for context.
		t.Logf("launches/terminations in the account meanwhile (other tests): %v", ops)
	}

	// Conflict while Updating.
	v := e.get(t, id).Version
	e.api.must(t, http.StatusAccepted, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general", map[string]any{"version": v, "size": 5}, nil)
	r = e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general", map[string]any{"version": e.get(t, id).Version, "size": 2})
	if r.Status != http.StatusConflict {
		t.Errorf("PATCH while Updating: %d %s, want 409", r.Status, r.Body)
	}
	if c := e.waitStatus(t, id, "Running", npTimeout); c.StatusMessage != "" {
		t.Fatalf("resize to 5: %s", c.StatusMessage)
	}
	five := npAlive(npInstances(t, ec, id), "general")
	if got := npSpread(five); len(five) != 5 || !slices.Equal(got, []int{1, 2, 2}) {
		t.Fatalf("after 3→5: %d nodes spread %v, want 5 spread [1 2 2]", len(five), got)
	}
	for _, old := range before {
		if !slices.Contains(npIDs(five), old.ID) {
			t.Errorf("scale-up replaced %s", old.ID)
		}
	}

	// 5→2: the newest go, the spread stays even.
	e.npUpdate(t, id, http.MethodPatch, "/general", map[string]any{"size": 2})
	two := npAlive(npInstances(t, ec, id), "general")
	if len(two) != 2 || two[0].AZ == two[1].AZ {
		t.Fatalf("after 5→2: %+v, want 2 nodes in 2 AZs", two)
	}
	for _, in := range two {
		if !slices.Contains(npIDs(before), in.ID) {
			t.Errorf("scale-down kept the newer %s instead of an original node", in.ID)
		}
	}

	// Add a GPU pool and a spot pool, then remove the GPU pool.
	e.npUpdate(t, id, http.MethodPost, "", map[string]any{"name": "gpu", "size": 1, "instanceType": "g4dn.xlarge", "capacity": map[string]any{"type": "onDemand"}})
	e.npUpdate(t, id, http.MethodPost, "", map[string]any{"name": "spot", "size": 1, "instanceType": "m5.large", "capacity": map[string]any{"type": "spot", "spotMaxPricePercent": 100}})
	all := npInstances(t, ec, id)
	gpu, spot := npAlive(all, "gpu"), npAlive(all, "spot")
	if len(gpu) != 1 || gpu[0].Type != "g4dn.xlarge" || len(spot) != 1 {
		t.Fatalf("added pools: gpu %+v, spot %+v", gpu, spot)
	}
	e.npUpdate(t, id, http.MethodDelete, "/gpu", nil)
	if left := npAlive(npInstances(t, ec, id), "gpu"); len(left) > 0 {
		t.Fatalf("removed GPU pool still has %v", npIDs(left))
	}
	var pools struct {
		Items []struct{ Name string } `json:"items"`
	}
	e.api.must(t, http.StatusOK, http.MethodGet, "/v1/clusters/"+id+"/nodepools", nil, &pools)
	var names []string
	for _, p := range pools.Items {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"control-plane", "general", "spot"}) {
		t.Errorf("pools after removing gpu: %v", names)
	}
}

// npSpread is the number of nodes per AZ, sorted.
func npSpread(list []npInstance) []int {
	per := map[string]int{}
	for _, in := range list {
		per[in.AZ]++
	}
	var out []int
	for _, n := range per {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// An instance type change rolls one node at a time: expandFirst never has
// fewer than size nodes (a launch precedes every termination), and
// contractFirst never more (a termination precedes every launch).
func TestNodePoolRollingUpdate(t *testing.T) {
	t.Parallel()
	e := newTenant(t, newCustomerAccount(t))
	ec := ec2.NewFromConfig(customerConfig(t, e.customer))
	id := e.npRunning(t, npSpec("np-roll", e, nil))
	for _, tc := range []struct {
		strategy, instanceType string
		bound                  func(n int) bool
		first                  string
	}{
		{"expandFirst", "m5.xlarge", func(n int) bool { return n >= 3 }, "run"},
		{"contractFirst", "m5.large", func(n int) bool { return n <= 3 }, "terminate"},
	} {
		before := npAlive(npInstances(t, ec, id), "general")
		start := time.Now()
		stop := npWatch(t, ec, id)
		e.npUpdate(t, id, http.MethodPatch, "/general", map[string]any{"instanceType": tc.instanceType, "rollingUpdate": tc.strategy})
		samples := stop()
		for _, s := range samples {
			if n := len(npAlive(s.instances, "general")); !tc.bound(n) {
				t.Errorf("%s: %d live nodes at %s", tc.strategy, n, s.at.Format(time.StampMilli))
			}
		}
		after := npAlive(npInstances(t, ec, id), "general")
		for _, in := range after {
			if in.Type != tc.instanceType || slices.Contains(npIDs(before), in.ID) {
				t.Errorf("%s: node %s is %s (old: %v)", tc.strategy, in.ID, in.Type, slices.Contains(npIDs(before), in.ID))
			}
		}
		ops := npLaunchesAndTerminations(t, e.customer.AccountID, start)
		runs, terms := 0, 0
		for _, op := range ops {
			if op == "run" {
				runs++
			} else {
				terms++
			}
			if tc.strategy == "expandFirst" && terms > runs || tc.strategy == "contractFirst" && runs > terms {
				t.Errorf("%s: call order %v", tc.strategy, ops)
				break
			}
		}
		if len(after) != 3 || runs != 3 || terms != 3 || ops[0] != tc.first {
			t.Errorf("%s: %d nodes after, calls %v; want 3, 3 runs and 3 terminations starting with %s", tc.strategy, len(after), ops, tc.first)
		}
		t.Logf("%s: %d samples, calls %v", tc.strategy, len(samples), ops)
	}
}

// Two worker pools changed in one update roll together with
// updateWorkerPoolsInParallel and one after another without it.
func TestNodePoolParallelWorkerPools(t *testing.T) {
	t.Parallel()
	for _, parallel := range []bool{true, false} {
		t.Run(fmt.Sprintf("parallel=%v", parallel), func(t *testing.T) {
			t.Parallel()
			e := newTenant(t, harness.CustomerAccount{})
			ec := ec2.NewFromConfig(customerConfig(t, e.customer))
			id := e.npRunning(t, npSpec(fmt.Sprintf("np-par-%v", parallel), e, func(spec map[string]any) {
				spec["updateWorkerPoolsInParallel"] = parallel
				pools := spec["nodePools"].([]map[string]any)
				pools[1]["size"] = 2
				b := map[string]any{"name": "batch", "size": 2, "instanceType": "m5.large", "rollingUpdate": "expandFirst"}
				spec["nodePools"] = append(pools, b)
			}))
			stop := npWatch(t, ec, id)
			e.npUpdate(t, id, http.MethodPatch, "", map[string]any{"nodePools": []map[string]any{
				{"name": "general", "instanceType": "m5.xlarge"}, {"name": "batch", "instanceType": "m5.xlarge"},
			}})
			samples := stop()
			g, b := npRollWindow(samples, "general", "m5.xlarge"), npRollWindow(samples, "batch", "m5.xlarge")
			overlap := g.start.Before(b.end) && b.start.Before(g.end)
			t.Logf("general rolled %s–%s, batch %s–%s", g.start.Format(time.StampMilli), g.end.Format(time.StampMilli),
				b.start.Format(time.StampMilli), b.end.Format(time.StampMilli))
			if g.start.IsZero() || b.start.IsZero() || g.end.IsZero() || b.end.IsZero() {
				t.Fatalf("a pool's roll was not observed: general %+v batch %+v", g, b)
			}
			if overlap != parallel {
				t.Errorf("the pools' rolls overlap = %v, want %v", overlap, parallel)
			}
		})
	}
}

type npWindow struct{ start, end time.Time }

// npRollWindow is when a pool's roll to instanceType was seen: from the
// first sample with a new node to the first with only new, running ones.
func npRollWindow(samples []npSample, pool, instanceType string) npWindow {
	var w npWindow
	for _, s := range samples {
		var pool0 []npInstance
		for _, in := range s.instances {
			if in.Pool == pool && in.State != "terminated" {
				pool0 = append(pool0, in)
			}
		}
		fresh := 0
		for _, in := range pool0 {
			if in.Type == instanceType {
				fresh++
			}
		}
		if fresh > 0 && w.start.IsZero() {
			w.start = s.at
		}
		if !w.start.IsZero() && fresh == len(pool0) && !slices.ContainsFunc(pool0, func(i npInstance) bool { return i.State != "running" }) {
			w.end = s.at
			return w
		}
	}
	return w
}

// The control plane grows 1→3→5 and shrinks back to 3 one node at a time,
// the API target group always following: exactly the control-plane
// instances. Even sizes are refused.
func TestNodePoolControlPlaneQuorum(t *testing.T) {
	t.Parallel()
	e := newTenant(t, harness.CustomerAccount{})
	cfg := customerConfig(t, e.customer)
	ec, lb := ec2.NewFromConfig(cfg), elb.NewFromConfig(cfg)
	id := e.npRunning(t, npSpec("np-cp", e, nil))
	r := e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/control-plane", map[string]any{"version": e.get(t, id).Version, "size": 2})
	if r.Status != http.StatusBadRequest {
		t.Errorf("control plane of 2: %d %s, want 400", r.Status, r.Body)
	}
	tg := npTargetGroup(t, lb, id)
	for _, size := range []int{3, 5, 3} {
		e.npUpdate(t, id, http.MethodPatch, "/control-plane", map[string]any{"size": size})
		cp := npIDs(npAlive(npInstances(t, ec, id), "control-plane"))
		targets := npTargets(t, lb, tg)
		if len(cp) != size || !slices.Equal(cp, targets) {
			t.Fatalf("control plane %d: instances %v, targets %v", size, cp, targets)
		}
	}
}

func npTargetGroup(t *testing.T, lb *elb.Client, clusterID string) string {
	t.Helper()
	out, err := lb.DescribeTargetGroups(context.Background(), &elb.DescribeTargetGroupsInput{})
	if err != nil {
		t.Fatalf("describe target groups: %v", err)
	}
	for _, g := range out.TargetGroups {
		tags, err := lb.DescribeTags(context.Background(), &elb.DescribeTagsInput{ResourceArns: []string{aws.ToString(g.TargetGroupArn)}})
		if err != nil {
			t.Fatalf("describe tags: %v", err)
		}
		for _, d := range tags.TagDescriptions {
			for _, tag := range d.Tags {
				if aws.ToString(tag.Key) == harness.ClusterIDTag && aws.ToString(tag.Value) == clusterID {
					return aws.ToString(g.TargetGroupArn)
				}
			}
		}
	}
	t.Fatalf("no target group of %s", clusterID)
	return ""
}

func npTargets(t *testing.T, lb *elb.Client, tg string) []string {
	t.Helper()
	out, err := lb.DescribeTargetHealth(context.Background(), &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
	if err != nil {
		t.Fatalf("describe target health: %v", err)
	}
	var ids []string
	for _, d := range out.TargetHealthDescriptions {
		ids = append(ids, aws.ToString(d.Target.Id))
	}
	slices.Sort(ids)
	return ids
}

// Static placement: the cluster runs in the customer's VPC and subnets,
// creates no network of its own, leaves the VPC, subnets and their tags as
// they were when deleted, and a public subnet without the discovery tags is
// refused at create naming the missing tag.
func TestStaticPlacement(t *testing.T) {
	t.Parallel()
	e := newTenant(t, newCustomerAccount(t))
	ec := ec2.NewFromConfig(customerConfig(t, e.customer))
	ctx := context.Background()
	name := "np-static"
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	var private, public []string
	for i, az := range harness.ExampleAZs {
		private = append(private, npSubnet(t, ec, vpcID, az, fmt.Sprintf("10.20.%d.0/24", i), nil))
		public = append(public, npSubnet(t, ec, vpcID, az, fmt.Sprintf("10.20.%d.0/24", 10+i), map[string]string{
			"kubernetes.io/role/elb": "1", "sigs.k8s.io/cluster-api-provider-aws/role": "public",
			"kubernetes.io/cluster/" + name: "shared", "sigs.k8s.io/cluster-api-provider-aws/cluster/" + name: "owned",
		}))
	}
	untagged := npSubnet(t, ec, vpcID, harness.ExampleAZs[0], "10.20.20.0/24", map[string]string{"kubernetes.io/role/elb": "1"})
	static := func(pub []string) func(map[string]any) {
		return func(spec map[string]any) {
			spec["placement"] = map[string]any{"type": "static", "vpcId": vpcID, "azs": harness.ExampleAZs,
				"controlPlaneSubnetIds": private, "workerSubnetIds": private, "publicSubnetIds": pub}
		}
	}
	r := e.api.send(t, http.MethodPost, "/v1/clusters", npSpec(name, e, static([]string{untagged})))
	if r.Status != http.StatusBadRequest {
		t.Fatalf("untagged public subnet: %d %s, want 400", r.Status, r.Body)
	}
	if ae := r.err(t); ae.Error.Field == nil || *ae.Error.Field != "placement.publicSubnetIds[0]" ||
		!strings.Contains(ae.Error.Message, "sigs.k8s.io/cluster-api-provider-aws/role=public") || strings.Contains(ae.Error.Message, "kubernetes.io/role/elb=1") {
		t.Errorf("untagged public subnet error = %s", r.Body)
	}

	before := npNetwork(t, ec)
	id := e.npRunning(t, npSpec(name, e, static(public)))
	if during := npNetwork(t, ec); during.String() != before.String() {
		t.Errorf("the cluster changed the customer's network:\nbefore %s\nduring %s", before, during)
	}
	for _, in := range npInstances(t, ec, id) {
		if in.alive() && !slices.Contains(private, in.Subnet) {
			t.Errorf("instance %s (%s) is in subnet %s, not one of %v", in.ID, in.Pool, in.Subnet, private)
		}
	}
	sgs := npSecurityGroups(t, ec, id)
	if len(sgs) == 0 {
		t.Fatal("no security groups of the cluster")
	}
	for sg, v := range sgs {
		if v != vpcID {
			t.Errorf("security group %s is in %s, not the customer's %s", sg, v, vpcID)
		}
	}
	e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+id, nil, nil)
	e.waitStatus(t, id, "Deleted", npTimeout)
	if after := npNetwork(t, ec); after.String() != before.String() {
		t.Errorf("deletion changed the customer's network:\nbefore %s\nafter  %s", before, after)
	}
	if left := npSecurityGroups(t, ec, id); len(left) > 0 {
		t.Errorf("security groups left: %v", left)
	}
}

func npSubnet(t *testing.T, ec *ec2.Client, vpcID, az, cidr string, tags map[string]string) string {
	t.Helper()
	in := &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), AvailabilityZone: aws.String(az), CidrBlock: aws.String(cidr)}
	if len(tags) > 0 {
		var list []ec2types.Tag
		for k, v := range tags {
			list = append(list, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSubnet, Tags: list}}
	}
	out, err := ec.CreateSubnet(context.Background(), in)
	if err != nil {
		t.Fatalf("create subnet %s: %v", cidr, err)
	}
	return aws.ToString(out.Subnet.SubnetId)
}

// npNet is the account's network as the customer sees it.
type npNet struct{ vpcs, subnets, gateways []string }

func (n npNet) String() string {
	return fmt.Sprintf("vpcs %v subnets %v gateways %v", n.vpcs, n.subnets, n.gateways)
}

func npNetwork(t *testing.T, ec *ec2.Client) npNet {
	t.Helper()
	ctx := context.Background()
	var n npNet
	vpcs, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vpcs.Vpcs {
		n.vpcs = append(n.vpcs, aws.ToString(v.VpcId))
	}
	subnets, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subnets.Subnets {
		tags := provTags(s.Tags)
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			keys = append(keys, k+"="+v)
		}
		slices.Sort(keys)
		n.subnets = append(n.subnets, aws.ToString(s.SubnetId)+"{"+strings.Join(keys, ",")+"}")
	}
	igws, err := ec.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range igws.InternetGateways {
		n.gateways = append(n.gateways, aws.ToString(g.InternetGatewayId))
	}
	nats, err := ec.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range nats.NatGateways {
		n.gateways = append(n.gateways, aws.ToString(g.NatGatewayId)+"/"+string(g.State))
	}
	slices.Sort(n.vpcs)
	slices.Sort(n.subnets)
	slices.Sort(n.gateways)
	return n
}

// npSecurityGroups are the cluster's security groups and their VPCs.
func npSecurityGroups(t *testing.T, ec *ec2.Client, clusterID string) map[string]string {
	t.Helper()
	out, err := ec.DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + harness.ClusterIDTag), Values: []string{clusterID}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, g := range out.SecurityGroups {
		m[aws.ToString(g.GroupId)] = aws.ToString(g.VpcId)
	}
	return m
}
