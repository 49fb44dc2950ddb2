package cloud

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

const eksClusterID = "clu-EKS1"

func eksSpec() domain.ClusterSpec {
	three, six, one, four := 3, 6, 1, 4
	return domain.ClusterSpec{
		Kind: domain.KindEKS, Name: "payments", Region: "eu-west-1",
		Placement: domain.Placement{Type: domain.PlacementDynamic, VPCCIDR: "10.1.0.0/16", AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		EKS: &domain.EKSSpec{
			KubernetesVersion: "1.33", Logging: []string{"api", "audit"},
			EndpointAccess: domain.EndpointAccess{PublicCIDRs: []string{"203.0.113.0/24"}},
			FargateProfiles: []domain.FargateProfileSpec{
				{Name: "batch", Selectors: []domain.FargateSelector{{Namespace: "batch"}}},
				{Name: "jobs", Selectors: []domain.FargateSelector{{Namespace: "jobs", Labels: map[string]string{"on": "fargate"}}}},
			},
		},
		NodePools: []domain.NodePoolSpec{
			{Name: "general", Size: 3, MinSize: &three, MaxSize: &six, InstanceType: "m5.large", AZs: []string{"eu-west-1a", "eu-west-1b"},
				Labels: map[string]string{"tier": "web"}, Capacity: domain.Capacity{Type: domain.CapacityOnDemand}},
			{Name: "spot", Size: 2, MinSize: &one, MaxSize: &four, InstanceTypes: []string{"m5.large", "m6i.large"},
				Taints:   []domain.Taint{{Key: "lifecycle", Value: "spot", Effect: domain.EffectNoSchedule}},
				Capacity: domain.Capacity{Type: domain.CapacitySpot}, MaxUnavailable: 1},
		},
	}
}

var eksNet = NetworkIDs{
	VPCID:          "vpc-1",
	PublicSubnets:  map[string]string{"eu-west-1a": "subnet-pub-a", "eu-west-1b": "subnet-pub-b", "eu-west-1c": "subnet-pub-c"},
	PrivateSubnets: map[string]string{"eu-west-1a": "subnet-priv-a", "eu-west-1b": "subnet-priv-b", "eu-west-1c": "subnet-priv-c"},
}

type eksEnv struct {
	eks    *fakeEKSAPI
	iam    *fakeIAMAPI
	ledger *memoryLedger
	svc    *EKSService
}

func newEKSEnv(t *testing.T, spec domain.ClusterSpec) *eksEnv {
	t.Helper()
	e := &eksEnv{eks: newFakeEKSAPI(), iam: newFakeIAMAPI(), ledger: &memoryLedger{}}
	scope := &ClusterScope{ClusterID: eksClusterID, ClusterName: spec.Name, Region: spec.Region, Generation: 1, Ledger: e.ledger}
	e.svc = NewEKSService(e.eks, e.iam, nil, scope, spec)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// provision runs the provisioning steps twice each (a retried task must
// create nothing twice) until every wait is over.
func (e *eksEnv) provision(t *testing.T, ctx context.Context) {
	t.Helper()
	for range 2 {
		must(t, e.svc.ReconcileIAMRoles(ctx))
		must(t, e.svc.ReconcileCluster(ctx, eksNet))
	}
	if p, err := e.svc.ClusterReady(ctx); err != nil || p.Ready {
		t.Fatalf("cluster ready before AWS made it ACTIVE: %+v %v", p, err)
	}
	e.eks.advance()
	if p, err := e.svc.ClusterReady(ctx); err != nil || !p.Ready {
		t.Fatalf("cluster not ready once ACTIVE: %+v %v", p, err)
	}
	for range 2 {
		for _, pool := range []string{"general", "spot"} {
			must(t, e.svc.ReconcileNodeGroup(ctx, eksNet, pool))
		}
	}
	for turn := 0; turn < 8; turn++ {
		p, err := e.svc.ReconcileFargateProfiles(ctx, eksNet)
		must(t, err)
		if p.Ready {
			break
		}
		e.eks.advance()
	}
}

func TestEKSProvisionCreatesEachResourceOnce(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	e.provision(t, ctx)

	for action, want := range map[string]int{"CreateCluster": 1, "CreateNodegroup": 2, "CreateFargateProfile": 2} {
		if got := e.eks.recorder.count(action); got != want {
			t.Errorf("%s called %d times, want %d", action, got, want)
		}
	}
	if got := e.iam.recorder.count("CreateRole"); got != 3 {
		t.Errorf("CreateRole called %d times, want 3 (cluster, node, fargate)", got)
	}
	nodeRole := EKSRoleName(eksClusterID, "node")
	if got := e.iam.attached[nodeRole]; len(got) != 3 || !strings.HasSuffix(got[0], "AmazonEC2ContainerRegistryReadOnly") {
		t.Errorf("node role policies %v", got)
	}
	if r := e.iam.roles[EKSRoleName(eksClusterID, "cluster")]; !strings.Contains(aws.ToString(r.AssumeRolePolicyDocument), "eks.amazonaws.com") {
		t.Errorf("cluster role trust %s", aws.ToString(r.AssumeRolePolicyDocument))
	}

	c := e.eks.clusters["payments"]
	vpc := c.ResourcesVpcConfig
	if len(vpc.SubnetIds) != 6 || !vpc.EndpointPublicAccess || !vpc.EndpointPrivateAccess || !slices.Equal(vpc.PublicAccessCidrs, []string{"203.0.113.0/24"}) {
		t.Errorf("cluster vpc config %+v", vpc)
	}
	if c.Tags[domain.TagClusterID] != eksClusterID || aws.ToString(c.Version) != "1.33" || len(c.Logging.ClusterLogging[0].Types) != 2 {
		t.Errorf("cluster tags %v version %s logging %+v", c.Tags, aws.ToString(c.Version), c.Logging)
	}

	general, spot := e.eks.groups["general"], e.eks.groups["spot"]
	if !slices.Equal(general.Subnets, []string{"subnet-priv-a", "subnet-priv-b"}) || aws.ToInt32(general.ScalingConfig.MaxSize) != 6 ||
		general.CapacityType != ekstypes.CapacityTypesOnDemand || general.AmiType != ekstypes.AMITypesAl2023X8664Standard {
		t.Errorf("general group %+v", general)
	}
	if spot.CapacityType != ekstypes.CapacityTypesSpot || len(spot.Taints) != 1 || spot.Taints[0].Effect != ekstypes.TaintEffectNoSchedule ||
		len(spot.Subnets) != 3 || len(spot.InstanceTypes) != 2 {
		t.Errorf("spot group %+v taints %+v", spot, spot.Taints)
	}
	for _, p := range e.eks.profiles {
		if slices.ContainsFunc(p.Subnets, func(s string) bool { return strings.Contains(s, "pub") }) {
			t.Errorf("Fargate profile %s in a public subnet: %v", aws.ToString(p.FargateProfileName), p.Subnets)
		}
	}
	for _, key := range []string{domain.KeyEKSCluster, domain.KeyClusterRole, domain.KeyNodeRole, domain.KeyPodExecutionRole,
		domain.NodeGroupKey("general"), domain.NodeGroupKey("spot"), domain.FargateProfileKey("batch"), domain.FargateProfileKey("jobs")} {
		if !slices.ContainsFunc(e.ledger.items, func(r domain.Resource) bool { return r.Key == key }) {
			t.Errorf("ledger lacks %s: %+v", key, e.ledger.items)
		}
	}
}

func TestEKSExistingRolesAreUsedNotCreated(t *testing.T) {
	spec := eksSpec()
	spec.EKS.ClusterRoleARN = "arn:aws:iam::111122223333:role/theirs"
	e := newEKSEnv(t, spec)
	must(t, e.svc.ReconcileIAMRoles(context.Background()))
	must(t, e.svc.ReconcileCluster(context.Background(), eksNet))
	if _, ok := e.iam.roles[EKSRoleName(eksClusterID, "cluster")]; ok {
		t.Error("created a cluster role although the spec names one")
	}
	if got := aws.ToString(e.eks.clusters["payments"].RoleArn); got != spec.EKS.ClusterRoleARN {
		t.Errorf("cluster role %s", got)
	}
}

func TestEKSClusterOfSomeoneElseIsRefused(t *testing.T) {
	e := newEKSEnv(t, eksSpec())
	e.eks.clusters["payments"] = &ekstypes.Cluster{Name: aws.String("payments"), Status: ekstypes.ClusterStatusActive,
		Tags: map[string]string{domain.TagClusterID: "clu-other"}}
	must(t, e.svc.ReconcileIAMRoles(context.Background()))
	err := e.svc.ReconcileCluster(context.Background(), eksNet)
	if !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), "already exists in the account and is not this cluster's") {
		t.Fatalf("err = %v, want ErrNotOurs", err)
	}
	if e.eks.recorder.count("CreateCluster") != 0 {
		t.Error("CreateCluster called")
	}
	must(t, e.svc.DeleteCluster(context.Background()))
	if e.eks.recorder.count("DeleteCluster") != 0 {
		t.Error("deleted someone else's cluster")
	}
}

func TestEKSRoleNotYetAssumableIsRetried(t *testing.T) {
	e := newEKSEnv(t, eksSpec())
	must(t, e.svc.ReconcileIAMRoles(context.Background()))
	e.eks.createClusterErr = eksErr("InvalidParameterException", "Role with arn: arn:aws:iam::1:role/x, could not be assumed because it does not exist or the trusted entity is not correct")
	if err := e.svc.ReconcileCluster(context.Background(), eksNet); !errors.Is(err, ErrNotYet) {
		t.Fatalf("err = %v, want ErrNotYet", err)
	}
	must(t, e.svc.ReconcileCluster(context.Background(), eksNet))
	if _, ok := e.eks.clusters["payments"]; !ok {
		t.Error("the retry did not create the cluster")
	}
}

func TestFargateProfilesOneAtATime(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	must(t, e.svc.ReconcileIAMRoles(ctx))
	must(t, e.svc.ReconcileCluster(ctx, eksNet))
	e.eks.advance()
	want := []struct {
		creates int
		ready   bool
	}{{1, false}, {1, false}} // the second turn finds batch CREATING and must not try jobs
	for i, w := range want {
		p, err := e.svc.ReconcileFargateProfiles(ctx, eksNet)
		must(t, err)
		if got := e.eks.recorder.count("CreateFargateProfile"); got != w.creates || p.Ready != w.ready {
			t.Fatalf("turn %d: %d creates, ready %v; want %d, %v", i+1, got, p.Ready, w.creates, w.ready)
		}
	}
	e.eks.advance()
	p, err := e.svc.ReconcileFargateProfiles(ctx, eksNet)
	must(t, err)
	if e.eks.recorder.count("CreateFargateProfile") != 2 || p.Ready || p.Done != 1 {
		t.Fatalf("after batch ACTIVE: %d creates, %+v", e.eks.recorder.count("CreateFargateProfile"), p)
	}
	e.eks.advance()
	if p, _ := e.svc.ReconcileFargateProfiles(ctx, eksNet); !p.Ready || p.Message != "2/2 Fargate profiles active" {
		t.Fatalf("not ready with both ACTIVE: %+v", p)
	}
}

func TestNodeGroupUpdateInPlace(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	e.provision(t, ctx)
	e.eks.advance()
	if p, err := e.svc.UpdateNodeGroup(ctx, eksNet, "general"); err != nil || !p.Ready {
		t.Fatalf("unchanged pool not ready: %+v %v", p, err)
	}

	spec := eksSpec()
	general := &spec.NodePools[0]
	general.Size = 4
	general.Labels = map[string]string{"tier": "api", "team": "pay"}
	general.Taints = []domain.Taint{{Key: "dedicated", Value: "api", Effect: domain.EffectNoExecute}}
	e.svc.spec = domain.WithDefaults(spec)
	p, err := e.svc.UpdateNodeGroup(ctx, eksNet, "general")
	must(t, err)
	if p.Ready || len(e.eks.updates) != 1 {
		t.Fatalf("first turn: %+v, %d updates", p, len(e.eks.updates))
	}
	u := e.eks.updates[0]
	if aws.ToInt32(u.ScalingConfig.DesiredSize) != 4 || u.Labels.AddOrUpdateLabels["tier"] != "api" || u.Labels.AddOrUpdateLabels["team"] != "pay" ||
		len(u.Taints.AddOrUpdateTaints) != 1 || u.Taints.AddOrUpdateTaints[0].Effect != ekstypes.TaintEffectNoExecute || u.UpdateConfig != nil {
		t.Errorf("update %+v labels %+v taints %+v", u, u.Labels, u.Taints)
	}
	// While UPDATING, a turn waits; once ACTIVE and equal, it is done.
	if p, _ := e.svc.UpdateNodeGroup(ctx, eksNet, "general"); p.Ready || len(e.eks.updates) != 1 {
		t.Fatalf("turn while UPDATING: %+v, %d updates", p, len(e.eks.updates))
	}
	e.eks.advance()
	if p, err := e.svc.UpdateNodeGroup(ctx, eksNet, "general"); err != nil || !p.Ready || len(e.eks.updates) != 1 {
		t.Fatalf("after the update: %+v %v, %d updates", p, err, len(e.eks.updates))
	}

	// Removing the label and the taint again.
	general.Labels, general.Taints = map[string]string{"tier": "api"}, nil
	e.svc.spec = domain.WithDefaults(spec)
	_, err = e.svc.UpdateNodeGroup(ctx, eksNet, "general")
	must(t, err)
	u = e.eks.updates[1]
	if !slices.Equal(u.Labels.RemoveLabels, []string{"team"}) || len(u.Taints.RemoveTaints) != 1 || u.ScalingConfig != nil {
		t.Errorf("removal update labels %+v taints %+v scaling %+v", u.Labels, u.Taints, u.ScalingConfig)
	}
}

func TestNodeGroupReplacedOnInstanceTypeChange(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	e.provision(t, ctx)
	e.eks.advance()
	spec := eksSpec()
	spec.NodePools[0].InstanceType = "m6i.xlarge"
	e.svc.spec = domain.WithDefaults(spec)

	steps := []struct {
		ready   bool
		message string
	}{
		{false, "creating node group general-2"},
		{false, "node group general-2 CREATING"},
		{false, "deleting the group it replaces"},            // after advance: general-2 ACTIVE
		{true, "node group general-2 ACTIVE and up to date"}, // after advance: general gone
	}
	for i, s := range steps {
		p, err := e.svc.UpdateNodeGroup(ctx, eksNet, "general")
		must(t, err)
		if p.Ready != s.ready || !strings.Contains(p.Message, s.message) {
			t.Fatalf("turn %d: %+v, want ready=%v %q", i+1, p, s.ready, s.message)
		}
		if i >= 1 {
			e.eks.advance()
		}
	}
	if _, ok := e.eks.groups["general"]; ok || e.eks.recorder.count("DeleteNodegroup general") != 1 {
		t.Errorf("old group still there or deleted %d times", e.eks.recorder.count("DeleteNodegroup general"))
	}
	if g := e.eks.groups["general-2"]; g == nil || !slices.Equal(g.InstanceTypes, []string{"m6i.xlarge"}) {
		t.Errorf("replacement %+v", g)
	}
	if r := slices.IndexFunc(e.ledger.items, func(r domain.Resource) bool { return r.Key == domain.NodeGroupKey("general") }); r < 0 || e.ledger.items[r].ID != "general-2" {
		t.Errorf("ledger does not name the replacement: %+v", e.ledger.items)
	}
}

func TestEKSDeleteInOrder(t *testing.T) {
	ctx := context.Background()
	spec := eksSpec()
	spec.EKS.PodExecutionRoleARN = "arn:aws:iam::111122223333:role/their-fargate"
	e := newEKSEnv(t, spec)
	// A role with the name we would use, not ours: neither used nor deleted.
	foreign := EKSRoleName(eksClusterID, "fargate")
	e.iam.roles[foreign] = &iamtypes.Role{RoleName: aws.String(foreign), Arn: aws.String("arn:aws:iam::111122223333:role/" + foreign),
		Tags: []iamtypes.Tag{{Key: aws.String(domain.TagClusterID), Value: aws.String("clu-other")}}}
	e.provision(t, ctx)
	e.eks.advance()
	if got := aws.ToString(e.eks.profiles["batch"].PodExecutionRoleArn); got != spec.EKS.PodExecutionRoleARN {
		t.Errorf("profile role %s", got)
	}

	left, err := e.svc.Leftovers(ctx)
	must(t, err)
	kinds := map[string]int{}
	for _, l := range left {
		kinds[l.Type]++
	}
	// The foreign fargate role is not ours; the spec's role is not ours to report.
	if kinds["ekscluster"] != 1 || kinds["nodegroup"] != 2 || kinds["fargateprofile"] != 2 || kinds["iamrole"] != 2 {
		t.Errorf("leftovers before delete %v", kinds)
	}
	if err := e.svc.DeleteCluster(ctx); !errors.Is(err, ErrDependencyViolation) {
		t.Fatalf("DeleteCluster with node groups left: %v, want a dependency violation", err)
	}
	must(t, e.svc.DeleteNodeGroups(ctx))
	for turn := 0; ; turn++ {
		p, err := e.svc.DeleteFargateProfiles(ctx)
		must(t, err)
		if p.Ready {
			break
		}
		if turn > 5 {
			t.Fatal("Fargate profiles never deleted")
		}
		e.eks.advance()
	}
	if got := e.eks.recorder.count("DeleteFargateProfile"); got != 2 {
		t.Errorf("DeleteFargateProfile called %d times, want 2 (one at a time, no refused call)", got)
	}
	if p, err := e.svc.NodeGroupsDeleted(ctx); err != nil || !p.Ready || p.Done != 2 {
		t.Fatalf("node groups: %+v %v", p, err)
	}
	must(t, e.svc.DeleteCluster(ctx))
	if p, _ := e.svc.ClusterDeleted(ctx); p.Ready {
		t.Fatal("cluster deleted before AWS removed it")
	}
	e.eks.advance()
	if p, err := e.svc.ClusterDeleted(ctx); err != nil || !p.Ready {
		t.Fatalf("cluster gone: %+v %v", p, err)
	}
	must(t, e.svc.DeleteIAMRoles(ctx))
	must(t, e.svc.DeleteIAMRoles(ctx)) // gone is done
	if _, ok := e.iam.roles[foreign]; !ok {
		t.Error("deleted a role that is not ours")
	}
	if len(e.iam.roles) != 1 {
		t.Errorf("roles left: %v", slices.Collect(maps.Keys(e.iam.roles)))
	}
	if first := e.iam.order[0]; !strings.HasPrefix(first, "DetachRolePolicy") {
		t.Errorf("IAM order %v: policies must be detached first", e.iam.order)
	}
	left, err = e.svc.Leftovers(ctx)
	must(t, err)
	if len(left) != 0 {
		t.Errorf("leftovers %+v", left)
	}
}

func TestAMIType(t *testing.T) {
	for it, want := range map[string]ekstypes.AMITypes{
		"m5.large": ekstypes.AMITypesAl2023X8664Standard, "m6g.large": ekstypes.AMITypesAl2023Arm64Standard,
		"c7gn.xlarge": ekstypes.AMITypesAl2023Arm64Standard, "t4g.small": ekstypes.AMITypesAl2023Arm64Standard,
		"a1.medium": ekstypes.AMITypesAl2023Arm64Standard, "g5.xlarge": ekstypes.AMITypesAl2023X8664Nvidia,
		"p4d.24xlarge": ekstypes.AMITypesAl2023X8664Nvidia, "g5g.xlarge": ekstypes.AMITypesAl2023Arm64Nvidia,
		"m6i.large": ekstypes.AMITypesAl2023X8664Standard,
	} {
		if got := amiType([]string{it}); got != want {
			t.Errorf("amiType(%s) = %s, want %s", it, got, want)
		}
	}
}

func TestEKSRoleOfSomeoneElseIsRefused(t *testing.T) {
	e := newEKSEnv(t, eksSpec())
	name := EKSRoleName(eksClusterID, "node")
	e.iam.roles[name] = &iamtypes.Role{RoleName: aws.String(name), Arn: aws.String("arn:aws:iam::111122223333:role/" + name)}
	if err := e.svc.ReconcileIAMRoles(context.Background()); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("err = %v, want ErrNotOurs", err)
	}
	if len(e.iam.attached[name]) != 0 {
		t.Error("attached policies to someone else's role")
	}
}

func TestNodeGroupOfANewPoolIsNamedAfterIt(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	e.provision(t, ctx)
	e.eks.advance()
	spec := eksSpec()
	spec.NodePools = append(spec.NodePools, domain.NodePoolSpec{Name: "general-2", Size: 1, InstanceType: "m5.large"}, domain.NodePoolSpec{Name: "extra", Size: 1, InstanceType: "m5.large"})
	spec.NodePools[0].InstanceType = "m6i.large"
	e.svc.spec = domain.WithDefaults(spec)
	for _, pool := range []string{"extra", "general-2", "general"} {
		_, err := e.svc.UpdateNodeGroup(ctx, eksNet, pool)
		must(t, err)
	}
	// general's replacement must not take the name of the pool general-2.
	for _, name := range []string{"extra", "general-2", "general-3"} {
		if _, ok := e.eks.groups[name]; !ok {
			t.Errorf("no node group %s; have %v", name, slices.Collect(maps.Keys(e.eks.groups)))
		}
	}
}

func TestEKSSubnetsComeFromThePlan(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	e.svc.scope.Plan = domain.Plan{Resources: []domain.PlannedResource{
		{Key: domain.KeyEKSCluster, Type: domain.ResEKSCluster, Subnets: []string{"subnet/public/eu-west-1a", "subnet/private/eu-west-1b"}},
		{Key: domain.NodeGroupKey("general"), Type: domain.ResNodeGroup, Subnets: []string{"subnet-0customer"}}, // static: ids as they are
		{Key: domain.FargateProfileKey("batch"), Type: domain.ResFargateProfile, Subnets: []string{"subnet/private/eu-west-1c"}},
	}}
	must(t, e.svc.ReconcileIAMRoles(ctx))
	must(t, e.svc.ReconcileCluster(ctx, eksNet))
	e.eks.advance()
	must(t, e.svc.ReconcileNodeGroup(ctx, eksNet, "general"))
	_, err := e.svc.ReconcileFargateProfiles(ctx, eksNet)
	must(t, err)
	if got := e.eks.clusters["payments"].ResourcesVpcConfig.SubnetIds; !slices.Equal(got, []string{"subnet-pub-a", "subnet-priv-b"}) {
		t.Errorf("cluster subnets %v", got)
	}
	if got := e.eks.groups["general"].Subnets; !slices.Equal(got, []string{"subnet-0customer"}) {
		t.Errorf("node group subnets %v", got)
	}
	if got := e.eks.profiles["batch"].Subnets; !slices.Equal(got, []string{"subnet-priv-c"}) {
		t.Errorf("Fargate profile subnets %v", got)
	}
	// A planned subnet the network does not have yet is worth another try.
	e.svc.scope.Plan.Resources[1].Subnets = []string{"subnet/private/eu-west-1z"}
	delete(e.eks.groups, "general")
	if err := e.svc.ReconcileNodeGroup(ctx, eksNet, "general"); !errors.Is(err, ErrNotYet) {
		t.Errorf("unknown planned subnet: %v, want ErrNotYet", err)
	}
}

func TestNodeGroupCreateFailedIsReplacedOnRetry(t *testing.T) {
	ctx := context.Background()
	e := newEKSEnv(t, eksSpec())
	must(t, e.svc.ReconcileIAMRoles(ctx))
	must(t, e.svc.ReconcileCluster(ctx, eksNet))
	e.eks.advance()
	must(t, e.svc.ReconcileNodeGroup(ctx, eksNet, "general"))
	g := e.eks.groups["general"]
	g.Status = ekstypes.NodegroupStatusCreateFailed
	g.Health = &ekstypes.NodegroupHealth{Issues: []ekstypes.Issue{{Code: ekstypes.NodegroupIssueCodeAsgInstanceLaunchFailures, Message: aws.String("no capacity")}}}
	_, _, err := e.svc.NodeGroupReady(ctx, "general")
	if !errors.Is(err, ErrResourceFailed) || !strings.Contains(err.Error(), "no capacity") {
		t.Fatalf("NodeGroupReady on CREATE_FAILED: %v", err)
	}
	// The retry: the failed group goes, a replacement comes.
	must(t, e.svc.ReconcileNodeGroup(ctx, eksNet, "general"))
	if e.eks.recorder.count("DeleteNodegroup general") != 1 || e.eks.groups["general-2"] == nil {
		t.Fatalf("groups after the retry: %v", slices.Collect(maps.Keys(e.eks.groups)))
	}
	e.eks.advance()
	if p, _, err := e.svc.NodeGroupReady(ctx, "general"); err != nil || !p.Ready || !strings.Contains(p.Message, "general-2 ACTIVE") {
		t.Fatalf("after the replacement: %+v %v", p, err)
	}
}
