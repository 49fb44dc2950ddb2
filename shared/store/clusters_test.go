package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/store/storetest"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// The workflow's persistence is this store (asserted here: store must not
// import workflow, which will import store's users).
var _ workflow.ClusterStore = (*store.Store)(nil)

func newCluster(accountID, name string) *domain.Cluster {
	enabled := true
	return &domain.Cluster{
		ID: domain.NewID(domain.PrefixCluster, time.Now()),
		ClusterSpec: domain.ClusterSpec{
			Kind: domain.KindSelfManaged, Name: name, ProfileID: "prf-01jd8k3m4n5p6q7r8s9t0v1w2x", CloudAccountID: accountID, Region: "eu-west-1",
			Tags:      map[string]string{"team": "pay"},
			Placement: domain.Placement{Type: domain.PlacementDynamic, VPCCIDR: "10.0.0.0/16", AZs: []string{"eu-west-1a", "eu-west-1b"}},
			Bastion:   domain.Bastion{Enabled: &enabled},
			NodePools: []domain.NodePoolSpec{
				{Name: "control-plane", ControlPlane: true, Size: 3, InstanceType: "m5.large"},
				{Name: "gpu", Size: 1, InstanceType: "g4dn.xlarge", Capacity: domain.Capacity{Type: domain.CapacitySpot, SpotMaxPricePercent: 60},
					Taints: []domain.Taint{{Key: "gpu", Effect: domain.EffectNoSchedule}}},
			},
		},
		Status: domain.StatusProvisioning, Generation: 1, CreatedAt: now,
		Tasks: []domain.Task{{Name: "Preflight", State: domain.TaskPending}, {Name: "EnsureVpc", State: domain.TaskPending}},
	}
}

// withAccount creates an account and a cluster using it.
func withAccount(t *testing.T, env *storetest.Env) (*domain.CloudAccount, *domain.Cluster) {
	t.Helper()
	a := account("prod")
	if err := env.Store.CreateCloudAccount(ctx, scopeA, a); err != nil {
		t.Fatal(err)
	}
	c := newCluster(a.ID, "prod-eu")
	if err := env.Store.CreateCluster(ctx, scopeA, c); err != nil {
		t.Fatal(err)
	}
	return a, c
}

func TestClusterCreateGetRoundTrip(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a, c := withAccount(t, env)
	got, err := s.GetCluster(ctx, scopeA, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The spec's pools survive storage although domain.Cluster's own
	// nodePools shadow them in JSON.
	if len(got.ClusterSpec.NodePools) != 2 || got.ClusterSpec.NodePools[1].Capacity.SpotMaxPricePercent != 60 ||
		got.ClusterSpec.NodePools[1].Taints[0].Key != "gpu" || got.NodePools != nil {
		t.Fatalf("pools %+v / %+v", got.ClusterSpec.NodePools, got.NodePools)
	}
	if got.Version != 1 || got.Generation != 1 || got.Kind != domain.KindSelfManaged || got.Status != domain.StatusProvisioning || !got.CreatedAt.Equal(now) ||
		got.Tags["team"] != "pay" || !got.Bastion.IsEnabled() || got.Placement.AZs[1] != "eu-west-1b" || got.Tasks != nil {
		t.Fatalf("got %+v", got)
	}
	tasks, err := s.Tasks(ctx, scopeA, c.ID)
	if err != nil || len(tasks) != 2 || tasks[0].Name != "Preflight" || tasks[1].State != domain.TaskPending {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
	if inUse, err := s.CloudAccountInUse(ctx, scopeA, a.ID); err != nil || !inUse {
		t.Fatalf("account in use: %v %v", inUse, err)
	}
	if _, err := s.GetCluster(ctx, scopeB, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant reads: %v", err)
	}
}

func TestClusterCreateRefusals(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a, _ := withAccount(t, env)
	before := env.ItemCount(t)
	if err := s.CreateCluster(ctx, scopeA, newCluster(a.ID, "prod-eu")); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if err := s.CreateCluster(ctx, scopeA, newCluster("acc-01jd8k3m4n5p6q7r8s9t0v1w2x", "other")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if n := env.ItemCount(t); n != before {
		t.Fatalf("refused creates wrote %d items", n-before)
	}
}

func TestUpdateClusterDeletedReleasesNameAndAccount(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a, c := withAccount(t, env)
	updated, err := s.UpdateCluster(ctx, scopeA, c.ID, func(c *domain.Cluster) error {
		c.Status = domain.StatusDeleted
		return nil
	})
	if err != nil || updated.Version != 2 {
		t.Fatalf("update: %+v %v", updated, err)
	}
	if inUse, _ := s.CloudAccountInUse(ctx, scopeA, a.ID); inUse {
		t.Fatal("a Deleted cluster still holds its account")
	}
	list, _, err := s.ListClusters(ctx, scopeA, store.Page{})
	if err != nil || len(list) != 0 {
		t.Fatalf("list shows Deleted: %+v %v", list, err)
	}
	if got, err := s.GetCluster(ctx, scopeA, c.ID); err != nil || got.Status != domain.StatusDeleted {
		t.Fatalf("deleted cluster not readable: %v", err)
	}
	again := newCluster(a.ID, "prod-eu")
	if err := s.CreateCluster(ctx, scopeA, again); err != nil {
		t.Fatalf("name not released: %v", err)
	}
	// Deleting the old one's record again must not free the new one's name.
	if _, err := s.UpdateCluster(ctx, scopeA, c.ID, func(c *domain.Cluster) error { c.StatusMessage = "audit"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCluster(ctx, scopeA, newCluster(a.ID, "prod-eu")); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("name of the live cluster: %v", err)
	}
}

func TestUpdateClusterRetriesConflicts(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	_, c := withAccount(t, env)
	calls := 0
	got, err := s.UpdateCluster(ctx, scopeA, c.ID, func(cl *domain.Cluster) error {
		calls++
		if calls == 1 { // another writer gets in between our read and write
			if _, err := s.UpdateCluster(ctx, scopeA, c.ID, func(o *domain.Cluster) error { o.StatusMessage = "other"; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		cl.Generation++
		return nil
	})
	if err != nil || calls != 2 || got.Generation != 2 || got.StatusMessage != "other" || got.Version != 3 {
		t.Fatalf("calls %d, got %+v, err %v", calls, got, err)
	}
	// A writer that always loses gives up with ErrConflict.
	_, err = s.UpdateCluster(ctx, scopeA, c.ID, func(cl *domain.Cluster) error {
		if _, err := s.UpdateCluster(ctx, scopeA, c.ID, func(*domain.Cluster) error { return nil }); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("always conflicting: %v", err)
	}
	// mutate's error aborts without a write.
	boom := errors.New("boom")
	if _, err := s.UpdateCluster(ctx, scopeA, c.ID, func(*domain.Cluster) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("abort: %v", err)
	}
	if _, err := s.UpdateCluster(ctx, scopeA, c.ID, func(c *domain.Cluster) error { c.Name = "x"; return nil }); !errors.Is(err, store.ErrImmutable) {
		t.Fatalf("rename: %v", err)
	}
	if _, err := s.UpdateCluster(ctx, scopeB, c.ID, func(*domain.Cluster) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
}

func TestListClustersPaginatesAroundDeleted(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a := account("prod")
	if err := s.CreateCloudAccount(ctx, scopeA, a); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 7 {
		c := newCluster(a.ID, fmt.Sprintf("c%d", i))
		c.ID = domain.NewID(domain.PrefixCluster, now.Add(time.Duration(i)*time.Second))
		if i%2 == 1 {
			c.Status = domain.StatusDeleted
		} else {
			want = append(want, c.Name)
		}
		if err := s.CreateCluster(ctx, scopeA, c); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	token := ""
	for pages := 0; pages < 5; pages++ {
		items, next, err := s.ListClusters(ctx, scopeA, store.Page{Limit: 2, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > 2 {
			t.Fatalf("page of %d", len(items))
		}
		for _, c := range items {
			got = append(got, c.Name)
		}
		if token = next; token == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	if _, _, err := s.ListClusters(ctx, scopeB, store.Page{Token: token + "x"}); token != "" && !errors.Is(err, store.ErrInvalidToken) {
		t.Fatalf("foreign token: %v", err)
	}
}

func TestTasksLedgerNodes(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	_, c := withAccount(t, env)
	t1, t2 := now.Add(time.Minute), now.Add(2*time.Minute)
	// Upsert keeps the first start, clears finishedAt when running again,
	// and an unplanned task sorts after the planned ones.
	steps := []domain.Task{
		{Name: "EnsureVpc", State: domain.TaskRunning, StartedAt: &t1},
		{Name: "EnsureVpc", State: domain.TaskSucceeded, StartedAt: &t2, FinishedAt: &t2, Done: 1, Total: 1},
		{Name: "Adhoc", State: domain.TaskRunning, StartedAt: &t2, Message: "1/3"},
		{Name: "Preflight", State: domain.TaskFailed, StartedAt: &t1, FinishedAt: &t1},
		{Name: "Preflight", State: domain.TaskRunning, StartedAt: &t2},
	}
	for _, st := range steps {
		if err := s.PutTask(ctx, scopeA, c.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := s.Tasks(ctx, scopeA, c.ID)
	if err != nil || len(tasks) != 3 {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
	pre, vpc, adhoc := tasks[0], tasks[1], tasks[2]
	if pre.Name != "Preflight" || pre.State != domain.TaskRunning || !pre.StartedAt.Equal(t1) || pre.FinishedAt != nil {
		t.Fatalf("preflight %+v", pre)
	}
	if vpc.Name != "EnsureVpc" || !vpc.StartedAt.Equal(t1) || !vpc.FinishedAt.Equal(t2) || vpc.Done != 1 || adhoc.Name != "Adhoc" || adhoc.Message != "1/3" {
		t.Fatalf("tasks %+v", tasks)
	}
	if err := s.ResetTasks(ctx, scopeA, c.ID, []domain.Task{{Name: "BeginDeletion", State: domain.TaskPending}, {Name: "DeleteVpc", State: domain.TaskPending}}); err != nil {
		t.Fatal(err)
	}
	if tasks, _ := s.Tasks(ctx, scopeA, c.ID); len(tasks) != 2 || tasks[0].Name != "BeginDeletion" || tasks[1].Name != "DeleteVpc" {
		t.Fatalf("after reset %+v", tasks)
	}

	for _, r := range []domain.Resource{
		{Type: "vpc", ID: "vpc-1", Key: "vpc", State: "pending"},
		{Type: "vpc", ID: "vpc-1", Key: "vpc", State: "available"},
		{Type: "networkinterface", ID: "eni-1", AZ: "eu-west-1a"},
	} {
		if err := s.RecordResource(ctx, scopeA, c.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Resources(ctx, scopeA, c.ID)
	if err != nil || len(res) != 2 || res[0].ID != "eni-1" || res[1].State != "available" {
		t.Fatalf("ledger %+v %v", res, err)
	}
	if err := s.RecordResource(ctx, scopeA, c.ID, domain.Resource{Type: "vpc"}); err == nil {
		t.Fatal("resource without key or id accepted")
	}

	n := domain.Node{InstanceID: "i-1", AZ: "eu-west-1a", State: "running", Capacity: domain.CapacitySpot, SpotPrice: "0.1", LaunchedAt: t1}
	if err := s.PutNodes(ctx, scopeA, c.ID, "gpu", []domain.Node{n}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNodes(ctx, scopeA, c.ID, "control-plane", nil); err != nil {
		t.Fatal(err)
	}
	nodes, err := s.Nodes(ctx, scopeA, c.ID)
	if err != nil || len(nodes) != 2 || len(nodes["gpu"]) != 1 || nodes["gpu"][0] != n || nodes["control-plane"] == nil {
		t.Fatalf("nodes %+v %v", nodes, err)
	}
	// Children are per tenant too.
	if other, _ := s.Resources(ctx, scopeB, c.ID); len(other) != 0 {
		t.Fatalf("other tenant sees the ledger: %+v", other)
	}
}

func TestAccountAccess(t *testing.T) {
	env := storetest.New(t)
	s := env.Store.WithSecrets(env.Secrets)
	stsAcc := account("role")
	if err := s.CreateCloudAccount(ctx, scopeA, stsAcc); err != nil {
		t.Fatal(err)
	}
	ext, err := s.ExternalID(ctx, scopeA.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountAccess(ctx, scopeA, stsAcc.ID)
	if err != nil || got != (cloud.Access{Type: cloud.AccessSTS, RoleARN: stsAcc.RoleARN, ExternalID: ext}) {
		t.Fatalf("sts access %+v %v", got, err)
	}
	keyAcc := account("keys")
	keyAcc.Type = domain.AccountSecret
	key := domain.AccessKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	if keyAcc.SecretRef, err = env.Secrets.PutAccessKey(ctx, scopeA, keyAcc.ID, key); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCloudAccount(ctx, scopeA, keyAcc); err != nil {
		t.Fatal(err)
	}
	got, err = s.AccountAccess(ctx, scopeA, keyAcc.ID)
	if err != nil || got != (cloud.Access{Type: cloud.AccessSecret, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}) {
		t.Fatalf("secret access %+v %v", got, err)
	}
	if _, err := s.AccountAccess(ctx, scopeB, keyAcc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
	if _, err := store.New(env.DynamoDB, env.Table).AccountAccess(ctx, scopeA, keyAcc.ID); !errors.Is(err, store.ErrNoSecrets) {
		t.Fatalf("without secrets: %v", err)
	}
}
