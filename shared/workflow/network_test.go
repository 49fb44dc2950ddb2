package workflow

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestEnsureVpcCallsServiceAndRecordsTask(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.run("ensureVpc", nil); err != nil {
		t.Fatal(err)
	}
	if got := e.calls.list(); !slices.Equal(got, []string{"ReconcileVPC"}) {
		t.Errorf("calls %v, want [ReconcileVPC]", got)
	}
	task := e.store.task(TaskVPC)
	if task.State != domain.TaskSucceeded || task.StartedAt == nil || task.FinishedAt == nil || !strings.Contains(task.Message, "vpc-1") {
		t.Errorf("task %+v, want Succeeded with times and the VPC id", task)
	}
	if e.store.puts < 2 {
		t.Errorf("%d task writes, want Running then Succeeded", e.store.puts)
	}
}

func TestEnsureSubnetsCountsAZsFromTheLedger(t *testing.T) {
	e := newEnv(t, nil)
	for i, az := range []string{"eu-west-1b", "eu-west-1a", "eu-west-1c"} {
		if _, err := e.run("ensureSubnets", func(in *Input) { in.AZ = az }); err != nil {
			t.Fatal(err)
		}
		task := e.store.task(TaskSubnets)
		if task.Done != i+1 || task.Total != 3 {
			t.Fatalf("after %s: %d/%d, want %d/3", az, task.Done, task.Total, i+1)
		}
		want := domain.TaskRunning
		if i == 2 {
			want = domain.TaskSucceeded
		}
		if task.State != want {
			t.Fatalf("after %s: state %s, want %s", az, task.State, want)
		}
	}
	if got := e.store.task(TaskSubnets).Message; got != "3/3 AZs with public and private subnets" {
		t.Errorf("message %q", got)
	}
}

func TestEnsureNatGatewayDoesNotFinishBeforeAvailable(t *testing.T) {
	e := newEnv(t, nil)
	for _, az := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
		if _, err := e.run("ensureNatGateway", func(in *Input) { in.AZ = az }); err != nil {
			t.Fatal(err)
		}
	}
	task := e.store.task(TaskNATGateways)
	if task.State != domain.TaskRunning || task.Done != 3 || task.Message != "3/3 NAT gateways created" {
		t.Errorf("task %+v, want Running 3/3 created", task)
	}
}

func TestCheckNatGatewaysReportsDoneTotal(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.net.progress = cloud.Progress{Done: 2, Total: 3}
	out, err := e.run("checkNatGateways", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Check{Ready: false, Done: 2, Total: 3, Message: "2/3 NAT gateways available"}
	if out != want {
		t.Errorf("answer %+v, want %+v", out, want)
	}
	task := e.store.task(TaskNATGateways)
	if task.State != domain.TaskRunning || task.Done != 2 || task.Total != 3 || task.Message != want.Message {
		t.Errorf("task %+v", task)
	}

	e.factory.net.progress = cloud.Progress{Ready: true, Done: 3, Total: 3}
	out, err = e.run("checkNatGateways", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.(Check).Ready || e.store.task(TaskNATGateways).State != domain.TaskSucceeded {
		t.Errorf("answer %+v, task %+v: want ready and Succeeded", out, e.store.task(TaskNATGateways))
	}
}

func TestCheckPastDeadlineIsDeadlineExceeded(t *testing.T) {
	e := newEnv(t, nil)
	e.deps.Deadlines = DefaultDeadlines
	e.factory.net.progress = cloud.Progress{Done: 1, Total: 3}
	if _, err := e.run("checkNatGateways", nil); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(9 * time.Minute) // within 10 minutes: still waiting
	if _, err := e.run("checkNatGateways", nil); err != nil {
		t.Fatalf("within the deadline: %v", err)
	}
	e.now = e.now.Add(2 * time.Minute)
	_, err := e.run("checkNatGateways", nil)
	wantType(t, err, ErrDeadlineExceeded, "[natGateways]", "NAT gateways available", "1/3")
	if task := e.store.task(TaskNATGateways); task.State != domain.TaskFailed || task.FinishedAt == nil {
		t.Errorf("task %+v, want Failed", task)
	}
}

func TestDeadlinesScaleFromEnv(t *testing.T) {
	t.Setenv("WAIT_DEADLINE_SCALE", "0.01")
	d, err := DeadlinesFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if d.NATGateways != 6*time.Second || d.Deletion != 12*time.Second {
		t.Errorf("scaled deadlines %+v", d)
	}
	t.Setenv("WAIT_DEADLINE_SCALE", "fast")
	if _, err := DeadlinesFromEnv(); err == nil {
		t.Error("a bad scale was accepted")
	}
}

func TestDeleteDependencyViolationIsRetriedNotFailed(t *testing.T) {
	e := newEnv(t, func(c *domain.Cluster) { c.Status = domain.StatusDeleting })
	e.factory.net.err = fmt.Errorf("delete subnet subnet-1: %w", cloud.ErrDependencyViolation)
	_, err := e.run("deleteSubnets", nil)
	wantType(t, err, ErrDependencyViolation, "[subnets]", "subnet-1")
	task := e.store.task(TaskSubnets)
	if task.State != domain.TaskRunning || !strings.HasPrefix(task.Message, "retrying: ") {
		t.Errorf("task %+v, want Running with the retry reason", task)
	}
}

func TestThrottlingAfterSDKRetriesIsRetryable(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.net.err = fmt.Errorf("create vpc: %w", &retry.MaxAttemptsError{Attempt: 8,
		Err: &smithy.GenericAPIError{Code: "RequestLimitExceeded", Message: "Request limit exceeded."}})
	_, err := e.run("ensureVpc", nil)
	wantType(t, err, ErrRetryable, "[vpc]")
	if task := e.store.task(TaskVPC); task.State != domain.TaskRunning {
		t.Errorf("task %+v, want still Running", task)
	}
}

func TestFailedResourceIsTaskFailed(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.net.err = fmt.Errorf("NAT gateway nat-1 in eu-west-1a: %w: Elastic IP is already associated", cloud.ErrResourceFailed)
	_, err := e.run("ensureNatGateway", func(in *Input) { in.AZ = "eu-west-1a" })
	wantType(t, err, ErrFailed, "[natGateways]", "nat-1", "already associated")
	if task := e.store.task(TaskNATGateways); task.State != domain.TaskFailed || !strings.Contains(task.Message, "nat-1") {
		t.Errorf("task %+v, want Failed naming the gateway", task)
	}
}

func TestStaticPlacementSkipsNetworkSteps(t *testing.T) {
	e := newEnv(t, func(c *domain.Cluster) {
		c.Placement = domain.Placement{Type: domain.PlacementStatic, VPCID: "vpc-cust",
			ControlPlaneSubnetIDs: []string{"subnet-a"}, WorkerSubnetIDs: []string{"subnet-a"}, PublicSubnetIDs: []string{"subnet-p"}}
	})
	out, err := e.run("checkNatGateways", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.(Check).Ready || len(e.calls.list()) != 0 || e.store.task(TaskNATGateways).State != domain.TaskSkipped {
		t.Errorf("answer %+v, calls %v, task %+v: want ready, no calls, Skipped", out, e.calls.list(), e.store.task(TaskNATGateways))
	}
}
