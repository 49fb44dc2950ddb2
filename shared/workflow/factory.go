package workflow

import (
	"context"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ServiceFactory builds the cloud services for one cluster and session.
// AWSServices is the real one; tests pass fakes, so no action test needs an
// AWS endpoint.
type ServiceFactory interface {
	Network(sess *cloud.Session, scope *cloud.ClusterScope) cloud.Network
	Compute(sess *cloud.Session, scope *cloud.ClusterScope, opts ComputeOptions) cloud.Compute
	LoadBalancer(sess *cloud.Session, scope *cloud.ClusterScope) cloud.LoadBalancer
	// EKS is the EKS side of a kind eks cluster with the given spec.
	EKS(sess *cloud.Session, scope *cloud.ClusterScope, spec domain.ClusterSpec) cloud.EKS
	Checks(sess *cloud.Session) AccountChecks
}

// ComputeOptions is what the compute service needs beyond ClusterScope.
type ComputeOptions struct {
	SSHKeyName string
	// KubernetesVersion pins the node image (the profile's kubernetes
	// layer); "" takes the newest.
	KubernetesVersion string
}

// AccountChecks are the read-only questions the preflight asks the
// customer's account.
type AccountChecks interface {
	Identity(ctx context.Context) (cloud.Identity, error)
	// MissingPermissions returns the actions the session lacks and those it
	// could not verify.
	MissingPermissions(ctx context.Context, actions []string) (missing, unverified []string, err error)
	AvailabilityZones(ctx context.Context) ([]string, error)
	// NodeImage finds the node image for a Kubernetes version; "" when
	// there is none.
	NodeImage(ctx context.Context, kubernetesVersion string) (string, error)
	// InstanceTypeOfferings says which of types are offered in each of azs.
	InstanceTypeOfferings(ctx context.Context, azs, types []string) (map[string]map[string]bool, error)
	KeyPairExists(ctx context.Context, name string) (bool, error)
	// EKSClusterTags returns the tags of the EKS cluster of that name, and
	// whether one exists.
	EKSClusterTags(ctx context.Context, name string) (map[string]string, bool, error)
	Quotas(ctx context.Context, azs []string) ([]cloud.QuotaHeadroom, error)
}

// DNSNamer is implemented by a LoadBalancer service that can read the API
// load balancer's DNS name without reconciling it; ensureNodes prefers it.
type DNSNamer interface {
	DNSName(ctx context.Context) (string, error)
}
