package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/store/storetest"
)

// smallPages makes every Query return at most two items, so a read that
// does not follow LastEvaluatedKey misses items; it counts the queries.
type smallPages struct {
	*dynamodb.Client
	queries int
}

func (p *smallPages) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	p.queries++
	in.Limit = aws.Int32(2)
	return p.Client.Query(ctx, in, opts...)
}

func TestClusterDetailsMatchesSeparateReads(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	_, c := withAccount(t, env)
	t1 := now.Add(time.Minute)
	if err := s.PutTask(ctx, scopeA, c.ID, domain.Task{Name: "Adhoc", State: domain.TaskRunning, StartedAt: &t1}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []domain.Resource{
		{Type: "vpc", ID: "vpc-1", Key: "vpc", State: "available"},
		{Type: "subnet", ID: "subnet-1", Key: "subnet/eu-west-1a", AZ: "eu-west-1a"},
		{Type: "networkinterface", ID: "eni-1", AZ: "eu-west-1a"},
	} {
		if err := s.RecordResource(ctx, scopeA, c.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	n := domain.Node{InstanceID: "i-1", AZ: "eu-west-1a", State: "running", Capacity: domain.CapacitySpot, SpotPrice: "0.1", LaunchedAt: t1}
	if err := s.PutNodes(ctx, scopeA, c.ID, "gpu", []domain.Node{n}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNodes(ctx, scopeA, c.ID, "control-plane", nil); err != nil {
		t.Fatal(err)
	}

	wantCluster, _ := s.GetCluster(ctx, scopeA, c.ID)
	wantTasks, _ := s.Tasks(ctx, scopeA, c.ID)
	wantRes, _ := s.Resources(ctx, scopeA, c.ID)
	wantNodes, _ := s.Nodes(ctx, scopeA, c.ID)
	if len(wantTasks) != 3 || len(wantRes) != 3 || len(wantNodes) != 2 {
		t.Fatalf("setup: %d tasks, %d resources, %d pools", len(wantTasks), len(wantRes), len(wantNodes))
	}

	paged := &smallPages{Client: env.DynamoDB}
	ps := store.New(paged, env.Table)
	got, tasks, res, nodes, err := ps.ClusterDetails(ctx, scopeA, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantCluster) || !reflect.DeepEqual(tasks, wantTasks) ||
		!reflect.DeepEqual(res, wantRes) || !reflect.DeepEqual(nodes, wantNodes) {
		t.Fatalf("details differ from separate reads:\n%+v\n%+v\n%+v\n%+v", got, tasks, res, nodes)
	}
	// 8 children, 2 a page: one Query, followed over its pages (the last
	// page may come back empty).
	if paged.queries < 4 || paged.queries > 5 {
		t.Fatalf("%d query pages for 8 children at 2 a page", paged.queries)
	}
}

func TestClusterDetailsNotFoundAndEmpty(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	_, c := withAccount(t, env)
	if err := s.RecordResource(ctx, scopeA, c.ID, domain.Resource{Type: "vpc", ID: "vpc-1", Key: "vpc"}); err != nil {
		t.Fatal(err)
	}
	// Another tenant's scope finds neither the cluster nor its children.
	if _, _, _, _, err := s.ClusterDetails(ctx, scopeB, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
	if _, _, _, _, err := s.ClusterDetails(ctx, scopeA, domain.NewID(domain.PrefixCluster, time.Now())); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing cluster: %v", err)
	}
	// No pools reported yet: empty, not nil, as Nodes answers.
	_, tasks, res, nodes, err := s.ClusterDetails(ctx, scopeA, c.ID)
	if err != nil || len(tasks) != 2 || len(res) != 1 || nodes == nil || len(nodes) != 0 {
		t.Fatalf("details %+v %+v %+v %v", tasks, res, nodes, err)
	}
}
