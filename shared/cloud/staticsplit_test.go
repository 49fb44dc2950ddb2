package cloud

import (
	"slices"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// With static placement the control plane and the workers may have their
// own subnets in the same AZ; each pool must land in its own.
func TestStaticControlPlaneAndWorkerSubnetsStayApart(t *testing.T) {
	plan := domain.Plan{Resources: []domain.PlannedResource{
		{Type: domain.ResInstance, Role: domain.RoleControlPlane, Subnets: []string{"subnet-cp"}},
		{Type: domain.ResInstance, Role: domain.RoleNode, Subnets: []string{"subnet-w"}},
		{Type: domain.ResInstance, Role: domain.RoleBastion, Subnets: []string{"subnet-pub"}},
	}}
	public, private, cp := staticSubnetIDs(plan)
	if !slices.Equal(public, []string{"subnet-pub"}) || !slices.Equal(private, []string{"subnet-w"}) || !slices.Equal(cp, []string{"subnet-cp"}) {
		t.Fatalf("public %v, workers %v, control plane %v", public, private, cp)
	}
	net := NetworkIDs{PrivateSubnets: map[string]string{"eu-west-1a": "subnet-w"}, ControlPlaneSubnets: map[string]string{"eu-west-1a": "subnet-cp"}}
	if got := nodeSubnets(domain.NodePoolSpec{ControlPlane: true}, net)["eu-west-1a"]; got != "subnet-cp" {
		t.Fatalf("control plane goes to %s, want subnet-cp", got)
	}
	if got := nodeSubnets(domain.NodePoolSpec{Name: "workers"}, net)["eu-west-1a"]; got != "subnet-w" {
		t.Fatalf("workers go to %s, want subnet-w", got)
	}
}

// A control plane whose subnets cover fewer AZs than the cluster's uses
// only those AZs; with dynamic placement every AZ has a private subnet.
func TestPoolAZsFollowTheirSubnets(t *testing.T) {
	net := NetworkIDs{
		PrivateSubnets:      map[string]string{"eu-west-1a": "subnet-w1", "eu-west-1b": "subnet-w2"},
		ControlPlaneSubnets: map[string]string{"eu-west-1a": "subnet-cp"},
	}
	azs := []string{"eu-west-1a", "eu-west-1b"}
	if got := poolAZs(domain.NodePoolSpec{ControlPlane: true, AZs: azs}, net); !slices.Equal(got, []string{"eu-west-1a"}) {
		t.Fatalf("control plane AZs = %v, want [eu-west-1a]", got)
	}
	if got := poolAZs(domain.NodePoolSpec{Name: "w", AZs: azs}, net); !slices.Equal(got, azs) {
		t.Fatalf("worker AZs = %v, want %v", got, azs)
	}
}
