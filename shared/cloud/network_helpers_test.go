package cloud

import (
	"cmp"
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	localec2 "github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/ec2/catalog"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

const (
	netRegion    = "eu-west-1"
	netClusterID = "clu-01jd8k3m4n5p6q7r8s9t0v1w2x"
)

var netAZs = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

// netSpecJSON is a 3-AZ dynamic cluster, DESIGN §3's example trimmed.
const netSpecJSON = `{
  "name": "prod-eu", "tags": {"team": "pay"},
  "profileId": "prf-01jd8k3m4n5p6q7r8s9t0v1w2x", "cloudAccountId": "acc-01jd8k3m4n5p6q7r8s9t0v1w2x",
  "region": "eu-west-1", "sshKeyName": "ops",
  "placement": {"type": "dynamic", "vpcCidr": "10.0.0.0/16",
                "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"], "natGateways": "perAz"},
  "apiServer": {"scheme": "internet-facing", "allowedCidrs": ["0.0.0.0/0"]},
  "bastion": {"enabled": true, "instanceType": "t3.micro", "allowedCidrs": ["203.0.113.0/24"]},
  "nodePools": [
    {"name": "control-plane", "controlPlane": true, "size": 3, "instanceType": "m5.large"},
    {"name": "general", "size": 3, "instanceType": "m5.large"}
  ]
}`

// netLedger is an in-memory Ledger, upserting by key (or id) like the store.
type netLedger struct {
	mu      sync.Mutex
	entries map[string]domain.Resource
}

func (l *netLedger) Record(_ context.Context, r domain.Resource) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[cmp.Or(r.Key, r.ID)] = r
	return nil
}

func (l *netLedger) Resources(context.Context) ([]domain.Resource, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]domain.Resource, 0, len(l.entries))
	for _, k := range sortedKeys(l.entries) {
		out = append(out, l.entries[k])
	}
	return out, nil
}

// drop forgets an entry: the task crashed between AWS's answer and the record.
func (l *netLedger) drop(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *netLedger) get(key string) (domain.Resource, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.entries[key]
	return r, ok
}

type netEnv struct {
	t      *testing.T
	ctx    context.Context
	emu    *localec2.Service
	client *ec2.Client
	ledger *netLedger
	scope  *ClusterScope
	svc    *NetworkService
}

// newNetEnv serves a fresh account's EC2 in-process (NAT gateways become
// available after 90 ms) and plans the cluster.
func newNetEnv(t *testing.T, mutate func(*domain.ClusterSpec)) *netEnv {
	t.Helper()
	emu := localec2.New(localec2.Config{AccountID: "222222222222", Latency: latency.New(0.001), Catalog: catalog.New()})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	client := ec2.New(ec2.Options{
		Region: netRegion, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 3, // like a Session: a reset connection is retried
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", ""),
	})
	e := &netEnv{t: t, ctx: context.Background(), emu: emu, client: client, ledger: &netLedger{entries: map[string]domain.Resource{}}}
	e.replan(mutate)
	return e
}

// replan plans the spec (mutated) and rebuilds the scope and service.
func (e *netEnv) replan(mutate func(*domain.ClusterSpec)) {
	e.t.Helper()
	var spec domain.ClusterSpec
	if err := domain.DecodeStrict([]byte(netSpecJSON), &spec); err != nil {
		e.t.Fatalf("decode spec: %v", err)
	}
	if mutate != nil {
		mutate(&spec)
	}
	plan, err := domain.PlanCluster(spec, pricing.Default())
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	plan = withoutUnsupportedProtocols(e.t, plan)
	e.scope = &ClusterScope{ClusterID: netClusterID, ClusterName: spec.Name, Region: netRegion, Generation: 1,
		UserTags: spec.Tags, Plan: plan, Ledger: e.ledger}
	e.svc = NewNetworkService(e.client, e.scope)
}

var (
	protocolProbe    sync.Once
	protocolNumbered bool
)

// withoutUnsupportedProtocols drops the plan's rules for IP protocols the
// local EC2 does not know yet. AWS takes any protocol number (the plan's
// CNI rule uses 4, IP-in-IP); the emulator knew only tcp, udp and icmp when
// this was written. The probe runs against a scratch account, so the rules
// come back by themselves once the emulator accepts them.
func withoutUnsupportedProtocols(t *testing.T, plan domain.Plan) domain.Plan {
	protocolProbe.Do(func() { protocolNumbered = emulatorAcceptsProtocol(t, "4") })
	if protocolNumbered {
		return plan
	}
	t.Log("local EC2 rejects IP protocol 4: testing without the CNI IP-in-IP rules")
	out := plan
	out.Resources = slices.Clone(plan.Resources)
	for i, r := range out.Resources {
		out.Resources[i].Rules = slices.DeleteFunc(slices.Clone(r.Rules), func(rule domain.SecurityGroupRule) bool { return rule.Protocol == "4" })
	}
	return out
}

func emulatorAcceptsProtocol(t *testing.T, proto string) bool {
	emu := localec2.New(localec2.Config{AccountID: "333333333333", Latency: latency.New(0.001), Catalog: catalog.New()})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	c := ec2.New(ec2.Options{Region: netRegion, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 3, // like a Session: a reset connection is retried
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", "")})
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("probe"), Description: aws.String("probe"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String(proto), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}})
	return err == nil
}

func (e *netEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
}

// reconcileAll runs the provisioning steps in the state machine's order.
func (e *netEnv) reconcileAll() NetworkIDs {
	e.t.Helper()
	_, err := e.svc.ReconcileVPC(e.ctx)
	e.must(err)
	for _, az := range netAZs {
		e.must(e.svc.ReconcileSubnets(e.ctx, az))
	}
	e.must(e.svc.ReconcileInternetGateway(e.ctx))
	for _, az := range netAZs {
		e.must(e.svc.ReconcileNATGateway(e.ctx, az))
	}
	e.waitNATsReady()
	for _, az := range netAZs {
		e.must(e.svc.ReconcilePrivateRoutes(e.ctx, az))
	}
	e.must(e.svc.ReconcileSecurityGroups(e.ctx))
	ids, err := e.svc.Lookup(e.ctx)
	e.must(err)
	return ids
}

// deleteAll runs the deletion steps in the state machine's order.
func (e *netEnv) deleteAll() {
	e.t.Helper()
	e.must(e.svc.DeleteNetworkInterfaces(e.ctx))
	e.must(e.svc.DeleteSecurityGroups(e.ctx))
	e.must(e.svc.DeleteNATGateways(e.ctx))
	e.waitFor("NAT gateways deleted", e.svc.NATGatewaysDeleted)
	e.must(e.svc.ReleaseAddresses(e.ctx))
	e.must(e.svc.DeleteRouteTables(e.ctx))
	e.must(e.svc.DeleteInternetGateway(e.ctx))
	e.must(e.svc.DeleteSubnets(e.ctx))
	e.must(e.svc.DeleteVPC(e.ctx))
}

func (e *netEnv) waitNATsReady() Progress {
	e.t.Helper()
	return e.waitFor("NAT gateways available", e.svc.NATGatewaysReady)
}

// waitFor polls a progress check like the state machine's Wait loop.
func (e *netEnv) waitFor(what string, check func(context.Context) (Progress, error)) Progress {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, err := check(e.ctx)
		e.must(err)
		if p.Ready {
			return p
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s: %+v", what, p)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// inventory is the emulated account's resources in the test region.
func (e *netEnv) inventory() []localec2.Resource {
	return slices.DeleteFunc(e.emu.Inventory(), func(r localec2.Resource) bool { return r.Region != netRegion })
}

// counts is the inventory's number of resources per EC2 type.
func (e *netEnv) counts() map[string]int {
	out := map[string]int{}
	for _, r := range e.inventory() {
		out[r.Type]++
	}
	return out
}

func (e *netEnv) inventoryIDs() []string {
	var out []string
	for _, r := range e.inventory() {
		out = append(out, r.ID+"="+r.State)
	}
	slices.Sort(out)
	return out
}

func (e *netEnv) find(id string) (localec2.Resource, bool) {
	for _, r := range e.inventory() {
		if r.ID == id {
			return r, true
		}
	}
	return localec2.Resource{}, false
}

// ledgerState is the ledger's state of every entry of one type, by key.
func (e *netEnv) ledgerStates(t domain.ResourceType) map[string]string {
	out := map[string]string{}
	all, _ := e.ledger.Resources(e.ctx)
	for _, r := range all {
		if r.Type == string(t) {
			out[cmp.Or(r.Key, r.ID)] = r.State
		}
	}
	return out
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
