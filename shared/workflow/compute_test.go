package workflow

import (
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestEnsureNodesInitsTheFirstControlPlaneNodeAlone(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.compute.status = cloud.NodesStatus{Progress: cloud.Progress{Done: 3, Total: 3}, Nodes: []domain.Node{{InstanceID: "i-0"}}}
	out, err := e.run("ensureNodes", func(in *Input) { in.Pool = "control-plane" })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ReconcileNodes control-plane size=1", "ReconcileNodes control-plane size=3"}
	var got []string
	for _, c := range e.calls.list() {
		if strings.HasPrefix(c, "ReconcileNodes") {
			got = append(got, c)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("launches %v, want %v", got, want)
	}
	ud := e.factory.compute.userData
	if !runs(ud[0], "init") || !runs(ud[1], "join") {
		t.Errorf("user data: first must init, the rest join")
	}
	if !strings.Contains(ud[1], "api-prod-eu.elb.eu-west-1.amazonaws.com:6443") || !strings.Contains(ud[0], "192.168.0.0/16") {
		t.Errorf("user data lacks the NLB endpoint or the packOverrides")
	}
	if e.factory.opts.SSHKeyName != "ops" || e.factory.opts.KubernetesVersion != "1.31.2" {
		t.Errorf("compute options %+v", e.factory.opts)
	}
	if n := out.(Nodes); n.WaitingForSpotPrice || n.Done != 3 {
		t.Errorf("answer %+v", n)
	}
	if len(e.store.nodes["control-plane"]) != 1 {
		t.Errorf("nodes not recorded: %v", e.store.nodes)
	}

	// A retry joins: the first node exists in the ledger.
	e.factory.compute.userData = nil
	if _, err := e.run("ensureNodes", func(in *Input) { in.Pool = "control-plane" }); err != nil {
		t.Fatal(err)
	}
	if ud := e.factory.compute.userData; len(ud) != 1 || !runs(ud[0], "join") {
		t.Errorf("retry: %d launches, want one join", len(ud))
	}
}

func TestEnsureNodesWaitsForSpotPrice(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.compute.status = cloud.NodesStatus{WaitingForSpotPrice: true, SpotMessage: "current 0.3100 > max 0.3156 in every AZ",
		Progress: cloud.Progress{Total: 1}}
	out, err := e.run("ensureNodes", func(in *Input) { in.Pool = "gpu" })
	if err != nil {
		t.Fatal(err)
	}
	if n := out.(Nodes); !n.WaitingForSpotPrice {
		t.Errorf("answer %+v, want waitingForSpotPrice", n)
	}
	task := e.store.task(NodePoolTask("gpu"))
	if task.State != domain.TaskRunning || !strings.Contains(task.Message, "current 0.3100 > max 0.3156") {
		t.Errorf("task %+v, want Running with current vs max price", task)
	}
}

func TestCheckNodesRecordsNodesAndDeadline(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.compute.progress = cloud.Progress{Done: 1, Total: 3}
	out, err := e.run("checkNodes", func(in *Input) { in.Pool = "general" })
	if err != nil {
		t.Fatal(err)
	}
	if n := out.(Nodes); n.Ready || n.Message != "1/3 nodes running" || len(e.store.nodes["general"]) != 1 {
		t.Errorf("answer %+v, nodes %v", n, e.store.nodes)
	}
	e.now = e.now.Add(DefaultDeadlines.Nodes + 1)
	_, err = e.run("checkNodes", func(in *Input) { in.Pool = "general" })
	wantType(t, err, ErrDeadlineExceeded, "[nodePool:general]", "nodes running")
}

func TestCapacityErrorFailsThePool(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.compute.err = mapErrorInput("InsufficientInstanceCapacity")
	_, err := e.run("ensureNodes", func(in *Input) { in.Pool = "general" })
	wantType(t, err, ErrFailed, "[nodePool:general]", "no capacity")
	if task := e.store.task(NodePoolTask("general")); task.State != domain.TaskFailed {
		t.Errorf("task %+v, want Failed", task)
	}
}

func TestBastionDisabledIsSkipped(t *testing.T) {
	off := false
	e := newEnv(t, func(c *domain.Cluster) { c.Bastion.Enabled = &off })
	if _, err := e.run("ensureBastion", nil); err != nil {
		t.Fatal(err)
	}
	if task := e.store.task(TaskBastion); task.State != domain.TaskSkipped || len(e.calls.list()) != 0 {
		t.Errorf("task %+v calls %v", task, e.calls.list())
	}
}

// runs reports whether cloud-init user data runs kubeadm <verb>.
func runs(userData, verb string) bool {
	return strings.Contains(userData, "- - kubeadm\n    - "+verb+"\n")
}
