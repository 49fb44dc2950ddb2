package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
	"github.com/clusterforge/clusterforge/shared/store"
)

const (
	testClusterID = "clu-01jd8k3m4n5p6q7r8s9t0v1w2x"
	testProfileID = "prf-01jd8k3m4n5p6q7r8s9t0v1w2x"
	testAccountID = "acc-01jd8k3m4n5p6q7r8s9t0v1w2x"
)

var testScope = domain.Scope{Tenant: "acme", Project: "web"}

// exampleSpec is DESIGN §3's example.
const exampleSpec = `{
  "name": "prod-eu", "tags": {"team": "pay"},
  "profileId": "` + testProfileID + `", "packOverrides": {"kubernetes": "podCIDR: 192.168.0.0/16"},
  "cloudAccountId": "` + testAccountID + `", "region": "eu-west-1", "sshKeyName": "ops",
  "placement": {"type": "dynamic", "vpcCidr": "10.0.0.0/16",
                "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"], "natGateways": "perAz"},
  "apiServer": {"scheme": "internet-facing", "allowedCidrs": ["0.0.0.0/0"]},
  "bastion": {"enabled": true, "instanceType": "t3.micro", "allowedCidrs": ["203.0.113.0/24"]},
  "nodePools": [
    {"name": "general", "size": 3, "instanceType": "m5.large",
     "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"], "capacity": {"type": "onDemand"}},
    {"name": "control-plane", "controlPlane": true, "size": 3, "instanceType": "m5.large"},
    {"name": "gpu", "size": 1, "instanceType": "g4dn.xlarge",
     "capacity": {"type": "spot", "spotMaxPricePercent": 60}}
  ]
}`

func testCluster(t *testing.T, mutate func(*domain.Cluster)) *domain.Cluster {
	t.Helper()
	var spec domain.ClusterSpec
	if err := json.Unmarshal([]byte(exampleSpec), &spec); err != nil {
		t.Fatal(err)
	}
	c := &domain.Cluster{ID: testClusterID, ClusterSpec: spec, Status: domain.StatusProvisioning, Generation: 1}
	if mutate != nil {
		mutate(c)
	}
	return c
}

// fakeStore is an in-memory ClusterStore.
type fakeStore struct {
	mu        sync.Mutex
	cluster   *domain.Cluster
	tasks     []domain.Task
	resources []domain.Resource
	nodes     map[string][]domain.Node
	profile   *domain.ClusterProfile
	puts      int // PutTask calls
}

func newFakeStore(c *domain.Cluster) *fakeStore {
	return &fakeStore{cluster: c, nodes: map[string][]domain.Node{}, profile: &domain.ClusterProfile{
		ID: testProfileID, Name: "base", Cloud: domain.CloudAWS,
		Layers: []domain.Layer{
			{Type: domain.LayerOS, Name: "ubuntu", Version: "24.04"},
			{Type: domain.LayerKubernetes, Name: "kubernetes", Version: "1.31.2", Values: "podCIDR: 10.244.0.0/16"},
			{Type: domain.LayerCNI, Name: "calico", Version: "3.28.0"},
		},
	}}
}

var errNotFound = fmt.Errorf("fake store: %w", store.ErrNotFound)

func (s *fakeStore) check(scope domain.Scope, id string) error {
	if scope != testScope || s.cluster == nil || id != s.cluster.ID {
		return errNotFound
	}
	return nil
}

func (s *fakeStore) GetCluster(_ context.Context, scope domain.Scope, id string) (*domain.Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(scope, id); err != nil {
		return nil, err
	}
	c := *s.cluster
	return &c, nil
}

func (s *fakeStore) UpdateCluster(_ context.Context, scope domain.Scope, id string, mutate func(*domain.Cluster) error) (*domain.Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(scope, id); err != nil {
		return nil, err
	}
	c := *s.cluster
	if err := mutate(&c); err != nil {
		return nil, err
	}
	c.Version++
	s.cluster = &c
	out := c
	return &out, nil
}

func (s *fakeStore) PutTask(_ context.Context, scope domain.Scope, id string, t domain.Task) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(scope, id); err != nil {
		return err
	}
	s.puts++
	if i := slices.IndexFunc(s.tasks, func(x domain.Task) bool { return x.Name == t.Name }); i >= 0 {
		s.tasks[i] = t
	} else {
		s.tasks = append(s.tasks, t)
	}
	return nil
}

func (s *fakeStore) Tasks(_ context.Context, scope domain.Scope, id string) ([]domain.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tasks), s.check(scope, id)
}

func (s *fakeStore) task(name string) domain.Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.Name == name {
			return t
		}
	}
	return domain.Task{}
}

func (s *fakeStore) RecordResource(_ context.Context, scope domain.Scope, id string, r domain.Resource) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(scope, id); err != nil {
		return err
	}
	if i := slices.IndexFunc(s.resources, func(x domain.Resource) bool {
		return (r.Key != "" && x.Key == r.Key) || (r.Key == "" && x.ID == r.ID)
	}); i >= 0 {
		s.resources[i] = r
	} else {
		s.resources = append(s.resources, r)
	}
	return nil
}

func (s *fakeStore) Resources(_ context.Context, scope domain.Scope, id string) ([]domain.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.resources), s.check(scope, id)
}

func (s *fakeStore) PutNodes(_ context.Context, scope domain.Scope, id, pool string, nodes []domain.Node) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[pool] = nodes
	return s.check(scope, id)
}

func (s *fakeStore) Nodes(_ context.Context, scope domain.Scope, id string) (map[string][]domain.Node, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nodes, s.check(scope, id)
}

func (s *fakeStore) GetClusterProfile(_ context.Context, _ domain.Scope, id string) (*domain.ClusterProfile, error) {
	if s.profile == nil || s.profile.ID != id {
		return nil, errNotFound
	}
	return s.profile, nil
}

func (s *fakeStore) AccountAccess(_ context.Context, _ domain.Scope, accountID string) (cloud.Access, error) {
	if accountID != testAccountID {
		return cloud.Access{}, errNotFound
	}
	return cloud.Access{Type: cloud.AccessSecret, AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "not-a-secret"}, nil
}

// calls records service calls by name.
type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, fmt.Sprintf(format, args...))
}

func (c *calls) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log)
}

// fakeNetwork records calls; ledger, when set, is where Reconcile* record
// what they "create", as the real service does. err fails every call.
type fakeNetwork struct {
	calls    *calls
	ledger   cloud.Ledger
	err      error
	progress cloud.Progress
}

func (n *fakeNetwork) do(ctx context.Context, name string, r *domain.Resource) error {
	n.calls.add("%s", name)
	if n.err != nil {
		return n.err
	}
	if r != nil && n.ledger != nil {
		return n.ledger.Record(ctx, *r)
	}
	return nil
}

func (n *fakeNetwork) ReconcileVPC(ctx context.Context) (string, error) {
	return "vpc-1", n.do(ctx, "ReconcileVPC", &domain.Resource{Type: "vpc", ID: "vpc-1", Key: domain.KeyVPC})
}
func (n *fakeNetwork) ReconcileSubnets(ctx context.Context, az string) error {
	if err := n.do(ctx, "ReconcileSubnets "+az, &domain.Resource{Type: "subnet", ID: "subnet-pub-" + az, AZ: az, Key: domain.SubnetKey(domain.RolePublic, az)}); err != nil {
		return err
	}
	return n.ledger.Record(ctx, domain.Resource{Type: "subnet", ID: "subnet-priv-" + az, AZ: az, Key: domain.SubnetKey(domain.RolePrivate, az)})
}
func (n *fakeNetwork) ReconcileInternetGateway(ctx context.Context) error {
	return n.do(ctx, "ReconcileInternetGateway", nil)
}
func (n *fakeNetwork) ReconcileNATGateway(ctx context.Context, az string) error {
	return n.do(ctx, "ReconcileNATGateway "+az, &domain.Resource{Type: "natgateway", ID: "nat-" + az, AZ: az, Key: domain.NATGatewayKey(az), State: "pending"})
}
func (n *fakeNetwork) NATGatewaysReady(ctx context.Context) (cloud.Progress, error) {
	return n.progress, n.do(ctx, "NATGatewaysReady", nil)
}
func (n *fakeNetwork) ReconcilePrivateRoutes(ctx context.Context, az string) error {
	return n.do(ctx, "ReconcilePrivateRoutes "+az, &domain.Resource{Type: "routetable", ID: "rtb-" + az, AZ: az, Key: domain.PrivateRoutesKey(az)})
}
func (n *fakeNetwork) ReconcileSecurityGroups(ctx context.Context) error {
	return n.do(ctx, "ReconcileSecurityGroups", nil)
}
func (n *fakeNetwork) Lookup(ctx context.Context) (cloud.NetworkIDs, error) {
	return cloud.NetworkIDs{VPCID: "vpc-1"}, n.do(ctx, "Lookup", nil)
}
func (n *fakeNetwork) DeleteNetworkInterfaces(ctx context.Context) error {
	return n.do(ctx, "DeleteNetworkInterfaces", nil)
}
func (n *fakeNetwork) DeleteSecurityGroups(ctx context.Context) error {
	return n.do(ctx, "DeleteSecurityGroups", nil)
}
func (n *fakeNetwork) DeleteNATGateways(ctx context.Context) error {
	return n.do(ctx, "DeleteNATGateways", nil)
}
func (n *fakeNetwork) NATGatewaysDeleted(ctx context.Context) (cloud.Progress, error) {
	return n.progress, n.do(ctx, "NATGatewaysDeleted", nil)
}
func (n *fakeNetwork) ReleaseAddresses(ctx context.Context) error {
	return n.do(ctx, "ReleaseAddresses", nil)
}
func (n *fakeNetwork) DeleteRouteTables(ctx context.Context) error {
	return n.do(ctx, "DeleteRouteTables", nil)
}
func (n *fakeNetwork) DeleteInternetGateway(ctx context.Context) error {
	return n.do(ctx, "DeleteInternetGateway", nil)
}
func (n *fakeNetwork) DeleteSubnets(ctx context.Context) error {
	return n.do(ctx, "DeleteSubnets", nil)
}
func (n *fakeNetwork) DeleteVPC(ctx context.Context) error { return n.do(ctx, "DeleteVPC", nil) }

// fakeFactory hands out the fakes; the ledger they record to is the
// scope's, i.e. the store's, as with the real services.
type fakeFactory struct {
	calls   *calls
	net     *fakeNetwork
	compute *fakeCompute
	lb      *fakeLB
	eks     *fakeEKS
	checks  *fakeChecks
	opts    ComputeOptions
}

func (f *fakeFactory) Network(_ *cloud.Session, scope *cloud.ClusterScope) cloud.Network {
	f.net.ledger = scope.Ledger
	return f.net
}
func (f *fakeFactory) Compute(_ *cloud.Session, scope *cloud.ClusterScope, o ComputeOptions) cloud.Compute {
	f.compute.ledger, f.opts = scope.Ledger, o
	return f.compute
}
func (f *fakeFactory) LoadBalancer(*cloud.Session, *cloud.ClusterScope) cloud.LoadBalancer {
	return f.lb
}
func (f *fakeFactory) EKS(_ *cloud.Session, scope *cloud.ClusterScope, _ domain.ClusterSpec) cloud.EKS {
	f.eks.ledger = scope.Ledger
	return f.eks
}
func (f *fakeFactory) Checks(*cloud.Session) AccountChecks { return f.checks }

// fakeSessions hands out empty sessions: the fake services never use them.
type fakeSessions struct{ n int }

func (s *fakeSessions) Session(access cloud.Access, region, owner string) (*cloud.Session, error) {
	s.n++
	return &cloud.Session{Region: region}, nil
}

type fakeBootstrap struct{}

func (fakeBootstrap) BootstrapSecrets(context.Context, domain.Scope, string) (domain.BootstrapSecrets, error) {
	return domain.BootstrapSecrets{Token: "abcdef.0123456789abcdef", CACertHash: "sha256:00", CertificateKey: "00ff"}, nil
}
func (fakeBootstrap) DeleteBootstrapSecrets(context.Context, domain.Scope, string) error { return nil }

type fakeSchedules struct{ deleted []string }

func (f *fakeSchedules) Delete(_ context.Context, name string) error {
	f.deleted = append(f.deleted, name)
	return nil
}

// env is one test's world: a store holding the cluster, fake services and
// a clock the test moves.
type env struct {
	t         *testing.T
	store     *fakeStore
	calls     *calls
	factory   *fakeFactory
	sessions  *fakeSessions
	schedules *fakeSchedules
	now       time.Time
	deps      Deps
}

func newEnv(t *testing.T, mutate func(*domain.Cluster)) *env {
	c := &calls{}
	e := &env{
		t: t, store: newFakeStore(testCluster(t, mutate)), calls: c, sessions: &fakeSessions{},
		schedules: &fakeSchedules{},
		now:       time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		factory: &fakeFactory{calls: c, net: &fakeNetwork{calls: c}, compute: &fakeCompute{calls: c},
			lb: &fakeLB{calls: c}, eks: &fakeEKS{calls: c}, checks: &fakeChecks{calls: c, azs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, image: "ami-1"}},
	}
	e.deps = Deps{
		Store: e.store, Sessions: e.sessions, Services: e.factory, Prices: pricing.Default(),
		Bootstrap: fakeBootstrap{}, Schedules: e.schedules,
		Now:    func() time.Time { return e.now },
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
	return e
}

// run invokes one action through a fresh Handler of the function that
// registers it, as Step Functions would: no memory between calls.
func (e *env) run(action string, mod func(*Input)) (any, error) {
	e.t.Helper()
	table := tableOf(action)
	if table == nil {
		e.t.Fatalf("no function registers %q", action)
	}
	in := Input{Action: action, Cluster: ClusterRef{ID: testClusterID, Tenant: testScope.Tenant, Project: testScope.Project, Generation: 1}}
	if mod != nil {
		mod(&in)
	}
	return New(e.deps, table).Handle(context.Background(), in)
}

func tableOf(action string) map[string]ActionFunc {
	for _, table := range Functions {
		if _, ok := table[action]; ok {
			return table
		}
	}
	return nil
}

// wantType fails unless err reaches Step Functions as errorType.
func wantType(t *testing.T, err error, errorType string, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", errorType)
	}
	if got := ErrorType(err); got != errorType {
		t.Fatalf("errorType %q, want %q (%s)", got, errorType, errorMessage(err))
	}
	for _, s := range contains {
		if !strings.Contains(errorMessage(err), s) {
			t.Errorf("message %q does not mention %q", errorMessage(err), s)
		}
	}
}

// mapErrorInput is an AWS API error with code.
func mapErrorInput(code string) error {
	return fmt.Errorf("launch: %w", &smithy.GenericAPIError{Code: code, Message: "We currently do not have sufficient capacity"})
}
