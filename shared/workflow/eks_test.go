package workflow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// asEKS turns the test cluster into harness.ExampleEKSCluster's shape.
func asEKS(c *domain.Cluster) {
	var spec domain.ClusterSpec
	err := json.Unmarshal([]byte(`{
	  "kind": "eks", "name": "payments", "profileId": "`+testProfileID+`", "cloudAccountId": "`+testAccountID+`",
	  "region": "eu-west-1",
	  "placement": {"type": "dynamic", "vpcCidr": "10.1.0.0/16", "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"], "natGateways": "perAz"},
	  "eks": {"kubernetesVersion": "1.33", "fargateProfiles": [{"name": "batch", "selectors": [{"namespace": "batch"}]}]},
	  "nodePools": [
	    {"name": "general", "size": 3, "maxSize": 6, "instanceType": "m5.large", "capacity": {"type": "onDemand"}},
	    {"name": "spot", "size": 2, "instanceTypes": ["m5.large", "m6i.large"], "capacity": {"type": "spot"},
	     "taints": [{"key": "lifecycle", "value": "spot", "effect": "NoSchedule"}]}
	  ]}`), &spec)
	if err != nil {
		panic(err)
	}
	c.ClusterSpec = spec
}

func TestEKSTaskLists(t *testing.T) {
	c := testCluster(t, asEKS)
	want := []string{"preflight", "vpc", "subnets", "internetGateway", "natGateways", "privateRoutes", "iamRoles", "eksCluster",
		"nodePool:general", "nodePool:spot", "fargateProfiles"}
	if got := ProvisionTasks(c.ClusterSpec); !slices.Equal(got, want) {
		t.Errorf("ProvisionTasks = %v, want %v", got, want)
	}
	wantDel := []string{"fargateProfiles", "nodeGroups", "eksCluster", "iamRoles", "loadBalancers", "networkInterfaces", "natGateways",
		"securityGroups", "addresses", "routeTables", "internetGateway", "subnets", "vpc"}
	if got := DeletionTasksOf(c.ClusterSpec); !slices.Equal(got, wantDel) {
		t.Errorf("DeletionTasksOf = %v, want %v", got, wantDel)
	}
	if got := DeletionTasksOf(testCluster(t, nil).ClusterSpec); !slices.Equal(got, DeletionTasks) {
		t.Errorf("self-managed deletion tasks %v", got)
	}
}

func TestEKSActionRefusesSelfManaged(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.run("ensureEksCluster", nil)
	wantType(t, err, ErrFailed, "is for EKS clusters")
	if len(e.calls.list()) != 0 {
		t.Errorf("calls %v", e.calls.list())
	}
}

func TestCheckNodeGroupRecordsNodesAndFinishes(t *testing.T) {
	e := newEnv(t, asEKS)
	e.factory.eks.nodes = []domain.Node{{InstanceID: "i-1", State: "running"}}
	e.factory.eks.progress = cloud.Progress{Done: 1, Total: 3, Message: "node group general CREATING 1/3"}
	out, err := e.run("checkNodeGroup", func(in *Input) { in.Pool = "general" })
	if err != nil {
		t.Fatal(err)
	}
	if c := out.(Check); c.Ready || c.Message != "node group general CREATING 1/3" {
		t.Errorf("check %+v", c)
	}
	if task := e.store.task(NodePoolTask("general")); task.State != domain.TaskRunning || task.Done != 1 || task.Total != 3 {
		t.Errorf("task %+v", task)
	}
	if got := e.store.nodes["general"]; len(got) != 1 {
		t.Errorf("nodes %v", got)
	}
	e.factory.eks.progress = cloud.Progress{Ready: true, Done: 3, Total: 3, Message: "node group general ACTIVE 3/3"}
	if _, err := e.run("checkNodeGroup", func(in *Input) { in.Pool = "general" }); err != nil {
		t.Fatal(err)
	}
	if task := e.store.task(NodePoolTask("general")); task.State != domain.TaskSucceeded || task.Message != "node group general ACTIVE 3/3" {
		t.Errorf("task %+v", task)
	}
}

func TestCheckEKSClusterEnforcesTheDeadline(t *testing.T) {
	e := newEnv(t, asEKS)
	e.factory.eks.progress = cloud.Progress{Total: 1, Message: "EKS cluster payments CREATING"}
	if _, err := e.run("checkEksCluster", nil); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(DefaultDeadlines.EKSCluster + time.Minute)
	_, err := e.run("checkEksCluster", nil)
	wantType(t, err, ErrDeadlineExceeded, "EKS cluster active", "CREATING")
}

func TestEnsureFargateProfilesSkipsWithoutProfiles(t *testing.T) {
	e := newEnv(t, func(c *domain.Cluster) { asEKS(c); c.EKS.FargateProfiles = nil })
	out, err := e.run("ensureFargateProfiles", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.(Check).Ready || e.store.task(TaskFargateProfiles).State != domain.TaskSkipped || len(e.calls.list()) != 0 {
		t.Errorf("answer %+v task %+v calls %v", out, e.store.task(TaskFargateProfiles), e.calls.list())
	}
}

func TestUpdateNodeGroupOfRemovedPoolClearsItsNodes(t *testing.T) {
	e := newEnv(t, asEKS)
	e.store.nodes = map[string][]domain.Node{"old": {{InstanceID: "i-9"}}}
	e.factory.eks.progress = cloud.Progress{Ready: true, Done: 1, Total: 1, Message: "node pool old removed"}
	if _, err := e.run("updateNodeGroup", func(in *Input) { in.Pool = "old" }); err != nil {
		t.Fatal(err)
	}
	if got := e.store.nodes["old"]; len(got) != 0 {
		t.Errorf("nodes of the removed pool %v", got)
	}
	if got := e.calls.list(); !slices.Contains(got, "UpdateNodeGroup old") || slices.Contains(got, "NodeGroupReady old") {
		t.Errorf("calls %v", got)
	}
}

func TestEKSErrorsMapToRetryAndFailure(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("create EKS cluster: %w: %w", cloud.ErrNotYet, mapErrorInput("InvalidParameterException")), ErrRetryable},
		{fmt.Errorf("x: %w", cloud.ErrNotOurs), ErrFailed},
		{mapErrorInput("InvalidParameterException"), ErrFailed},
		{fmt.Errorf("delete: %w: %w", cloud.ErrDependencyViolation, mapErrorInput("ResourceInUseException")), ErrDependencyViolation},
	} {
		if got := ErrorType(mapError(tc.err)); got != tc.want {
			t.Errorf("%v → %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestPreflightRefusesAnEKSClusterOfSomeoneElse(t *testing.T) {
	e := newEnv(t, asEKS)
	e.factory.checks.eksTags = map[string]string{domain.TagClusterID: "clu-other"}
	_, err := e.run("preflight", nil)
	wantType(t, err, ErrPreflightFailed, "an EKS cluster named payments already exists")
	if slices.ContainsFunc(e.calls.list(), func(c string) bool { return strings.HasPrefix(c, "NodeImage") }) {
		t.Error("looked for a node image for an EKS cluster")
	}

	e.factory.checks.eksTags = map[string]string{domain.TagClusterID: testClusterID} // ours: a retry
	out, err := e.run("preflight", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := out.(Plan); !slices.Equal(p.Pools, []string{"general", "spot"}) || len(p.AZs) != 3 {
		t.Errorf("plan %+v", p)
	}
}

func TestPreflightCountsNodeGroupMaxSizesAgainstTheVCPUQuota(t *testing.T) {
	e := newEnv(t, asEKS)
	e.factory.checks.quotas = []cloud.QuotaHeadroom{{Code: cloud.QuotaOnDemandStandardCPU, Name: "Running On-Demand Standard instances", Scope: "eu-west-1", Limit: 16, Available: 10}}
	_, err := e.run("preflight", nil)
	// general: max 6 × m5.large (2 vCPUs) = 12 > 10; the spot group does not count.
	wantType(t, err, ErrPreflightFailed, "need 12, available 10")
}
