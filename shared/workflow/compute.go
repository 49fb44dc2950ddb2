package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ComputeActions is the compute function's action table: the bastion,
// the node pools and their termination.
var ComputeActions = map[string]ActionFunc{
	"ensureBastion":            ensureBastion,
	"ensureNodes":              ensureNodes,
	"checkNodes":               checkNodes,
	"terminateInstances":       terminateInstances,
	"checkInstancesTerminated": checkInstancesTerminated,
	"updateNodePool":           updateNodePool, // update-nodepool (nodepool_update.go)
}

func ensureBastion(ctx context.Context, c *Call) (any, error) {
	if !c.Cluster.Bastion.IsEnabled() {
		return nil, c.skip(ctx, TaskBastion, "bastion disabled")
	}
	return nil, c.runTask(ctx, TaskBastion, "launching the bastion", "bastion launched", func() error {
		net, err := c.networkIDs(ctx)
		if err != nil {
			return err
		}
		comp, err := c.Compute(ctx)
		if err != nil {
			return err
		}
		return comp.ReconcileBastion(ctx, net)
	})
}

// pool returns the input's pool with the spec's defaults applied.
func (c *Call) pool() (domain.NodePoolSpec, error) {
	for _, p := range domain.WithDefaults(c.Cluster.ClusterSpec).NodePools {
		if p.Name == c.Input.Pool {
			return p, nil
		}
	}
	return domain.NodePoolSpec{}, Fail(ErrFailed, "the cluster has no node pool %q", c.Input.Pool)
}

// ensureNodes launches a pool's missing nodes. The first control-plane
// node runs kubeadm init and every other node joins, but the Compute
// service takes one user data per call: so while the first control-plane
// instance does not exist yet, it is launched alone (a pool of size 1) with
// the init user data, then the rest with the join user data. Both calls
// are idempotent by instance key.
func ensureNodes(ctx context.Context, c *Call) (any, error) {
	pool, err := c.pool()
	if err != nil {
		return nil, err
	}
	t, err := c.startTask(ctx, NodePoolTask(pool.Name), "launching nodes")
	if err != nil {
		return nil, err
	}
	ud, err := c.userDataRenderer(ctx, pool)
	if err != nil {
		return nil, err
	}
	net, err := c.networkIDs(ctx)
	if err != nil {
		return nil, err
	}
	comp, err := c.Compute(ctx)
	if err != nil {
		return nil, err
	}
	// Ever launched, not live: once the first control-plane node existed
	// the cluster was initialised, and a replacement must join it.
	firstLaunched, err := c.everRecorded(ctx, domain.InstanceKey(pool.Name, 0))
	if err != nil {
		return nil, err
	}
	init := pool.ControlPlane && !firstLaunched
	if init && pool.Size > 1 {
		first := pool
		first.Size = 1
		st, err := c.launch(ctx, comp, net, first, ud, true)
		if err != nil || st.WaitingForSpotPrice {
			return c.nodesAnswer(ctx, t, pool, st, err)
		}
		init = false
	}
	st, err := c.launch(ctx, comp, net, pool, ud, init)
	return c.nodesAnswer(ctx, t, pool, st, err)
}

type renderFunc func(pool domain.NodePoolSpec, init bool) (string, error)

// userDataRenderer loads what a node's user data depends on: the cluster
// profile with packOverrides, the API endpoint (the NLB's DNS name) and the
// cluster's bootstrap secrets.
func (c *Call) userDataRenderer(ctx context.Context, pool domain.NodePoolSpec) (renderFunc, error) {
	profile, err := c.deps.Store.GetClusterProfile(ctx, c.Scope, c.Cluster.ProfileID)
	if err != nil {
		return nil, fmt.Errorf("load cluster profile %s: %w", c.Cluster.ProfileID, err)
	}
	c.k8sVersion = kubernetesVersion(profile)
	endpoint, err := c.apiEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	if c.deps.Bootstrap == nil {
		return nil, Fail(ErrFailed, "no bootstrap secret store configured")
	}
	secrets, err := c.deps.Bootstrap.BootstrapSecrets(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return nil, fmt.Errorf("bootstrap secrets: %w", err)
	}
	return func(p domain.NodePoolSpec, init bool) (string, error) {
		ud, err := domain.RenderUserData(domain.UserDataInput{
			ClusterName: c.Cluster.Name, ClusterID: c.Cluster.ID, APIServerEndpoint: endpoint,
			Pool: p, Init: init, Layers: profile.Layers, PackOverrides: c.Cluster.PackOverrides,
			Bootstrap: secrets,
		})
		if err != nil {
			// A profile or override the renderer rejects will not improve.
			return "", Fail(ErrFailed, "node pool %s: %v", p.Name, err)
		}
		return ud, nil
	}, nil
}

// apiEndpoint is the API load balancer's DNS name, read without
// reconciling when the service can; ReconcileLoadBalancer is idempotent and
// answers it too.
func (c *Call) apiEndpoint(ctx context.Context) (string, error) {
	lb, err := c.LoadBalancer(ctx)
	if err != nil {
		return "", err
	}
	if namer, ok := lb.(DNSNamer); ok {
		name, err := namer.DNSName(ctx)
		if err != nil {
			return "", fmt.Errorf("read the API load balancer's DNS name: %w", err)
		}
		return name, nil
	}
	net, err := c.networkIDs(ctx)
	if err != nil {
		return "", err
	}
	name, err := lb.ReconcileLoadBalancer(ctx, net)
	if err != nil {
		return "", fmt.Errorf("read the API load balancer's DNS name: %w", err)
	}
	return name, nil
}

func (c *Call) launch(ctx context.Context, comp cloud.Compute, net cloud.NetworkIDs, pool domain.NodePoolSpec, render renderFunc, init bool) (cloud.NodesStatus, error) {
	ud, err := render(pool, init)
	if err != nil {
		return cloud.NodesStatus{}, err
	}
	st, err := comp.ReconcileNodes(ctx, net, pool, ud)
	if err != nil {
		return cloud.NodesStatus{}, fmt.Errorf("launch node pool %s: %w", pool.Name, err)
	}
	return st, nil
}

// SpotWaitPrefix starts the message of a spot pool's task while it waits
// for the price; the rest says why (current vs max price). The API shows
// that rest as the pool's spotWaiting.
const SpotWaitPrefix = "waiting for the spot price: "

// nodesAnswer records a launch's outcome on the pool's task and nodes.
func (c *Call) nodesAnswer(ctx context.Context, t domain.Task, pool domain.NodePoolSpec, st cloud.NodesStatus, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if st.Nodes != nil {
		if err := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, pool.Name, st.Nodes); err != nil {
			return nil, fmt.Errorf("record nodes of pool %s: %w", pool.Name, err)
		}
	}
	if st.WaitingForSpotPrice {
		msg := SpotWaitPrefix + st.SpotMessage
		return Nodes{WaitingForSpotPrice: true, Check: Check{Done: st.Done, Total: st.Total, Message: msg}},
			c.progress(ctx, t, st.Done, st.Total, msg)
	}
	// The nodes' deadline counts from the launch, not from a spot wait
	// that may have lasted hours.
	now := c.Now()
	t.StartedAt = &now
	msg := fmt.Sprintf("%d/%d nodes launched", st.Done, st.Total)
	return Nodes{Check: Check{Ready: st.Ready, Done: st.Done, Total: st.Total, Message: msg}},
		c.progress(ctx, t, st.Done, st.Total, msg)
}

func checkNodes(ctx context.Context, c *Call) (any, error) {
	pool, err := c.pool()
	if err != nil {
		return nil, err
	}
	chk, err := c.waitFor(ctx, NodePoolTask(pool.Name), c.deps.Deadlines.Nodes, "nodes running", func() (cloud.Progress, error) {
		comp, err := c.Compute(ctx)
		if err != nil {
			return cloud.Progress{}, err
		}
		p, nodes, err := comp.NodesReady(ctx, pool.Name)
		if err != nil {
			return cloud.Progress{}, err
		}
		if err := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, pool.Name, nodes); err != nil {
			return cloud.Progress{}, fmt.Errorf("record nodes of pool %s: %w", pool.Name, err)
		}
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return Nodes{Check: chk}, nil
}

func terminateInstances(ctx context.Context, c *Call) (any, error) {
	// Finished by checkInstancesTerminated.
	if _, err := c.startTask(ctx, TaskInstances, "terminating instances"); err != nil {
		return nil, err
	}
	comp, err := c.Compute(ctx)
	if err != nil {
		return nil, err
	}
	return nil, comp.TerminateInstances(ctx)
}

func checkInstancesTerminated(ctx context.Context, c *Call) (any, error) {
	chk, err := c.waitFor(ctx, TaskInstances, c.deps.Deadlines.Deletion, "instances terminated", func() (cloud.Progress, error) {
		comp, err := c.Compute(ctx)
		if err != nil {
			return cloud.Progress{}, err
		}
		return comp.InstancesTerminated(ctx)
	})
	if err != nil || !chk.Ready {
		return chk, err
	}
	for _, p := range c.Cluster.ClusterSpec.NodePools {
		if err := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, p.Name, []domain.Node{}); err != nil {
			return nil, fmt.Errorf("clear nodes of pool %s: %w", p.Name, err)
		}
	}
	return chk, nil
}
