package workflow

import (
	"context"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// fakeEKS records calls and answers each read from its fields.
type fakeEKS struct {
	calls    *calls
	ledger   cloud.Ledger
	err      error
	progress cloud.Progress
	nodes    []domain.Node
}

func (f *fakeEKS) do(format string, args ...any) error {
	f.calls.add(format, args...)
	return f.err
}
func (f *fakeEKS) read(format string, args ...any) (cloud.Progress, error) {
	f.calls.add(format, args...)
	return f.progress, f.err
}

func (f *fakeEKS) ReconcileIAMRoles(ctx context.Context) error { return f.do("ReconcileIAMRoles") }
func (f *fakeEKS) ReconcileCluster(ctx context.Context, net cloud.NetworkIDs) error {
	return f.do("ReconcileCluster %s", net.VPCID)
}
func (f *fakeEKS) ClusterReady(ctx context.Context) (cloud.Progress, error) {
	return f.read("ClusterReady")
}
func (f *fakeEKS) ReconcileNodeGroup(ctx context.Context, net cloud.NetworkIDs, pool string) error {
	return f.do("ReconcileNodeGroup %s", pool)
}
func (f *fakeEKS) NodeGroupReady(ctx context.Context, pool string) (cloud.Progress, []domain.Node, error) {
	p, err := f.read("NodeGroupReady %s", pool)
	return p, f.nodes, err
}
func (f *fakeEKS) ReconcileFargateProfiles(ctx context.Context, net cloud.NetworkIDs) (cloud.Progress, error) {
	return f.read("ReconcileFargateProfiles")
}
func (f *fakeEKS) UpdateNodeGroup(ctx context.Context, net cloud.NetworkIDs, pool string) (cloud.Progress, error) {
	return f.read("UpdateNodeGroup %s", pool)
}
func (f *fakeEKS) DeleteFargateProfiles(ctx context.Context) (cloud.Progress, error) {
	return f.read("DeleteFargateProfiles")
}
func (f *fakeEKS) DeleteNodeGroups(ctx context.Context) error { return f.do("DeleteNodeGroups") }
func (f *fakeEKS) NodeGroupsDeleted(ctx context.Context) (cloud.Progress, error) {
	return f.read("NodeGroupsDeleted")
}
func (f *fakeEKS) DeleteCluster(ctx context.Context) error { return f.do("DeleteCluster") }
func (f *fakeEKS) ClusterDeleted(ctx context.Context) (cloud.Progress, error) {
	return f.read("ClusterDeleted")
}
func (f *fakeEKS) DeleteIAMRoles(ctx context.Context) error { return f.do("DeleteIAMRoles") }
func (f *fakeEKS) Leftovers(ctx context.Context) ([]cloud.Leftover, error) {
	f.calls.add("Leftovers")
	return nil, f.err
}
