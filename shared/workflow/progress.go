package workflow

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// Task names: stable, because users and the CLI read them.
const (
	TaskPreflight           = "preflight"
	TaskVPC                 = "vpc"
	TaskSubnets             = "subnets"
	TaskInternetGateway     = "internetGateway"
	TaskNATGateways         = "natGateways"
	TaskPrivateRoutes       = "privateRoutes"
	TaskSecurityGroups      = "securityGroups"
	TaskBastion             = "bastion"
	TaskLoadBalancer        = "loadBalancer"
	TaskControlPlaneTargets = "controlPlaneTargets"

	TaskInstances         = "instances"
	TaskLoadBalancers     = "loadBalancers"
	TaskNetworkInterfaces = "networkInterfaces"
	TaskAddresses         = "addresses"
	TaskRouteTables       = "routeTables"

	// EKS clusters (eks.go).
	TaskIAMRoles        = "iamRoles"
	TaskEKSCluster      = "eksCluster"
	TaskFargateProfiles = "fargateProfiles"
	TaskNodeGroups      = "nodeGroups"
)

// NodePoolTask names a node pool's task.
func NodePoolTask(pool string) string { return "nodePool:" + pool }

// ProvisionTasks are the provisioning tasks of a cluster, in order
// (provision-cluster.asl.json, or provision-eks.asl.json for kind eks).
func ProvisionTasks(spec domain.ClusterSpec) []string {
	if spec.Kind == domain.KindEKS {
		return eksProvisionTasks(spec)
	}
	out := []string{TaskPreflight, TaskVPC, TaskSubnets, TaskInternetGateway, TaskNATGateways,
		TaskPrivateRoutes, TaskSecurityGroups, TaskBastion, TaskLoadBalancer}
	for _, p := range poolOrder(spec) {
		out = append(out, NodePoolTask(p.Name))
	}
	return append(out, TaskControlPlaneTargets)
}

// eksProvisionTasks: the network as for dynamic placement (no security
// groups: EKS makes the cluster's), the roles, the control plane, one
// managed node group per worker pool, the Fargate profiles.
func eksProvisionTasks(spec domain.ClusterSpec) []string {
	out := []string{TaskPreflight, TaskVPC, TaskSubnets, TaskInternetGateway, TaskNATGateways,
		TaskPrivateRoutes, TaskIAMRoles, TaskEKSCluster}
	for _, p := range spec.NodePools {
		if !p.ControlPlane {
			out = append(out, NodePoolTask(p.Name))
		}
	}
	return append(out, TaskFargateProfiles)
}

// DeletionTasks are the deletion tasks of a self-managed cluster, in order
// (delete-cluster.asl.json).
var DeletionTasks = []string{TaskInstances, TaskLoadBalancers, TaskNetworkInterfaces, TaskNATGateways,
	TaskSecurityGroups, TaskAddresses, TaskRouteTables, TaskInternetGateway, TaskSubnets, TaskVPC}

// eksDeletionTasks are delete-eks.asl.json's: the EKS side in reverse,
// then the network as delete-cluster removes it.
var eksDeletionTasks = []string{TaskFargateProfiles, TaskNodeGroups, TaskEKSCluster, TaskIAMRoles, TaskLoadBalancers,
	TaskNetworkInterfaces, TaskNATGateways, TaskSecurityGroups, TaskAddresses, TaskRouteTables,
	TaskInternetGateway, TaskSubnets, TaskVPC}

// DeletionTasksOf are the deletion tasks of the spec's kind, in order.
func DeletionTasksOf(spec domain.ClusterSpec) []string {
	if spec.Kind == domain.KindEKS {
		return slices.Clone(eksDeletionTasks)
	}
	return slices.Clone(DeletionTasks)
}

// poolOrder is the spec's pools with the control plane first: workers join
// through it.
func poolOrder(spec domain.ClusterSpec) []domain.NodePoolSpec {
	out := slices.Clone(spec.NodePools)
	slices.SortStableFunc(out, func(a, b domain.NodePoolSpec) int {
		switch {
		case a.ControlPlane && !b.ControlPlane:
			return -1
		case b.ControlPlane && !a.ControlPlane:
			return 1
		}
		return 0
	})
	return out
}

// Deadlines bound the state machines' wait loops, measured in wall time
// from the StartedAt of the task being waited for.
type Deadlines struct {
	NATGateways time.Duration
	Nodes       time.Duration
	Targets     time.Duration
	Deletion    time.Duration
	// EKS: the control plane (AWS takes ~10 minutes), a managed node group
	// (~3) and all Fargate profiles, which EKS creates one at a time (~1.5 each).
	EKSCluster      time.Duration
	NodeGroups      time.Duration
	FargateProfiles time.Duration
}

// DefaultDeadlines are generous multiples of AWS's usual latencies (a NAT
// gateway takes 1–3 minutes, an instance ~1, NLB targets 2–4).
var DefaultDeadlines = Deadlines{
	NATGateways: 10 * time.Minute,
	Nodes:       15 * time.Minute,
	Targets:     15 * time.Minute,
	Deletion:    20 * time.Minute,

	EKSCluster:      30 * time.Minute,
	NodeGroups:      20 * time.Minute,
	FargateProfiles: 20 * time.Minute,
}

// Scale multiplies every deadline by f.
func (d Deadlines) Scale(f float64) Deadlines {
	s := func(x time.Duration) time.Duration { return time.Duration(float64(x) * f) }
	return Deadlines{NATGateways: s(d.NATGateways), Nodes: s(d.Nodes), Targets: s(d.Targets), Deletion: s(d.Deletion),
		EKSCluster: s(d.EKSCluster), NodeGroups: s(d.NodeGroups), FargateProfiles: s(d.FargateProfiles)}
}

// DeadlinesFromEnv scales DefaultDeadlines by WAIT_DEADLINE_SCALE (default
// 1): the local cloud runs AWS's latencies time-scaled, and its deadlines
// must shrink with them or a stuck resource would take AWS-long to report.
func DeadlinesFromEnv() (Deadlines, error) {
	v := os.Getenv("WAIT_DEADLINE_SCALE")
	if v == "" {
		return DefaultDeadlines, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return Deadlines{}, fmt.Errorf("WAIT_DEADLINE_SCALE=%q: want a positive number", v)
	}
	return DefaultDeadlines.Scale(f), nil
}

// startTask marks the call's task Running. A task already Running keeps its
// StartedAt: Map iterations and wait-loop checks share one task, and the
// deadline counts from its first start.
func (c *Call) startTask(ctx context.Context, name, message string) (domain.Task, error) {
	c.task = name
	t, _, err := c.findTask(ctx, name)
	if err != nil {
		return domain.Task{}, err
	}
	if t.State != domain.TaskRunning || t.StartedAt == nil {
		now := c.Now()
		t = domain.Task{Name: name, StartedAt: &now}
	}
	t.State, t.Message, t.FinishedAt = domain.TaskRunning, message, nil
	c.current = t
	return t, c.putTask(ctx, t)
}

func (c *Call) findTask(ctx context.Context, name string) (domain.Task, bool, error) {
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return domain.Task{}, false, fmt.Errorf("read tasks: %w", err)
	}
	for _, t := range tasks {
		if t.Name == name {
			return t, true, nil
		}
	}
	return domain.Task{Name: name}, false, nil
}

func (c *Call) putTask(ctx context.Context, t domain.Task) error {
	if t.Name == c.task {
		c.current = t
	}
	if err := c.deps.Store.PutTask(ctx, c.Scope, c.Cluster.ID, t); err != nil {
		return fmt.Errorf("record task %s: %w", t.Name, err)
	}
	return nil
}

// progress records done/total on a running task.
func (c *Call) progress(ctx context.Context, t domain.Task, done, total int, message string) error {
	t.Done, t.Total, t.Message = done, total, message
	return c.putTask(ctx, t)
}

// succeed finishes a task and moves the cluster's progress on.
func (c *Call) succeed(ctx context.Context, t domain.Task, message string) error {
	now := c.Now()
	t.State, t.FinishedAt, t.Message = domain.TaskSucceeded, &now, message
	if t.StartedAt == nil {
		t.StartedAt = &now
	}
	if err := c.putTask(ctx, t); err != nil {
		return err
	}
	return c.updateProgress(ctx)
}

// skip records a task that does not apply to this cluster.
func (c *Call) skip(ctx context.Context, name, message string) error {
	now := c.Now()
	c.task = name
	return c.putTask(ctx, domain.Task{Name: name, State: domain.TaskSkipped, StartedAt: &now, FinishedAt: &now, Message: message})
}

// runTask is the common shape of a one-shot step: mark the task Running, do
// the work, mark it Succeeded with message.
func (c *Call) runTask(ctx context.Context, name, running, done string, work func() error) error {
	t, err := c.startTask(ctx, name, running)
	if err != nil {
		return err
	}
	if err := work(); err != nil {
		return err
	}
	return c.succeed(ctx, t, done)
}

// check reports a wait loop's progress: the task records done/total, a
// ready check finishes it, and a check past its deadline fails with
// DeadlineExceeded naming what it waited for.
func (c *Call) check(ctx context.Context, name string, deadline time.Duration, what string, p cloud.Progress) (Check, error) {
	t, err := c.startTask(ctx, name, "")
	if err != nil {
		return Check{}, err
	}
	msg := p.Message
	if msg == "" {
		msg = fmt.Sprintf("%d/%d %s", p.Done, p.Total, what)
	}
	out := Check{Ready: p.Ready, Done: p.Done, Total: p.Total, Message: msg}
	if p.Ready {
		t.Done, t.Total = p.Done, p.Total
		return out, c.succeed(ctx, t, msg)
	}
	if waited := c.Now().Sub(*t.StartedAt); waited > deadline {
		c.current.Done, c.current.Total = p.Done, p.Total
		return Check{}, Fail(ErrDeadlineExceeded, "waited %s (deadline %s) for %s; %s",
			waited.Round(time.Second), deadline.Round(time.Second), what, msg)
	}
	return out, c.progress(ctx, t, p.Done, p.Total, msg)
}

// recordFailure writes what happened to the call's task: a permanent
// failure finishes it as Failed, a retry keeps it Running with the reason.
// A write failure here is only logged: the original error matters more.
func (c *Call) recordFailure(ctx context.Context, mapped error) {
	if c.task == "" {
		return
	}
	t := c.current
	if t.Name != c.task {
		// Keep StartedAt (the deadline counts from it) and the counts.
		found, _, err := c.findTask(ctx, c.task)
		if err != nil {
			c.Log.Error("read task to record failure", "task", c.task, "err", err)
		}
		t = found
	}
	switch ErrorType(mapped) {
	case ErrRetryable, ErrDependencyViolation:
		if t.State != domain.TaskRunning {
			now := c.Now()
			t.State, t.StartedAt = domain.TaskRunning, &now
		}
		t.Message = "retrying: " + errorMessage(mapped)
	default:
		now := c.Now()
		t.State, t.FinishedAt, t.Message = domain.TaskFailed, &now, errorMessage(mapped)
		if t.StartedAt == nil {
			t.StartedAt = &now
		}
	}
	if err := c.putTask(ctx, t); err != nil {
		c.Log.Error("record task failure", "task", t.Name, "err", err)
	}
}

// updateProgress sets the cluster's progress to the share of finished tasks
// while a workflow runs; 100 is for markRunning and markDeleted to say.
func (c *Call) updateProgress(ctx context.Context) error {
	if c.Cluster.Status != domain.StatusProvisioning && c.Cluster.Status != domain.StatusDeleting {
		return nil
	}
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil || len(tasks) == 0 {
		return err
	}
	done := 0
	for _, t := range tasks {
		if t.State == domain.TaskSucceeded || t.State == domain.TaskSkipped {
			done++
		}
	}
	pct := min(done*100/len(tasks), 99)
	if pct <= c.Cluster.Progress {
		return nil
	}
	_, err = c.deps.Store.UpdateCluster(ctx, c.Scope, c.Cluster.ID, func(cl *domain.Cluster) error {
		if pct > cl.Progress && cl.Status == c.Cluster.Status {
			cl.Progress = pct
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update progress: %w", err)
	}
	c.Cluster.Progress = pct
	return nil
}
