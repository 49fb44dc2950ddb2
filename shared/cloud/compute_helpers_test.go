package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	localec2 "github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/ec2/catalog"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

const computeRegion = "us-east-1"

var computeAZs = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// memoryLedger is a ledger in memory; failRecords makes the next n Record
// calls fail, as if the task died right after AWS answered.
type memoryLedger struct {
	mu          sync.Mutex
	items       []domain.Resource
	failRecords int
}

func (l *memoryLedger) Record(_ context.Context, r domain.Resource) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failRecords > 0 {
		l.failRecords--
		return errors.New("ledger unavailable")
	}
	i := slices.IndexFunc(l.items, func(x domain.Resource) bool {
		return (r.Key != "" && x.Key == r.Key) || (r.Key == "" && x.ID == r.ID)
	})
	if i >= 0 {
		l.items[i] = r
	} else {
		l.items = append(l.items, r)
	}
	return nil
}

func (l *memoryLedger) Resources(context.Context) ([]domain.Resource, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.items), nil
}

func (l *memoryLedger) ofType(t domain.ResourceType) []domain.Resource {
	all, _ := l.Resources(context.Background())
	return slices.DeleteFunc(all, func(r domain.Resource) bool { return r.Type != string(t) })
}

// computeEnv is one emulated account with a three-AZ network built
// directly with the SDK (public and private subnet per AZ, the four
// security groups, a key pair).
type computeEnv struct {
	t       *testing.T
	ctx     context.Context
	cat     *catalog.Catalog
	ec2     *ec2.Client
	net     NetworkIDs
	ledger  *memoryLedger
	scope   *ClusterScope
	mu      sync.Mutex
	runs    []url.Values            // RunInstances forms, in order
	failRun func(url.Values) string // error code to answer a RunInstances with, or ""
}

func newComputeEnv(t *testing.T, scale float64) *computeEnv {
	t.Helper()
	e := &computeEnv{t: t, ctx: context.Background(), cat: catalog.New(), ledger: &memoryLedger{}}
	svc := localec2.New(localec2.Config{AccountID: "222222222222", Latency: latency.New(scale), Catalog: e.cat})
	srv := httptest.NewServer(e.intercept(svc))
	t.Cleanup(srv.Close)
	e.ec2 = ec2.New(ec2.Options{
		Region: computeRegion, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", ""),
	})
	e.net = e.buildNetwork()
	e.scope = &ClusterScope{ClusterID: "clu-" + t.Name(), ClusterName: "prod", Region: computeRegion, Generation: 1,
		UserTags: map[string]string{"team": "pay"}, Ledger: e.ledger,
		Plan: domain.Plan{ClusterName: "prod", Region: computeRegion, Placement: domain.PlacementDynamic}}
	return e
}

// intercept records RunInstances requests and can fail them, as EC2 does
// for a zone without capacity.
func (e *computeEnv) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "RunInstances" {
			e.mu.Lock()
			e.runs = append(e.runs, form)
			fail := e.failRun
			e.mu.Unlock()
			if code := ""; fail != nil {
				if code = fail(form); code != "" {
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, ec2Error(code, "We currently do not have sufficient capacity in the Availability Zone you requested."))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (e *computeEnv) runForms() []url.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.runs)
}

// mustDo fails the test on err: mustDo(client.Call(...))(t).
func mustDo[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func (e *computeEnv) buildNetwork() NetworkIDs {
	t, ctx := e.t, e.ctx
	net := NetworkIDs{PublicSubnets: map[string]string{}, PrivateSubnets: map[string]string{}, SecurityGroups: map[string]string{}}
	vpc := mustDo(e.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}))(t).Vpc
	net.VPCID = aws.ToString(vpc.VpcId)
	for i, az := range computeAZs {
		pub := mustDo(e.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", i))}))(t).Subnet
		mustDo(e.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: pub.SubnetId,
			MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}))(t)
		priv := mustDo(e.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", 10+i))}))(t).Subnet
		net.PublicSubnets[az], net.PrivateSubnets[az] = aws.ToString(pub.SubnetId), aws.ToString(priv.SubnetId)
	}
	for _, role := range []string{domain.RoleBastion, domain.RoleAPIServerLB, domain.RoleControlPlane, domain.RoleNode} {
		sg := mustDo(e.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.VpcId,
			GroupName: aws.String("prod-" + role), Description: aws.String(role)}))(t)
		net.SecurityGroups[role] = aws.ToString(sg.GroupId)
	}
	mustDo(e.ec2.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("ops")}))(t)
	return net
}

// service is a ComputeService on the emulator with the static on-demand prices.
func (e *computeEnv) service() *ComputeService {
	return NewComputeService(e.ec2, e.scope, pricing.Default(), WithSSHKeyName("ops"))
}

// plan adds a pool's instances (and with bastion, the bastion) to the plan
// the way domain.PlanCluster does.
func (e *computeEnv) plan(pool domain.NodePoolSpec) {
	role := domain.RoleWorker
	if pool.ControlPlane {
		role = domain.RoleControlPlane
	}
	for i := range pool.Size {
		az := pool.AZs[i%len(pool.AZs)]
		e.scope.Plan.Resources = append(e.scope.Plan.Resources, domain.PlannedResource{
			Key: domain.InstanceKey(pool.Name, i), Type: domain.ResInstance, Role: role, AZ: az, Pool: pool.Name,
			Subnets: []string{domain.SubnetKey(domain.RolePrivate, az)}, InstanceType: pool.InstanceType, RootVolumeGiB: pool.RootVolumeGiB,
		})
	}
}

func (e *computeEnv) planBastion() {
	e.scope.Plan.Resources = append(e.scope.Plan.Resources, domain.PlannedResource{
		Key: domain.KeyBastion, Type: domain.ResInstance, Role: domain.RoleBastion, AZ: computeAZs[0],
		Subnets: []string{domain.SubnetKey(domain.RolePublic, computeAZs[0])}, InstanceType: "t3.micro", RootVolumeGiB: domain.BastionRootVolumeGiB,
	})
}

// instances lists the cluster's instances by tag (filters added), every state.
func (e *computeEnv) instances(filters ...ec2types.Filter) []ec2types.Instance {
	e.t.Helper()
	filters = append(filters, computeFilter("tag:"+domain.TagClusterID, e.scope.ClusterID))
	return mustDo(listInstances(e.ctx, e.ec2, filters))(e.t)
}

func (e *computeEnv) live(filters ...ec2types.Filter) []ec2types.Instance {
	return slices.DeleteFunc(e.instances(filters...), func(i ec2types.Instance) bool { return !instanceAlive(i) })
}

func perAZ(instances []ec2types.Instance) map[string]int {
	out := map[string]int{}
	for _, inst := range instances {
		out[aws.ToString(inst.Placement.AvailabilityZone)]++
	}
	return out
}

func workerPool(name string, size int) domain.NodePoolSpec {
	return domain.NodePoolSpec{Name: name, Size: size, InstanceType: "m5.large", AZs: computeAZs, RootVolumeGiB: 50,
		Capacity: domain.Capacity{Type: domain.CapacityOnDemand}}
}

func spotPool(name string, size, percent int) domain.NodePoolSpec {
	p := workerPool(name, size)
	p.Capacity = domain.Capacity{Type: domain.CapacitySpot, SpotMaxPricePercent: percent}
	return p
}
