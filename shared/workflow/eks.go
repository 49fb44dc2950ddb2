package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// EKSActions is the eks function's action table (functions/eks): the EKS
// side of provision-eks, delete-eks and update-eks-nodegroups. The network
// steps of those state machines are the network function's actions.
var EKSActions = map[string]ActionFunc{
	"ensureIamRoles":        eksOnly(ensureIAMRoles),
	"ensureEksCluster":      eksOnly(ensureEKSCluster),
	"checkEksCluster":       eksOnly(checkEKSCluster),
	"ensureNodeGroup":       eksOnly(ensureNodeGroup),
	"checkNodeGroup":        eksOnly(checkNodeGroup),
	"ensureFargateProfiles": eksOnly(ensureFargateProfiles),
	"updateNodeGroup":       eksOnly(updateNodeGroup),

	"deleteFargateProfiles":  eksOnly(deleteFargateProfiles),
	"deleteNodeGroups":       eksOnly(eksStep(TaskNodeGroups, "deleting the managed node groups", cloud.EKS.DeleteNodeGroups)),
	"checkNodeGroupsDeleted": eksOnly(checkNodeGroupsDeleted),
	"deleteEksCluster":       eksOnly(eksStep(TaskEKSCluster, "deleting the EKS cluster", cloud.EKS.DeleteCluster)),
	"checkEksClusterDeleted": eksOnly(checkEKSClusterDeleted),
	"deleteIamRoles":         eksOnly(deleteIAMRoles),
}

// eksOnly refuses an EKS action for a self-managed cluster: a state
// machine wired to the wrong kind must fail loudly, not create an EKS
// cluster nobody asked for.
func eksOnly(next ActionFunc) ActionFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		if c.Cluster.Kind != domain.KindEKS {
			return nil, Fail(ErrFailed, "%s is for EKS clusters; cluster %s is %q", c.Input.Action, c.Cluster.ID, c.Cluster.Kind)
		}
		return next(ctx, c)
	}
}

// eksStep starts a task and does one EKS call; a check action finishes it.
func eksStep(task, running string, op func(cloud.EKS, context.Context) error) ActionFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		if _, err := c.startTask(ctx, task, running); err != nil {
			return nil, err
		}
		e, err := c.EKS(ctx)
		if err != nil {
			return nil, err
		}
		return nil, op(e, ctx)
	}
}

// eksProgress adapts an EKS progress read to waitFor.
func (c *Call) eksProgress(ctx context.Context, read func(cloud.EKS, context.Context) (cloud.Progress, error)) func() (cloud.Progress, error) {
	return func() (cloud.Progress, error) {
		e, err := c.EKS(ctx)
		if err != nil {
			return cloud.Progress{}, err
		}
		return read(e, ctx)
	}
}

// deadline is d, or def when a test's Deadlines leave it zero.
func deadline(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func ensureIAMRoles(ctx context.Context, c *Call) (any, error) {
	done := "IAM roles ready"
	if e := c.Cluster.EKS; e != nil && e.ClusterRoleARN != "" && e.NodeRoleARN != "" &&
		(e.PodExecutionRoleARN != "" || len(e.FargateProfiles) == 0) {
		done = "using the spec's IAM roles"
	}
	return nil, c.runTask(ctx, TaskIAMRoles, "creating the cluster, node and pod execution roles", done, func() error {
		e, err := c.EKS(ctx)
		if err != nil {
			return err
		}
		return e.ReconcileIAMRoles(ctx)
	})
}

// eksWithNetwork is the EKS service and the network ids (subnets) its
// creates need; task, when not "", is started first.
func (c *Call) eksWithNetwork(ctx context.Context, task, running string) (cloud.EKS, cloud.NetworkIDs, error) {
	if task != "" {
		if _, err := c.startTask(ctx, task, running); err != nil {
			return nil, cloud.NetworkIDs{}, err
		}
	}
	e, err := c.EKS(ctx)
	if err != nil {
		return nil, cloud.NetworkIDs{}, err
	}
	net, err := c.networkIDs(ctx)
	if err != nil {
		return nil, cloud.NetworkIDs{}, err
	}
	return e, net, nil
}

func ensureEKSCluster(ctx context.Context, c *Call) (any, error) {
	e, net, err := c.eksWithNetwork(ctx, TaskEKSCluster, "creating the EKS cluster")
	if err != nil {
		return nil, err
	}
	return nil, e.ReconcileCluster(ctx, net)
}

func checkEKSCluster(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskEKSCluster, deadline(c.deps.Deadlines.EKSCluster, DefaultDeadlines.EKSCluster),
		"EKS cluster active", c.eksProgress(ctx, cloud.EKS.ClusterReady))
}

func (c *Call) inputPool() (string, error) {
	if c.Input.Pool == "" {
		return "", Fail(ErrFailed, "%s needs a pool", c.Input.Action)
	}
	return c.Input.Pool, nil
}

func ensureNodeGroup(ctx context.Context, c *Call) (any, error) {
	pool, err := c.inputPool()
	if err != nil {
		return nil, err
	}
	e, net, err := c.eksWithNetwork(ctx, NodePoolTask(pool), "creating the managed node group")
	if err != nil {
		return nil, err
	}
	return nil, e.ReconcileNodeGroup(ctx, net, pool)
}

// checkNodeGroup is the pool's wait loop: it records the group's
// instances as the pool's nodes and finishes the task when EKS reports the
// group ACTIVE ("node group general ACTIVE 3/3").
func checkNodeGroup(ctx context.Context, c *Call) (any, error) {
	pool, err := c.inputPool()
	if err != nil {
		return nil, err
	}
	task := NodePoolTask(pool)
	c.task = task
	e, err := c.EKS(ctx)
	if err != nil {
		return nil, err
	}
	p, nodes, err := e.NodeGroupReady(ctx, pool)
	if nodes != nil {
		if perr := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, pool, nodes); perr != nil {
			return nil, fmt.Errorf("record nodes of pool %s: %w", pool, perr)
		}
	}
	if err != nil {
		return nil, err
	}
	return c.check(ctx, task, deadline(c.deps.Deadlines.NodeGroups, DefaultDeadlines.NodeGroups), "nodes ready", p)
}

// ensureFargateProfiles is one turn of the Fargate loop: EKS takes one
// profile at a time, so each turn creates at most the next one.
func ensureFargateProfiles(ctx context.Context, c *Call) (any, error) {
	if c.Cluster.EKS == nil || len(c.Cluster.EKS.FargateProfiles) == 0 {
		if err := c.skip(ctx, TaskFargateProfiles, "no Fargate profiles"); err != nil {
			return nil, err
		}
		return Check{Ready: true, Message: "skipped"}, nil
	}
	return c.waitFor(ctx, TaskFargateProfiles, deadline(c.deps.Deadlines.FargateProfiles, DefaultDeadlines.FargateProfiles),
		"Fargate profiles active", func() (cloud.Progress, error) {
			e, net, err := c.eksWithNetwork(ctx, "", "")
			if err != nil {
				return cloud.Progress{}, err
			}
			return e.ReconcileFargateProfiles(ctx, net)
		})
}

// updateNodeGroup is one turn of update-eks-nodegroups' loop for a pool
// (added, changed or removed): scaling, labels, taints and update config
// change in place; new instance types get a new group that replaces the
// old one. Ready when the group matches the spec and any replaced group is
// gone.
func updateNodeGroup(ctx context.Context, c *Call) (any, error) {
	pool, err := c.inputPool()
	if err != nil {
		return nil, err
	}
	task := NodePoolTask(pool)
	e, net, err := c.eksWithNetwork(ctx, task, "updating the managed node group")
	if err != nil {
		return nil, err
	}
	p, err := e.UpdateNodeGroup(ctx, net, pool)
	if err != nil {
		return nil, err
	}
	if p.Ready {
		if err := c.recordPoolNodes(ctx, e, pool); err != nil {
			return nil, err
		}
	}
	// A replacement is a create and a delete in a row.
	return c.check(ctx, task, 2*deadline(c.deps.Deadlines.NodeGroups, DefaultDeadlines.NodeGroups), "node group updated", p)
}

// recordPoolNodes writes the pool's nodes: its group's instances, none
// for a pool the spec no longer has.
func (c *Call) recordPoolNodes(ctx context.Context, e cloud.EKS, pool string) error {
	nodes := []domain.Node{}
	if inSpec(c.Cluster.ClusterSpec, pool) {
		_, found, err := e.NodeGroupReady(ctx, pool)
		if err != nil {
			return err
		}
		nodes = found
	}
	if err := c.deps.Store.PutNodes(ctx, c.Scope, c.Cluster.ID, pool, nodes); err != nil {
		return fmt.Errorf("record nodes of pool %s: %w", pool, err)
	}
	return nil
}

func inSpec(spec domain.ClusterSpec, pool string) bool {
	for _, p := range spec.NodePools {
		if p.Name == pool {
			return true
		}
	}
	return false
}

func deleteFargateProfiles(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskFargateProfiles, c.deps.Deadlines.Deletion, "Fargate profiles deleted",
		c.eksProgress(ctx, cloud.EKS.DeleteFargateProfiles))
}

func checkNodeGroupsDeleted(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskNodeGroups, c.deps.Deadlines.Deletion, "node groups deleted",
		c.eksProgress(ctx, cloud.EKS.NodeGroupsDeleted))
}

func checkEKSClusterDeleted(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskEKSCluster, c.deps.Deadlines.Deletion, "EKS cluster deleted",
		c.eksProgress(ctx, cloud.EKS.ClusterDeleted))
}

func deleteIAMRoles(ctx context.Context, c *Call) (any, error) {
	return nil, c.runTask(ctx, TaskIAMRoles, "deleting the IAM roles ClusterForge created", "IAM roles deleted", func() error {
		e, err := c.EKS(ctx)
		if err != nil {
			return err
		}
		return e.DeleteIAMRoles(ctx)
	})
}
