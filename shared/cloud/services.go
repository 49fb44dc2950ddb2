package cloud

import (
	"context"
	"errors"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// The three services the workflow drives, in the manner of
// cluster-api-provider-aws's pkg/cloud/services: each Reconcile* finds its
// resources by tags first, creates what is missing (tagged at creation,
// with a ClientToken where EC2 takes one), records ids in the ledger, and
// returns quickly; each Delete* removes what the ledger and tag discovery
// find, and treats "already gone" as success. None of them waits: the
// *Ready / *Deleted checks report progress for the state machines' Wait
// loops.

// NetworkIDs are the ids later steps need, looked up by tags.
type NetworkIDs struct {
	VPCID          string
	PublicSubnets  map[string]string // az → subnet id
	PrivateSubnets map[string]string // az → subnet id of worker nodes
	// ControlPlaneSubnets are where control-plane nodes go: the private
	// subnets with dynamic placement, the customer's controlPlaneSubnetIds
	// with static placement (which may differ from the workers' in the same AZ).
	ControlPlaneSubnets map[string]string // az → subnet id
	SecurityGroups      map[string]string // role (bastion, apiserver-lb, control-plane, node) → group id
}

// Network is dynamic placement's networking (implemented by *NetworkService).
type Network interface {
	ReconcileVPC(ctx context.Context) (vpcID string, err error)
	ReconcileSubnets(ctx context.Context, az string) error
	ReconcileInternetGateway(ctx context.Context) error
	ReconcileNATGateway(ctx context.Context, az string) error
	NATGatewaysReady(ctx context.Context) (Progress, error)
	ReconcilePrivateRoutes(ctx context.Context, az string) error
	ReconcileSecurityGroups(ctx context.Context) error
	Lookup(ctx context.Context) (NetworkIDs, error)

	DeleteNetworkInterfaces(ctx context.Context) error
	DeleteSecurityGroups(ctx context.Context) error
	DeleteNATGateways(ctx context.Context) error
	NATGatewaysDeleted(ctx context.Context) (Progress, error)
	ReleaseAddresses(ctx context.Context) error
	DeleteRouteTables(ctx context.Context) error
	DeleteInternetGateway(ctx context.Context) error
	DeleteSubnets(ctx context.Context) error
	DeleteVPC(ctx context.Context) error
}

// NodesStatus is the outcome of launching one pool's missing nodes.
type NodesStatus struct {
	Progress
	// WaitingForSpotPrice: no AZ's spot price is within the pool's max
	// price; SpotMessage says e.g. "current 0.2104 > max 0.1578 in every AZ".
	WaitingForSpotPrice bool
	SpotMessage         string
	Nodes               []domain.Node
}

// Compute is the bastion and the node pools' instances (*ComputeService).
type Compute interface {
	ReconcileBastion(ctx context.Context, net NetworkIDs) error
	// ReconcileNodes launches the pool's missing instances across its AZs
	// with the given user data (spot pools only where the price is in range).
	ReconcileNodes(ctx context.Context, net NetworkIDs, pool domain.NodePoolSpec, userData string) (NodesStatus, error)
	NodesReady(ctx context.Context, pool string) (Progress, []domain.Node, error)
	TerminateInstances(ctx context.Context) error
	InstancesTerminated(ctx context.Context) (Progress, error)
}

// LoadBalancer is the API server's NLB, its target group and listener
// (*LoadBalancerService).
type LoadBalancer interface {
	ReconcileLoadBalancer(ctx context.Context, net NetworkIDs) (dnsName string, err error)
	RegisterControlPlane(ctx context.Context) error
	TargetsHealthy(ctx context.Context) (Progress, error)
	// DeleteLoadBalancers removes ours and those the cluster's cloud
	// controller created (kubernetes.io/cluster/<name> tag).
	DeleteLoadBalancers(ctx context.Context) error
	LoadBalancersDeleted(ctx context.Context) (Progress, error)
}

// Leftover is a resource still in the account after a (force) delete.
type Leftover struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Region string `json:"region"`
	State  string `json:"state,omitempty"`
	Reason string `json:"reason"`
}

// ErrDependencyViolation wraps AWS's DependencyViolation (and the other
// "not yet" answers of deletion, such as a NAT gateway still deleting), so
// the workflow returns it as the DependencyViolation error the state
// machine retries with backoff.
var ErrDependencyViolation = errors.New("dependency violation")

// ErrResourceFailed says AWS put a resource in a failed state (e.g. a NAT
// gateway `failed`); the message names it and AWS's reason.
var ErrResourceFailed = errors.New("resource failed")

// EKS is an EKS cluster's AWS side (*EKSService): IAM roles, the control
// plane, managed node groups (one per worker pool) and Fargate profiles.
// Reconcile* create what is missing; the *Ready / *Deleted reads report
// progress for the Wait loops; the Fargate and update methods are one turn
// of a loop each, because EKS allows one transition at a time.
type EKS interface {
	ReconcileIAMRoles(ctx context.Context) error
	ReconcileCluster(ctx context.Context, net NetworkIDs) error
	ClusterReady(ctx context.Context) (Progress, error)
	ReconcileNodeGroup(ctx context.Context, net NetworkIDs, pool string) error
	NodeGroupReady(ctx context.Context, pool string) (Progress, []domain.Node, error)
	ReconcileFargateProfiles(ctx context.Context, net NetworkIDs) (Progress, error)
	UpdateNodeGroup(ctx context.Context, net NetworkIDs, pool string) (Progress, error)

	DeleteFargateProfiles(ctx context.Context) (Progress, error)
	DeleteNodeGroups(ctx context.Context) error
	NodeGroupsDeleted(ctx context.Context) (Progress, error)
	DeleteCluster(ctx context.Context) error
	ClusterDeleted(ctx context.Context) (Progress, error)
	DeleteIAMRoles(ctx context.Context) error
	// Leftovers lists what of the cluster's EKS side is still in the
	// account (force delete's scan).
	Leftovers(ctx context.Context) ([]Leftover, error)
}
