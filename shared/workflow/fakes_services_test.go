package workflow

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// fakeCompute records ReconcileNodes' pool sizes and user data.
type fakeCompute struct {
	calls    *calls
	ledger   cloud.Ledger
	err      error
	status   cloud.NodesStatus
	progress cloud.Progress
	userData []string
}

func (f *fakeCompute) ReconcileBastion(ctx context.Context, net cloud.NetworkIDs) error {
	f.calls.add("ReconcileBastion %s", net.VPCID)
	return f.err
}
func (f *fakeCompute) ReconcileNodes(ctx context.Context, net cloud.NetworkIDs, pool domain.NodePoolSpec, userData string) (cloud.NodesStatus, error) {
	f.calls.add("ReconcileNodes %s size=%d", pool.Name, pool.Size)
	f.userData = append(f.userData, userData)
	if f.err != nil {
		return cloud.NodesStatus{}, f.err
	}
	if !f.status.WaitingForSpotPrice {
		for i := range pool.Size {
			if err := f.ledger.Record(ctx, domain.Resource{Type: "instance", ID: fmt.Sprintf("i-%s-%d", pool.Name, i), Key: domain.InstanceKey(pool.Name, i)}); err != nil {
				return cloud.NodesStatus{}, err
			}
		}
	}
	return f.status, nil
}
func (f *fakeCompute) NodesReady(ctx context.Context, pool string) (cloud.Progress, []domain.Node, error) {
	f.calls.add("NodesReady %s", pool)
	return f.progress, []domain.Node{{InstanceID: "i-1", State: "running"}}, f.err
}
func (f *fakeCompute) TerminateInstances(ctx context.Context) error {
	f.calls.add("TerminateInstances")
	return f.err
}
func (f *fakeCompute) InstancesTerminated(ctx context.Context) (cloud.Progress, error) {
	f.calls.add("InstancesTerminated")
	return f.progress, f.err
}

type fakeLB struct {
	calls    *calls
	err      error
	progress cloud.Progress
}

func (f *fakeLB) ReconcileLoadBalancer(ctx context.Context, net cloud.NetworkIDs) (string, error) {
	f.calls.add("ReconcileLoadBalancer %s", net.VPCID)
	return "api-prod-eu.elb.eu-west-1.amazonaws.com", f.err
}
func (f *fakeLB) RegisterControlPlane(ctx context.Context) error {
	f.calls.add("RegisterControlPlane")
	return f.err
}
func (f *fakeLB) TargetsHealthy(ctx context.Context) (cloud.Progress, error) {
	f.calls.add("TargetsHealthy")
	return f.progress, f.err
}
func (f *fakeLB) DeleteLoadBalancers(ctx context.Context) error {
	f.calls.add("DeleteLoadBalancers")
	return f.err
}
func (f *fakeLB) LoadBalancersDeleted(ctx context.Context) (cloud.Progress, error) {
	f.calls.add("LoadBalancersDeleted")
	return f.progress, f.err
}

// fakeChecks answers the preflight's questions from fields.
type fakeChecks struct {
	calls       *calls
	missing     []string
	azs         []string
	image       string
	notOffered  map[string]string // type → az where it is not offered
	keyMissing  bool
	quotas      []cloud.QuotaHeadroom
	identityErr error
	eksTags     map[string]string // tags of an existing EKS cluster of the name; nil: none
}

func (f *fakeChecks) Identity(ctx context.Context) (cloud.Identity, error) {
	f.calls.add("Identity")
	return cloud.Identity{Account: "222222222222"}, f.identityErr
}
func (f *fakeChecks) MissingPermissions(ctx context.Context, actions []string) ([]string, []string, error) {
	f.calls.add("MissingPermissions %d", len(actions))
	return f.missing, nil, nil
}
func (f *fakeChecks) AvailabilityZones(ctx context.Context) ([]string, error) { return f.azs, nil }
func (f *fakeChecks) NodeImage(ctx context.Context, version string) (string, error) {
	f.calls.add("NodeImage %s", version)
	return f.image, nil
}
func (f *fakeChecks) InstanceTypeOfferings(ctx context.Context, azs, types []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	for _, az := range azs {
		out[az] = map[string]bool{}
		for _, t := range types {
			out[az][t] = f.notOffered[t] != az
		}
	}
	return out, nil
}
func (f *fakeChecks) KeyPairExists(ctx context.Context, name string) (bool, error) {
	return !f.keyMissing, nil
}
func (f *fakeChecks) Quotas(ctx context.Context, azs []string) ([]cloud.QuotaHeadroom, error) {
	return f.quotas, nil
}
func (f *fakeChecks) EKSClusterTags(ctx context.Context, name string) (map[string]string, bool, error) {
	f.calls.add("EKSClusterTags %s", name)
	return f.eksTags, f.eksTags != nil, nil
}
