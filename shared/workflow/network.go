package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// NetworkActions is the network function's action table: DESIGN §4 steps
// 2–6 and their reverse.
var NetworkActions = map[string]ActionFunc{
	"ensureVpc":             dynamicOnly(TaskVPC, ensureVPC),
	"ensureSubnets":         dynamicOnly(TaskSubnets, perAZ(TaskSubnets, cloud.Network.ReconcileSubnets, subnetKeys, "AZs with public and private subnets", true)),
	"ensureInternetGateway": dynamicOnly(TaskInternetGateway, networkStep(TaskInternetGateway, "creating and attaching the internet gateway", "internet gateway attached, public routes to it", cloud.Network.ReconcileInternetGateway)),
	"ensureNatGateway":      dynamicOnly(TaskNATGateways, perAZ(TaskNATGateways, cloud.Network.ReconcileNATGateway, natKeys, "NAT gateways created", false)),
	"checkNatGateways":      dynamicOnly(TaskNATGateways, checkNATGateways),
	"ensurePrivateRoutes":   dynamicOnly(TaskPrivateRoutes, perAZ(TaskPrivateRoutes, cloud.Network.ReconcilePrivateRoutes, privateRouteKeys, "private route tables routed to a NAT gateway", true)),
	"ensureSecurityGroups":  networkStep(TaskSecurityGroups, "creating security groups", "security groups ready", cloud.Network.ReconcileSecurityGroups),

	"deleteNetworkInterfaces": networkStep(TaskNetworkInterfaces, "deleting leftover network interfaces", "network interfaces deleted", cloud.Network.DeleteNetworkInterfaces),
	"deleteSecurityGroups":    networkStep(TaskSecurityGroups, "deleting security groups", "security groups deleted", cloud.Network.DeleteSecurityGroups),
	"deleteNatGateways":       deleteNATGateways,
	"checkNatGatewaysDeleted": checkNATGatewaysDeleted,
	"releaseAddresses":        networkStep(TaskAddresses, "releasing Elastic IPs", "Elastic IPs released", cloud.Network.ReleaseAddresses),
	"deleteRouteTables":       networkStep(TaskRouteTables, "deleting route tables", "route tables deleted", cloud.Network.DeleteRouteTables),
	"deleteInternetGateway":   networkStep(TaskInternetGateway, "detaching and deleting the internet gateway", "internet gateway deleted", cloud.Network.DeleteInternetGateway),
	"deleteSubnets":           networkStep(TaskSubnets, "deleting subnets", "subnets deleted", cloud.Network.DeleteSubnets),
	"deleteVpc":               networkStep(TaskVPC, "deleting the VPC", "VPC deleted", cloud.Network.DeleteVPC),
}

// dynamicOnly skips a network step with static placement, where the VPC,
// subnets, gateways and routes are the customer's. Deletion needs no such
// guard: the services delete only what the ledger says we created.
func dynamicOnly(task string, next ActionFunc) ActionFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		if c.Cluster.Placement.Type == domain.PlacementStatic {
			if err := c.skip(ctx, task, "static placement: the network is the customer's"); err != nil {
				return nil, err
			}
			return Check{Ready: true, Message: "skipped"}, nil
		}
		return next(ctx, c)
	}
}

// networkStep is a one-shot network task.
func networkStep(task, running, done string, op func(cloud.Network, context.Context) error) ActionFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		return nil, c.runTask(ctx, task, running, done, func() error {
			n, err := c.Network(ctx)
			if err != nil {
				return err
			}
			return op(n, ctx)
		})
	}
}

func ensureVPC(ctx context.Context, c *Call) (any, error) {
	var vpcID string
	t, err := c.startTask(ctx, TaskVPC, "creating the VPC")
	if err != nil {
		return nil, err
	}
	n, err := c.Network(ctx)
	if err != nil {
		return nil, err
	}
	if vpcID, err = n.ReconcileVPC(ctx); err != nil {
		return nil, err
	}
	return nil, c.succeed(ctx, t, "VPC "+vpcID)
}

// perAZ is one iteration of a per-AZ Map: reconcile the AZ, then count the
// AZs done from the ledger. finish says whether all AZs done finishes the
// task (NAT gateways finish only when available, in checkNatGateways).
func perAZ(task string, op func(cloud.Network, context.Context, string) error,
	keysOf func(az string) []string, what string, finish bool) ActionFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		az := c.Input.AZ
		if az == "" {
			return nil, Fail(ErrFailed, "%s needs an az", c.Input.Action)
		}
		t, err := c.startTask(ctx, task, "working in "+az)
		if err != nil {
			return nil, err
		}
		n, err := c.Network(ctx)
		if err != nil {
			return nil, err
		}
		if err := op(n, ctx, az); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", c.Input.Action, az, err)
		}
		azs := c.mapAZs(task)
		done, err := c.azsDone(ctx, azs, keysOf)
		if err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("%d/%d %s", done, len(azs), what)
		if finish && done == len(azs) {
			t.Done, t.Total = done, len(azs)
			return nil, c.succeed(ctx, t, msg)
		}
		return nil, c.progress(ctx, t, done, len(azs), msg)
	}
}

// mapAZs are the AZs a per-AZ task iterates: the NAT AZs for NAT
// gateways, every cluster AZ otherwise (the same lists preflight answered).
func (c *Call) mapAZs(task string) []string {
	p := planAnswer(domain.WithDefaults(c.Cluster.ClusterSpec))
	if task == TaskNATGateways {
		return p.NatAZs
	}
	return p.AZs
}

// azsDone counts the AZs whose resources are all in the ledger.
func (c *Call) azsDone(ctx context.Context, azs []string, keysOf func(string) []string) (int, error) {
	live, err := c.ledgerKeys(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, az := range azs {
		all := true
		for _, k := range keysOf(az) {
			if _, ok := live[k]; !ok {
				all = false
			}
		}
		if all {
			done++
		}
	}
	return done, nil
}

func subnetKeys(az string) []string {
	return []string{domain.SubnetKey(domain.RolePublic, az), domain.SubnetKey(domain.RolePrivate, az)}
}
func natKeys(az string) []string          { return []string{domain.NATGatewayKey(az)} }
func privateRouteKeys(az string) []string { return []string{domain.PrivateRoutesKey(az)} }

func checkNATGateways(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskNATGateways, c.deps.Deadlines.NATGateways, "NAT gateways available", c.netProgress(ctx, cloud.Network.NATGatewaysReady))
}

func deleteNATGateways(ctx context.Context, c *Call) (any, error) {
	// Not finished here: checkNatGatewaysDeleted finishes the task once AWS
	// reports them deleted.
	if _, err := c.startTask(ctx, TaskNATGateways, "deleting NAT gateways"); err != nil {
		return nil, err
	}
	n, err := c.Network(ctx)
	if err != nil {
		return nil, err
	}
	return nil, n.DeleteNATGateways(ctx)
}

func checkNATGatewaysDeleted(ctx context.Context, c *Call) (any, error) {
	return c.waitFor(ctx, TaskNATGateways, c.deps.Deadlines.Deletion, "NAT gateways deleted", c.netProgress(ctx, cloud.Network.NATGatewaysDeleted))
}

// waitFor is one check of a wait loop: read the progress, record it on the
// task, enforce the deadline.
func (c *Call) waitFor(ctx context.Context, task string, deadline time.Duration, what string,
	read func() (cloud.Progress, error)) (Check, error) {
	c.task = task // so a failing read is recorded on the task
	p, err := read()
	if err != nil {
		return Check{}, err
	}
	return c.check(ctx, task, deadline, what, p)
}

// netProgress adapts a Network progress method to waitFor.
func (c *Call) netProgress(ctx context.Context, read func(cloud.Network, context.Context) (cloud.Progress, error)) func() (cloud.Progress, error) {
	return func() (cloud.Progress, error) {
		n, err := c.Network(ctx)
		if err != nil {
			return cloud.Progress{}, err
		}
		return read(n, ctx)
	}
}
