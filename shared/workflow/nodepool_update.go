package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// UpdateInput is update-nodepool's execution input, chosen by the API:
// which pools to reconcile, the control plane apart because it goes first
// and alone, and how many worker pools roll at once (0: all,
// updateWorkerPoolsInParallel; 1: one after another).
type UpdateInput struct {
	Cluster        ClusterRef `json:"cluster"`
	ControlPlane   []string   `json:"controlPlane"`
	WorkerPools    []string   `json:"workerPools"`
	MaxConcurrency int        `json:"maxConcurrency"`
}

// updatePool is the input's pool as it should be: the spec's pool with
// defaults, or — for a pool the spec no longer has — an empty pool of the
// same name, which the update scales to zero.
func (c *Call) updatePool() (pool domain.NodePoolSpec, removed bool) {
	for _, p := range domain.WithDefaults(c.Cluster.ClusterSpec).NodePools {
		if p.Name == c.Input.Pool {
			return p, false
		}
	}
	return domain.NodePoolSpec{Name: c.Input.Pool}, true
}

// updateNodePool is one turn of a pool's update loop (update-nodepool's
// UpdateNodePool state, repeated after a Wait until it answers ready):
//  1. read the pool's instances and record them as its nodes;
//  2. decide the next step from them (domain.NextPoolStep);
//  3. control plane: keep the API targets equal to its running nodes, and
//     act only while every one of them is healthy (quorum);
//  4. do the step — launch, or terminate (control-plane targets leave the
//     target group first) — or, when done, tag the nodes with the pool's
//     labels and taints, which change in place.
func updateNodePool(ctx context.Context, c *Call) (any, error) {
	pool, removed := c.updatePool()
	t, err := c.startTask(ctx, NodePoolTask(pool.Name), "updating the node pool")
	if err != nil {
		return nil, err
	}
	// Before the compute service is built: the profile pins its node image.
	var render renderFunc
	if !removed {
		if render, err = c.userDataRenderer(ctx, pool); err != nil {
			return nil, err
		}
	}
	u, err := c.poolUpdater(ctx)
	if err != nil {
		return nil, err
	}
	net, err := c.networkIDs(ctx)
	if err != nil {
		return nil, err
	}
	if !removed {
		pool.AZs = cloud.PoolAZs(pool, net)
	}
	nodes, err := u.PoolNodes(ctx, pool.Name)
	if err != nil {
		return nil, err
	}
	if err := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, pool.Name, nodes); err != nil {
		return nil, fmt.Errorf("record nodes of pool %s: %w", pool.Name, err)
	}
	step := domain.NextPoolStep(nodes, pool, pool.ControlPlane)
	if step.Action != domain.StepWait && pool.ControlPlane {
		// Quorum and the API endpoint: act only while every other
		// control-plane node is a healthy target, and terminate a node
		// only once it has left the target group (deregistered, drained).
		if ok, why, err := c.controlPlaneSettled(ctx, step); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			step = domain.PoolStep{Action: domain.StepWait, Reason: why}
		}
	}
	w := poolTurn{c: c, u: u, net: net, pool: pool, task: t, nodes: nodes, render: render}
	switch step.Action {
	case domain.StepDone:
		return w.done(ctx, removed)
	case domain.StepLaunch:
		return w.launch(ctx, step)
	case domain.StepTerminate:
		return w.terminate(ctx, step)
	default:
		return w.wait(ctx, step.Reason)
	}
}

// poolTurn is one updateNodePool call's pool and what it read.
type poolTurn struct {
	c      *Call
	u      cloud.PoolUpdater
	net    cloud.NetworkIDs
	pool   domain.NodePoolSpec
	task   domain.Task
	nodes  []domain.Node
	render renderFunc
}

func (w poolTurn) running() int {
	n := 0
	for _, node := range w.nodes {
		if node.State == "running" {
			n++
		}
	}
	return n
}

// wait answers not ready, or fails once the pool has waited longer than a
// node launch may take for every node it could have to replace.
func (w poolTurn) wait(ctx context.Context, why string) (any, error) {
	msg := fmt.Sprintf("%d/%d nodes running; %s", w.running(), w.pool.Size, why)
	deadline := w.c.deps.Deadlines.Nodes * time.Duration(max(1, w.pool.Size+len(w.nodes)))
	if waited := w.c.Now().Sub(*w.task.StartedAt); waited > deadline {
		return nil, Fail(ErrDeadlineExceeded, "node pool %s: waited %s (deadline %s): %s",
			w.pool.Name, waited.Round(time.Second), deadline.Round(time.Second), msg)
	}
	return Check{Done: w.running(), Total: w.pool.Size, Message: msg}, w.c.progress(ctx, w.task, w.running(), w.pool.Size, msg)
}

func (w poolTurn) done(ctx context.Context, removed bool) (any, error) {
	msg := fmt.Sprintf("%d/%d nodes running", w.running(), w.pool.Size)
	if removed {
		msg = "node pool removed"
	} else if err := w.u.TagPool(ctx, w.pool.Name, cloud.PoolSpecTags(w.pool)); err != nil {
		return nil, err
	}
	w.task.Done, w.task.Total = w.running(), w.pool.Size
	return Check{Ready: true, Done: w.running(), Total: w.pool.Size, Message: msg}, w.c.succeed(ctx, w.task, msg)
}

func (w poolTurn) launch(ctx context.Context, step domain.PoolStep) (any, error) {
	// The cluster exists: every new node, control plane included, joins.
	ud, err := w.render(w.pool, false)
	if err != nil {
		return nil, err
	}
	st, err := w.u.LaunchNodes(ctx, w.net, w.pool, step.LaunchAZs, ud, cloud.PoolSpecTags(w.pool))
	if err != nil {
		return nil, err
	}
	if st.WaitingForSpotPrice {
		return w.wait(ctx, SpotWaitPrefix+st.SpotMessage)
	}
	return w.wait(ctx, fmt.Sprintf("launched %d in %s (%s)", len(step.LaunchAZs), strings.Join(step.LaunchAZs, ", "), step.Reason))
}

func (w poolTurn) terminate(ctx context.Context, step domain.PoolStep) (any, error) {
	ids := make([]string, len(step.Terminate))
	for i, n := range step.Terminate {
		ids[i] = n.InstanceID
	}
	if err := w.u.TerminateNodes(ctx, ids); err != nil {
		return nil, err
	}
	return w.wait(ctx, fmt.Sprintf("terminating %s (%s)", strings.Join(ids, ", "), step.Reason))
}

func (c *Call) poolUpdater(ctx context.Context) (cloud.PoolUpdater, error) {
	comp, err := c.Compute(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := comp.(cloud.PoolUpdater)
	if !ok {
		return nil, Fail(ErrFailed, "the compute service cannot update node pools")
	}
	return u, nil
}

// controlPlaneSettled syncs the API targets with the control plane, the
// nodes step would terminate excluded, and reports whether step may go on.
func (c *Call) controlPlaneSettled(ctx context.Context, step domain.PoolStep) (bool, string, error) {
	lb, err := c.LoadBalancer(ctx)
	if err != nil {
		return false, "", err
	}
	targets, ok := lb.(cloud.ControlPlaneTargets)
	if !ok {
		return false, "", Fail(ErrFailed, "the load balancer service cannot follow control-plane changes")
	}
	var leaving []string
	for _, n := range step.Terminate {
		leaving = append(leaving, n.InstanceID)
	}
	p, err := targets.SyncControlPlaneTargets(ctx, leaving)
	if err != nil {
		return false, "", err
	}
	return p.Ready, p.Message, nil
}

// markUpdated ends an update: every update task finished, the cluster
// Running again.
func markUpdated(ctx context.Context, c *Call) (any, error) {
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return nil, fmt.Errorf("read tasks: %w", err)
	}
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.Name
	}
	if err := c.finishTasks(ctx, names); err != nil {
		return nil, err
	}
	return nil, c.setStatus(ctx, domain.StatusRunning, func(cl *domain.Cluster) {
		cl.Progress, cl.StatusMessage = 100, ""
	})
}

// markUpdateFailed ends an update that failed. The cluster still serves
// with the nodes it has, so it goes back to Running — not Failed, which
// would block further changes — and says where the update stopped.
func markUpdateFailed(ctx context.Context, c *Call) (any, error) {
	task, msg, err := c.failTask(ctx)
	if err != nil {
		return nil, err
	}
	return nil, c.setStatus(ctx, domain.StatusRunning, func(cl *domain.Cluster) {
		cl.Progress = 100
		cl.StatusMessage = fmt.Sprintf("node pool update failed at %s: %s. The pools run as far as the update got; PATCH the pool again to retry.", task, msg)
	})
}
