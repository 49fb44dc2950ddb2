package api_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

const (
	provisionSM = "arn:aws:states:us-east-1:111111111111:stateMachine:provision-cluster"
	deleteSM    = "arn:aws:states:us-east-1:111111111111:stateMachine:delete-cluster"
	// The eks machines (provision-eks, delete-eks, update-eks-nodegroups).
	provisionEKSSM = "arn:aws:states:us-east-1:111111111111:stateMachine:provision-eks"
	deleteEKSSM    = "arn:aws:states:us-east-1:111111111111:stateMachine:delete-eks"
	updateEKSSM    = "arn:aws:states:us-east-1:111111111111:stateMachine:update-eks-nodegroups"
	testDelay      = 15 * time.Minute
)

var acmeTenantAdmin = claims("acme", "web", "tenant-admin")

type started struct {
	stateMachine, name string
	input              map[string]any
}

// fakeExecutions records starts and stops as Step Functions would see them.
type fakeExecutions struct {
	mu      sync.Mutex
	starts  []started
	stops   []string
	failing bool
}

func (f *fakeExecutions) Start(_ context.Context, sm, name string, input any) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return "", errBoom
	}
	b, _ := json.Marshal(input)
	var in map[string]any
	_ = json.Unmarshal(b, &in)
	f.starts = append(f.starts, started{sm, name, in})
	return api.ExecutionARN(sm, name), nil
}

func (f *fakeExecutions) Stop(_ context.Context, arn, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if arn != "" {
		f.stops = append(f.stops, arn)
	}
	return nil
}

type schedule struct {
	at    time.Time
	input map[string]any
}

type fakeSchedules struct {
	mu      sync.Mutex
	created map[string]schedule
	deleted []string
}

func (f *fakeSchedules) CreateOneTime(_ context.Context, name string, at time.Time, input any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := json.Marshal(input)
	var in map[string]any
	_ = json.Unmarshal(b, &in)
	f.created[name] = schedule{at, in}
	return nil
}

func (f *fakeSchedules) Delete(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, name)
	return nil
}

type fakeScanner struct {
	leftovers []cloud.Leftover
	access    cloud.Access
	ledger    []domain.Resource
	err       error
}

func (f *fakeScanner) Scan(_ context.Context, access cloud.Access, _ *domain.Cluster, ledger []domain.Resource) ([]cloud.Leftover, error) {
	f.access, f.ledger = access, ledger
	return f.leftovers, f.err
}

type fakeQuotas struct{ headroom []cloud.QuotaHeadroom }

func (f fakeQuotas) CheckQuotas(_ context.Context, _ cloud.Access, region string, azs []string) ([]cloud.QuotaHeadroom, error) {
	return f.headroom, nil
}

// clusterHarness is the API harness with fake workflows and a clock.
type clusterHarness struct {
	*harness
	exec      *fakeExecutions
	schedules *fakeSchedules
	scanner   *fakeScanner
	clock     time.Time
	accountID string
	profileID string
}

func newClusterHarness(t *testing.T) *clusterHarness {
	t.Helper()
	ch := &clusterHarness{
		harness: newHarness(t), exec: &fakeExecutions{}, schedules: &fakeSchedules{created: map[string]schedule{}},
		scanner: &fakeScanner{}, clock: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	ch.handler = api.New(api.Deps{
		Store: ch.env.Store, Secrets: ch.env.Secrets, Logger: api.NewLogger(ch.logs, "debug"),
		Now:                      func() time.Time { return ch.clock },
		ProvisionStateMachineARN: provisionSM, DeleteStateMachineARN: deleteSM, ForceDeleteDelay: testDelay,
		ProvisionEKSStateMachineARN: provisionEKSSM, DeleteEKSStateMachineARN: deleteEKSSM, UpdateEKSNodeGroupsStateMachineARN: updateEKSSM,
		Executions: ch.exec, Schedules: ch.schedules, Scanner: ch.scanner,
		Quotas: fakeQuotas{headroom: []cloud.QuotaHeadroom{
			{Name: "Elastic IP addresses", Scope: "eu-west-1", Limit: 5, Used: 4, Available: 1},
			{Name: "VPCs per Region", Code: cloud.QuotaVPCsPerRegion, Scope: "eu-west-1", Limit: 5, Used: 1, Available: 4},
			{Name: "NAT gateways per Availability Zone", Code: cloud.QuotaNATGatewaysPerAZ, Scope: "eu-west-1a", Limit: 5, Available: 5},
			{Name: "Running On-Demand Standard instances (vCPUs)", Code: cloud.QuotaOnDemandStandardCPU, Scope: "eu-west-1", Limit: 32, Used: 24, Available: 8},
		}},
	})
	ch.accountID = ch.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("prod"), claims: acmeAdmin}).json["id"].(string)
	ch.profileID = ch.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeAdmin}).json["id"].(string)
	return ch
}

// exampleCluster is DESIGN §3's example with this harness's account and profile.
func (ch *clusterHarness) exampleCluster() domain.ClusterSpec {
	enabled := true
	return domain.ClusterSpec{
		Name: "prod-eu", Description: "payments", Tags: map[string]string{"team": "pay"},
		ProfileID: ch.profileID, PackOverrides: map[string]string{"kubernetes": "podCIDR: 192.168.0.0/16"},
		CloudAccountID: ch.accountID, Region: "eu-west-1", SSHKeyName: "ops",
		Placement: domain.Placement{Type: "dynamic", VPCCIDR: "10.0.0.0/16",
			AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, NATGateways: "perAz"},
		APIServer: domain.APIServer{Scheme: "internet-facing", AllowedCIDRs: []string{"0.0.0.0/0"}},
		Bastion:   domain.Bastion{Enabled: &enabled, InstanceType: "t3.micro", AllowedCIDRs: []string{"203.0.113.0/24"}},
		NodePools: []domain.NodePoolSpec{
			{Name: "control-plane", ControlPlane: true, Size: 3, InstanceType: "m5.large"},
			{Name: "general", Size: 3, InstanceType: "m5.large", AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"},
				Labels: map[string]string{"tier": "web"}, Taints: []domain.Taint{{Key: "dedicated", Value: "web", Effect: "NoSchedule"}},
				RollingUpdate: "expandFirst", Capacity: domain.Capacity{Type: "onDemand"}},
			{Name: "gpu", Size: 1, InstanceType: "g4dn.xlarge", Capacity: domain.Capacity{Type: "spot", SpotMaxPricePercent: 60}},
		},
	}
}

func (ch *clusterHarness) body(mutate func(*domain.ClusterSpec)) string {
	s := ch.exampleCluster()
	if mutate != nil {
		mutate(&s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		ch.t.Fatal(err)
	}
	return string(b)
}

// create creates the example cluster (optionally changed) and returns it.
func (ch *clusterHarness) create(mutate func(*domain.ClusterSpec)) result {
	ch.t.Helper()
	return ch.must(202, call{method: "POST", path: "/v1/clusters", body: ch.body(mutate), claims: acmeEditor})
}

func (ch *clusterHarness) clusterCall(method, id, suffix string, who map[string]string) call {
	return call{method: method, path: "/v1/clusters/" + id + suffix, claims: who}
}

// update changes a stored cluster the way a workflow Lambda would.
func (ch *clusterHarness) update(id string, mutate func(*domain.Cluster)) {
	ch.t.Helper()
	_, err := ch.env.Store.UpdateCluster(context.Background(), domain.Scope{Tenant: "acme", Project: "web"}, id,
		func(c *domain.Cluster) error { mutate(c); return nil })
	if err != nil {
		ch.t.Fatal(err)
	}
}
