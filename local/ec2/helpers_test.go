package ec2

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/latency"
)

const (
	testRegion  = "us-east-1"
	testAccount = "222222222222"
	testAMI     = "ami-0123456789abcdef0"
)

// fakeCatalog offers two zones; m5.large is not offered in us-east-1b.
type fakeCatalog struct{ spotPrice float64 }

func (fakeCatalog) ServeAction(http.ResponseWriter, awsproto.Call, url.Values) bool { return false }
func (fakeCatalog) AZs(region string) []string {
	return []string{region + "a", region + "b"}
}
func (fakeCatalog) ZoneID(region, az string) string { return "use1-az" + az[len(az)-1:] }
func (fakeCatalog) ImageExists(_, id string) bool   { return id == testAMI }
func (fakeCatalog) InstanceTypeVCPUs(t string) (int, bool) {
	n, ok := map[string]int{"t3.medium": 2, "m5.large": 2, "m5.xlarge": 4}[t]
	return n, ok
}
func (fakeCatalog) Offered(_, az, t string) bool { return !(t == "m5.large" && az == "us-east-1b") }
func (c fakeCatalog) SpotPrice(string, string, string, time.Time) float64 {
	return c.spotPrice
}

type env struct {
	t   *testing.T
	svc *Service
	srv *httptest.Server
	ec2 *awsec2.Client
	ctx context.Context
}

// newEnv serves a fresh account; scale is wall seconds per AWS second.
func newEnv(t *testing.T, scale float64) *env {
	t.Helper()
	svc := New(Config{AccountID: testAccount, Latency: latency.New(scale), Catalog: fakeCatalog{spotPrice: 0.05}})
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	client := awsec2.New(awsec2.Options{
		Region: testRegion, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", ""),
	})
	return &env{t: t, svc: svc, srv: srv, ec2: client, ctx: context.Background()}
}

// must fails the test on err: must(client.Call(...))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantCode asserts that err is the AWS error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func tagSpec(resourceType types.ResourceType, kv ...string) []types.TagSpecification {
	var tags []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: resourceType, Tags: tags}}
}

// network builds a VPC with an attached IGW, a public (map-public) subnet in
// zone a and a private subnet in zone b.
type network struct {
	vpcID, igwID, publicSubnet, privateSubnet string
}

func (e *env) network(cidr string) network {
	t := e.t
	t.Helper()
	vpc := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String(cidr + ".0.0/16")}))(t).Vpc
	igw := must(e.ec2.CreateInternetGateway(e.ctx, &awsec2.CreateInternetGatewayInput{}))(t).InternetGateway
	must(e.ec2.AttachInternetGateway(e.ctx, &awsec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId}))(t)
	pub := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String(cidr + ".0.0/24"), AvailabilityZone: aws.String("us-east-1a")}))(t).Subnet
	must(e.ec2.ModifySubnetAttribute(e.ctx, &awsec2.ModifySubnetAttributeInput{SubnetId: pub.SubnetId, MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))(t)
	priv := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String(cidr + ".1.0/24"), AvailabilityZone: aws.String("us-east-1b")}))(t).Subnet
	return network{*vpc.VpcId, *igw.InternetGatewayId, *pub.SubnetId, *priv.SubnetId}
}

// eventually polls until cond holds, failing after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tagValue(tags []types.Tag, key string) string {
	i := slices.IndexFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == key })
	if i < 0 {
		return ""
	}
	return aws.ToString(tags[i].Value)
}

// newQuotaServer serves the Service Quotas API of svc.
func newQuotaServer(t *testing.T, svc *Service) string {
	srv := httptest.NewServer(http.HandlerFunc(svc.ServeServiceQuotas))
	t.Cleanup(srv.Close)
	return srv.URL
}
