package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// LoadBalancerActions is the loadbalancer function's action table: the
// API server's NLB, its control-plane targets, and their deletion.
var LoadBalancerActions = map[string]ActionFunc{
	"ensureLoadBalancer":        ensureLoadBalancer,
	"registerControlPlane":      registerControlPlane,
	"checkTargets":              checkTargets,
	"deleteLoadBalancers":       deleteLoadBalancers,
	"checkLoadBalancersDeleted": checkLoadBalancersDeleted,
}

func ensureLoadBalancer(ctx context.Context, c *Call) (any, error) {
	t, err := c.startTask(ctx, TaskLoadBalancer, "creating the API server load balancer")
	if err != nil {
		return nil, err
	}
	net, err := c.networkIDs(ctx)
	if err != nil {
		return nil, err
	}
	lb, err := c.LoadBalancer(ctx)
	if err != nil {
		return nil, err
	}
	dns, err := lb.ReconcileLoadBalancer(ctx, net)
	if err != nil {
		return nil, err
	}
	return nil, c.succeed(ctx, t, fmt.Sprintf("API endpoint %s:%d", dns, domain.PortAPIServer))
}

func registerControlPlane(ctx context.Context, c *Call) (any, error) {
	// Finished by checkTargets once the targets are healthy.
	if _, err := c.startTask(ctx, TaskControlPlaneTargets, "registering control-plane nodes"); err != nil {
		return nil, err
	}
	lb, err := c.LoadBalancer(ctx)
	if err != nil {
		return nil, err
	}
	return nil, lb.RegisterControlPlane(ctx)
}

func checkTargets(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskControlPlaneTargets, c.deps.Deadlines.Targets, "control-plane targets healthy", c.lbProgress(ctx, cloud.LoadBalancer.TargetsHealthy))
}

func deleteLoadBalancers(ctx context.Context, c *Call) (any, error) {
	// Finished by checkLoadBalancersDeleted.
	if _, err := c.startTask(ctx, TaskLoadBalancers, "deleting load balancers"); err != nil {
		return nil, err
	}
	lb, err := c.LoadBalancer(ctx)
	if err != nil {
		return nil, err
	}
	return nil, lb.DeleteLoadBalancers(ctx)
}

func checkLoadBalancersDeleted(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskLoadBalancers, c.deps.Deadlines.Deletion, "load balancers deleted", c.lbProgress(ctx, cloud.LoadBalancer.LoadBalancersDeleted))
}

// lbProgress adapts a LoadBalancer progress method to waitFor.
func (c *Call) lbProgress(ctx context.Context, read func(cloud.LoadBalancer, context.Context) (cloud.Progress, error)) func() (cloud.Progress, error) {
	return func() (cloud.Progress, error) {
		lb, err := c.LoadBalancer(ctx)
		if err != nil {
			return cloud.Progress{}, err
		}
		return read(lb, ctx)
	}
}
