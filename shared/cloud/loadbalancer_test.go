package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/sivchari/kumo"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// lbEnv is a compute environment plus ELBv2 from kumo. kumo keeps one
// store per process, so every test uses its own cluster name.
type lbEnv struct {
	*computeEnv
	elb     *elbv2.Client
	creates *atomic.Int32
}

func newLBEnv(t *testing.T, clusterName, scheme string) *lbEnv {
	t.Helper()
	e := newComputeEnv(t, 0.001)
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	client := elbv2.New(elbv2.Options{
		Region: computeRegion, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", ""),
	})
	e.scope.ClusterName = clusterName
	e.scope.Plan.ClusterName = clusterName
	subnets := []string{}
	for _, az := range computeAZs {
		role := domain.RolePublic
		if scheme == domain.SchemeInternal {
			role = domain.RolePrivate
		}
		subnets = append(subnets, domain.SubnetKey(role, az))
	}
	e.scope.Plan.Resources = append(e.scope.Plan.Resources,
		domain.PlannedResource{Key: domain.KeyLoadBalancer, Type: domain.ResLoadBalancer, Role: scheme, Subnets: subnets},
		domain.PlannedResource{Key: domain.KeyTargetGroup, Type: domain.ResTargetGroup, Role: domain.RoleAPIServerLB},
		domain.PlannedResource{Key: domain.KeyListener, Type: domain.ResListener, Role: domain.RoleAPIServerLB},
	)
	return &lbEnv{computeEnv: e, elb: client, creates: &atomic.Int32{}}
}

// countingELB counts create calls.
type countingELB struct {
	ELBv2API
	creates *atomic.Int32
}

func (c countingELB) CreateLoadBalancer(ctx context.Context, in *elbv2.CreateLoadBalancerInput, o ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error) {
	c.creates.Add(1)
	return c.ELBv2API.CreateLoadBalancer(ctx, in, o...)
}

func (c countingELB) CreateTargetGroup(ctx context.Context, in *elbv2.CreateTargetGroupInput, o ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error) {
	c.creates.Add(1)
	return c.ELBv2API.CreateTargetGroup(ctx, in, o...)
}

func (c countingELB) CreateListener(ctx context.Context, in *elbv2.CreateListenerInput, o ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error) {
	c.creates.Add(1)
	return c.ELBv2API.CreateListener(ctx, in, o...)
}

func (e *lbEnv) service() *LoadBalancerService {
	return NewLoadBalancerService(countingELB{e.elb, e.creates}, e.ec2, e.scope)
}

func (e *lbEnv) tags(arn string) map[string]string {
	return mustDo(describeELBTags(e.ctx, e.elb, []string{arn}))(e.t)[arn]
}

func TestLoadBalancerCreatedOnce(t *testing.T) {
	e := newLBEnv(t, "lbonce", domain.SchemeInternetFacing)
	svc := e.service()
	dns, err := svc.ReconcileLoadBalancer(e.ctx, e.net)
	if err != nil {
		t.Fatal(err)
	}
	if dns == "" || e.creates.Load() != 3 {
		t.Fatalf("dns %q after %d creates, want a name after 3", dns, e.creates.Load())
	}
	lbs := mustDo(e.elb.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{svc.lbName()}}))(t).LoadBalancers
	if len(lbs) != 1 {
		t.Fatalf("%d load balancers named %s", len(lbs), svc.lbName())
	}
	lb := lbs[0]
	var subnets []string
	for _, az := range lb.AvailabilityZones {
		subnets = append(subnets, aws.ToString(az.SubnetId))
	}
	slices.Sort(subnets)
	want := []string{e.net.PublicSubnets[computeAZs[0]], e.net.PublicSubnets[computeAZs[1]], e.net.PublicSubnets[computeAZs[2]]}
	slices.Sort(want)
	if lb.Type != elbtypes.LoadBalancerTypeEnumNetwork || lb.Scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing ||
		!slices.Equal(subnets, want) || !slices.Equal(lb.SecurityGroups, []string{e.net.SecurityGroups[domain.RoleAPIServerLB]}) {
		t.Errorf("load balancer = %+v", lb)
	}
	if tags := e.tags(aws.ToString(lb.LoadBalancerArn)); tags[domain.TagClusterID] != e.scope.ClusterID || tags["team"] != "pay" {
		t.Errorf("load balancer tags = %v", tags)
	}

	tgs := mustDo(e.elb.DescribeTargetGroups(e.ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{svc.tgName()}}))(t).TargetGroups
	if len(tgs) != 1 {
		t.Fatalf("%d target groups", len(tgs))
	}
	tg := tgs[0]
	if tg.Protocol != elbtypes.ProtocolEnumTcp || aws.ToInt32(tg.Port) != 6443 || tg.TargetType != elbtypes.TargetTypeEnumInstance ||
		tg.HealthCheckProtocol != elbtypes.ProtocolEnumTcp || aws.ToString(tg.HealthCheckPort) != "traffic-port" || aws.ToInt32(tg.HealthCheckIntervalSeconds) != 10 ||
		aws.ToInt32(tg.HealthyThresholdCount) != 3 || aws.ToInt32(tg.UnhealthyThresholdCount) != 3 || aws.ToString(tg.VpcId) != e.net.VPCID {
		t.Errorf("target group = %+v", tg)
	}
	if tags := e.tags(aws.ToString(tg.TargetGroupArn)); tags[domain.TagResourceKey] != domain.KeyTargetGroup {
		t.Errorf("target group tags = %v", tags)
	}
	listeners := mustDo(e.elb.DescribeListeners(e.ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn}))(t).Listeners
	if len(listeners) != 1 || aws.ToInt32(listeners[0].Port) != 6443 || listeners[0].Protocol != elbtypes.ProtocolEnumTcp ||
		len(listeners[0].DefaultActions) != 1 || aws.ToString(listeners[0].DefaultActions[0].TargetGroupArn) != aws.ToString(tg.TargetGroupArn) {
		t.Errorf("listeners = %+v", listeners)
	}
	for _, typ := range []domain.ResourceType{domain.ResLoadBalancer, domain.ResTargetGroup, domain.ResListener} {
		if recs := e.ledger.ofType(typ); len(recs) != 1 || !strings.HasPrefix(recs[0].ID, "arn:") {
			t.Errorf("ledger %s = %+v", typ, recs)
		}
	}

	again, err := svc.ReconcileLoadBalancer(e.ctx, e.net)
	if err != nil || again != dns || e.creates.Load() != 3 {
		t.Errorf("second reconcile: %q, %v, %d creates in all; want the same name and no create", again, err, e.creates.Load())
	}
}

func TestLoadBalancerInternalUsesPrivateSubnets(t *testing.T) {
	e := newLBEnv(t, "lbinternal", domain.SchemeInternal)
	svc := e.service()
	if _, err := svc.ReconcileLoadBalancer(e.ctx, e.net); err != nil {
		t.Fatal(err)
	}
	lb := mustDo(e.elb.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{svc.lbName()}}))(t).LoadBalancers[0]
	if lb.Scheme != elbtypes.LoadBalancerSchemeEnumInternal || aws.ToString(lb.AvailabilityZones[0].SubnetId) != e.net.PrivateSubnets[computeAZs[0]] {
		t.Errorf("load balancer = %+v", lb)
	}
}

// lostCreateELB hides the load balancer from the first lookup, as if the
// answer to an earlier CreateLoadBalancer had been lost.
type lostCreateELB struct {
	ELBv2API
	looked *atomic.Int32
}

func (l lostCreateELB) DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, o ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	if l.looked.Add(1) == 1 {
		return &elbv2.DescribeLoadBalancersOutput{}, nil
	}
	return l.ELBv2API.DescribeLoadBalancers(ctx, in, o...)
}

func TestLoadBalancerDuplicateNameIsLookedUp(t *testing.T) {
	e := newLBEnv(t, "lbdup", domain.SchemeInternetFacing)
	dns, err := e.service().ReconcileLoadBalancer(e.ctx, e.net)
	if err != nil {
		t.Fatal(err)
	}
	lost := NewLoadBalancerService(lostCreateELB{e.elb, &atomic.Int32{}}, e.ec2, e.scope)
	if again, err := lost.ReconcileLoadBalancer(e.ctx, e.net); err != nil || again != dns {
		t.Errorf("after DuplicateLoadBalancerName: %q, %v; want %q", again, err, dns)
	}
}

func TestLoadBalancerRegisterControlPlane(t *testing.T) {
	e := newLBEnv(t, "lbregister", domain.SchemeInternetFacing)
	cp := domain.NodePoolSpec{Name: "control-plane", ControlPlane: true, Size: 2, InstanceType: "m5.large", AZs: computeAZs}
	e.plan(cp)
	compute, svc := e.computeEnv.service(), e.service()
	if _, err := svc.ReconcileLoadBalancer(e.ctx, e.net); err != nil {
		t.Fatal(err)
	}
	if _, err := compute.ReconcileNodes(e.ctx, e.net, cp, testUserData); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "control plane running", func() bool { p, _, _ := compute.NodesReady(e.ctx, cp.Name); return p.Ready })
	tgArn := mustDo(svc.requireTargetGroup(e.ctx))(t)
	// A stray target (not a control-plane instance) must go.
	mustDo(e.elb.RegisterTargets(e.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: &tgArn, Targets: []elbtypes.TargetDescription{apiTarget("i-0123456789stray")}}))(t)

	if err := svc.RegisterControlPlane(e.ctx); err != nil {
		t.Fatal(err)
	}
	cpIDs := func() []string {
		var ids []string
		for _, inst := range e.live(computeFilter("tag:"+TagPool, cp.Name)) {
			ids = append(ids, aws.ToString(inst.InstanceId))
		}
		slices.Sort(ids)
		return ids
	}
	targets := func() []string {
		out := mustDo(e.elb.DescribeTargetHealth(e.ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: &tgArn}))(t)
		var ids []string
		for _, d := range out.TargetHealthDescriptions {
			if aws.ToInt32(d.Target.Port) != 6443 {
				t.Errorf("target %s on port %d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port))
			}
			ids = append(ids, aws.ToString(d.Target.Id))
		}
		slices.Sort(ids)
		return ids
	}
	if got, want := targets(), cpIDs(); len(want) != 2 || !slices.Equal(got, want) {
		t.Fatalf("targets = %v, want the control plane %v", got, want)
	}

	// A control-plane node goes away: it is deregistered.
	gone := cpIDs()[0]
	mustDo(e.ec2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{gone}}))(t)
	if err := svc.RegisterControlPlane(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := targets(); slices.Contains(got, gone) || len(got) != 1 {
		t.Errorf("targets after termination = %v, want without %s", got, gone)
	}
}

// healthELB answers the two calls TargetsHealthy makes; kumo reports every
// registered target healthy at once, which would test nothing.
type healthELB struct {
	ELBv2API
	states []elbtypes.TargetHealthStateEnum
}

func (h healthELB) DescribeTargetGroups(context.Context, *elbv2.DescribeTargetGroupsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	return &elbv2.DescribeTargetGroupsOutput{TargetGroups: []elbtypes.TargetGroup{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:tg/x")}}}, nil
}

func (h healthELB) DescribeTargetHealth(context.Context, *elbv2.DescribeTargetHealthInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	out := &elbv2.DescribeTargetHealthOutput{}
	for i, s := range h.states {
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, elbtypes.TargetHealthDescription{
			Target: &elbtypes.TargetDescription{Id: aws.String(fmt.Sprintf("i-%d", i))}, TargetHealth: &elbtypes.TargetHealth{State: s}})
	}
	return out, nil
}

func TestTargetsHealthyProgress(t *testing.T) {
	scope := &ClusterScope{ClusterID: "clu-h", ClusterName: "h", Ledger: &memoryLedger{}}
	for i := range 3 {
		scope.Plan.Resources = append(scope.Plan.Resources, domain.PlannedResource{Key: domain.InstanceKey("cp", i),
			Type: domain.ResInstance, Role: domain.RoleControlPlane, Pool: "cp"})
	}
	const healthy, initial = elbtypes.TargetHealthStateEnumHealthy, elbtypes.TargetHealthStateEnumInitial
	for _, tc := range []struct {
		states []elbtypes.TargetHealthStateEnum
		ready  bool
		msg    string
	}{
		{nil, false, "0/3 control-plane targets healthy"},
		{[]elbtypes.TargetHealthStateEnum{healthy, initial, healthy}, false, "2/3 control-plane targets healthy"},
		{[]elbtypes.TargetHealthStateEnum{healthy, healthy, healthy}, true, "3/3 control-plane targets healthy"},
	} {
		p, err := NewLoadBalancerService(healthELB{states: tc.states}, nil, scope).TargetsHealthy(context.Background())
		if err != nil || p.Ready != tc.ready || p.Message != tc.msg || p.Total != 3 {
			t.Errorf("%v: %+v, %v; want ready %v %q", tc.states, p, err, tc.ready, tc.msg)
		}
	}
}

// createELB makes a load balancer with a target group and listener as a
// cloud controller would.
func (e *lbEnv) createELB(name string, tags map[string]string) (lbArn, tgArn string) {
	t := e.t
	lb := mustDo(e.elb.CreateLoadBalancer(e.ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name),
		Type: elbtypes.LoadBalancerTypeEnumNetwork, Subnets: []string{e.net.PublicSubnets[computeAZs[0]]}, Tags: elbTagList(tags)}))(t).LoadBalancers[0]
	tg := mustDo(e.elb.CreateTargetGroup(e.ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name + "-tg"),
		Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(30080), VpcId: aws.String(e.net.VPCID), Tags: elbTagList(tags)}))(t).TargetGroups[0]
	mustDo(e.elb.CreateListener(e.ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(80), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroupArn}}}))(t)
	return aws.ToString(lb.LoadBalancerArn), aws.ToString(tg.TargetGroupArn)
}

func TestLoadBalancersDeletedWithCloudControllerOnes(t *testing.T) {
	e := newLBEnv(t, "lbdelete", domain.SchemeInternetFacing)
	svc := e.service()
	if _, err := svc.ReconcileLoadBalancer(e.ctx, e.net); err != nil {
		t.Fatal(err)
	}
	k8sTag := domain.KubernetesClusterTag("lbdelete")
	ccmLB, ccmTG := e.createELB("a1b2c3lbdelete", map[string]string{k8sTag: "owned"})
	// Another ClusterForge cluster with the same name, and an unrelated one: both stay.
	otherLB, _ := e.createELB("otherlbdelete", map[string]string{k8sTag: "owned", domain.TagClusterID: "clu-other"})
	strangerLB, _ := e.createELB("strangerlbdelete", map[string]string{"app": "web"})

	leftovers := mustDo(FindLoadBalancerLeftovers(e.ctx, e.elb, e.scope))(t)
	var ids []string
	for _, l := range leftovers {
		ids = append(ids, l.ID)
		if l.Region != computeRegion || l.Reason == "" {
			t.Errorf("leftover %+v", l)
		}
	}
	if len(leftovers) != 4 || !slices.Contains(ids, ccmLB) || !slices.Contains(ids, ccmTG) || slices.Contains(ids, otherLB) {
		t.Fatalf("leftovers = %v, want ours and the cloud controller's (2 load balancers, 2 target groups)", ids)
	}
	p := mustDo(svc.LoadBalancersDeleted(e.ctx))(t)
	if p.Ready {
		t.Fatalf("deleted before delete: %+v", p)
	}

	if err := svc.DeleteLoadBalancers(e.ctx); err != nil {
		t.Fatal(err)
	}
	p = mustDo(svc.LoadBalancersDeleted(e.ctx))(t)
	if !p.Ready || p.Message != "0 load balancers and 0 target groups left" {
		t.Errorf("after delete: %+v", p)
	}
	if left := mustDo(FindLoadBalancerLeftovers(e.ctx, e.elb, e.scope))(t); len(left) != 0 {
		t.Errorf("leftovers after delete = %+v", left)
	}
	remaining := mustDo(e.elb.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{otherLB, strangerLB}}))(t)
	if len(remaining.LoadBalancers) != 2 {
		t.Errorf("other clusters' load balancers deleted: %d left of 2", len(remaining.LoadBalancers))
	}
	if err := svc.DeleteLoadBalancers(e.ctx); err != nil {
		t.Errorf("deleting again: %v", err)
	}
}
