package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// LeftoverScanner finds what a (force) deleted cluster left in the
// customer's account: the EC2 scan (ledger, tags, the VPC's contents) and
// the ELBv2 scan combined. It implements api.LeftoverScanner; wire it in
// functions/api as workflow.LeftoverScanner{Sessions: sessions, Prices: pricing.Default()}.
type LeftoverScanner struct {
	Sessions SessionSource
	Prices   domain.PriceCatalog
}

// Scan scans the cluster's account and region; ledger is the cluster's
// resource ledger as the API read it.
func (s LeftoverScanner) Scan(ctx context.Context, access cloud.Access, c *domain.Cluster, ledger []domain.Resource) ([]cloud.Leftover, error) {
	sess, err := s.Sessions.Session(access, c.Region, c.ID)
	if err != nil {
		return nil, fmt.Errorf("session for cluster %s: %w", c.ID, err)
	}
	scope := &cloud.ClusterScope{
		ClusterID: c.ID, ClusterName: c.Name, Region: c.Region, Generation: c.Generation,
		UserTags: c.Tags, Ledger: readOnlyLedger(ledger),
	}
	// The plan only helps the scan name planned resources; a spec the
	// catalog no longer accepts must not stop a force delete's scan.
	if plan, err := domain.PlanCluster(c.ClusterSpec, s.Prices); err == nil {
		scope.Plan = plan
	}
	elb := func(ctx context.Context, scope *cloud.ClusterScope) ([]cloud.Leftover, error) {
		return cloud.FindLoadBalancerLeftovers(ctx, sess.ELBv2(), scope)
	}
	finders := []cloud.LeftoverFinder{elb}
	if c.Kind == domain.KindEKS {
		finders = append(finders, cloud.EKSLeftoverFinder(AWSServices{}.EKS(sess, scope, c.ClusterSpec)))
	}
	out, err := cloud.FindLeftovers(ctx, sess.EC2(), scope, finders...)
	if err != nil {
		return nil, fmt.Errorf("scan for leftovers of cluster %s: %w", c.ID, err)
	}
	return out, nil
}

// readOnlyLedger is a ledger snapshot: a scan reads it and records nothing.
type readOnlyLedger []domain.Resource

func (l readOnlyLedger) Record(context.Context, domain.Resource) error { return nil }
func (l readOnlyLedger) Resources(context.Context) ([]domain.Resource, error) {
	return l, nil
}
