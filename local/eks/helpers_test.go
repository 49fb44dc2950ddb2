package eks_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/ec2/catalog"
	"github.com/clusterforge/clusterforge/local/eks"
	"github.com/clusterforge/clusterforge/local/latency"
)

const (
	region    = "us-east-1"
	accountID = "222222222222"
)

var (
	clusterRole = "arn:aws:iam::" + accountID + ":role/cluster"
	nodeRole    = "arn:aws:iam::" + accountID + ":role/node"
	podRole     = "arn:aws:iam::" + accountID + ":role/fargate"
)

// trusts is the IAM the tests' EKS sees: three roles, each trusting its
// service principal.
var trusts = map[string]string{
	"cluster": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
	"node":    `{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`,
	"fargate": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"eks-fargate-pods.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
}

type env struct {
	t       *testing.T
	ctx     context.Context
	latency *latency.Model
	svc     *eks.Service
	ec2svc  *ec2.Service
	eks     *awseks.Client
	ec2     *awsec2.Client
	net     network
}

// network is a VPC with two public subnets (zones a, b; routed to an
// internet gateway) and two private ones (zones a, b; main route table).
type network struct {
	vpcID           string
	public, private []string
}

// newEnv serves one account's EC2 and EKS; scale is wall seconds per AWS
// second.
func newEnv(t *testing.T, scale float64) *env {
	t.Helper()
	lat := latency.New(scale)
	ec2svc := ec2.New(ec2.Config{AccountID: accountID, Latency: lat, Catalog: catalog.New()})
	eksSvc := eks.New(eks.Config{AccountID: accountID, Latency: lat, Network: ec2svc,
		Roles: func(account, name string) (string, bool) {
			doc, ok := trusts[name]
			return doc, ok && account == accountID
		}})
	ec2srv, eksSrv := httptest.NewServer(ec2svc), httptest.NewServer(eksSvc)
	t.Cleanup(ec2srv.Close)
	t.Cleanup(eksSrv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKIATEST", "secret", "")
	e := &env{t: t, ctx: context.Background(), latency: lat, svc: eksSvc, ec2svc: ec2svc,
		eks: awseks.New(awseks.Options{Region: region, BaseEndpoint: aws.String(eksSrv.URL), RetryMaxAttempts: 1, Credentials: creds}),
		ec2: awsec2.New(awsec2.Options{Region: region, BaseEndpoint: aws.String(ec2srv.URL), RetryMaxAttempts: 1, Credentials: creds}),
	}
	e.net = e.network()
	return e
}

func (e *env) network() network {
	t := e.t
	vpc := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}))(t).Vpc
	igw := must(e.ec2.CreateInternetGateway(e.ctx, &awsec2.CreateInternetGatewayInput{}))(t).InternetGateway
	must(e.ec2.AttachInternetGateway(e.ctx, &awsec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId}))(t)
	rt := must(e.ec2.CreateRouteTable(e.ctx, &awsec2.CreateRouteTableInput{VpcId: vpc.VpcId}))(t).RouteTable
	must(e.ec2.CreateRoute(e.ctx, &awsec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGatewayId}))(t)
	n := network{vpcID: aws.ToString(vpc.VpcId)}
	for i, az := range []string{"us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b"} {
		sn := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: vpc.VpcId,
			CidrBlock: aws.String("10.0." + string(rune('0'+i)) + ".0/24"), AvailabilityZone: aws.String(az)}))(t).Subnet
		if i < 2 {
			must(e.ec2.AssociateRouteTable(e.ctx, &awsec2.AssociateRouteTableInput{RouteTableId: rt.RouteTableId, SubnetId: sn.SubnetId}))(t)
			n.public = append(n.public, aws.ToString(sn.SubnetId))
		} else {
			n.private = append(n.private, aws.ToString(sn.SubnetId))
		}
	}
	return n
}

func (e *env) allSubnets() []string {
	return append(append([]string{}, e.net.public...), e.net.private...)
}

// createCluster creates a cluster on all four subnets.
func (e *env) createCluster(name string, tags map[string]string) *ekstypes.Cluster {
	e.t.Helper()
	out, err := e.eks.CreateCluster(e.ctx, &awseks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(clusterRole),
		Version: aws.String("1.33"), ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: e.allSubnets(),
			EndpointPrivateAccess: aws.Bool(true), PublicAccessCidrs: []string{"203.0.113.0/24"}}, Tags: tags})
	if err != nil {
		e.t.Fatalf("CreateCluster %s: %v", name, err)
	}
	return out.Cluster
}

// activeCluster creates a cluster and waits until it is ACTIVE.
func (e *env) activeCluster(name string) *ekstypes.Cluster {
	e.t.Helper()
	e.createCluster(name, nil)
	return e.waitCluster(name, ekstypes.ClusterStatusActive)
}

func (e *env) waitCluster(name string, want ekstypes.ClusterStatus) *ekstypes.Cluster {
	e.t.Helper()
	var cl *ekstypes.Cluster
	eventually(e.t, "cluster "+name+" "+string(want), func() bool {
		out, err := e.eks.DescribeCluster(e.ctx, &awseks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			e.t.Fatalf("DescribeCluster: %v", err)
		}
		cl = out.Cluster
		return cl.Status == want
	})
	return cl
}

func (e *env) waitNodegroup(cluster, name string, want ekstypes.NodegroupStatus) *ekstypes.Nodegroup {
	e.t.Helper()
	var ng *ekstypes.Nodegroup
	eventually(e.t, "node group "+name+" "+string(want), func() bool {
		out, err := e.eks.DescribeNodegroup(e.ctx, &awseks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
		if err != nil {
			e.t.Fatalf("DescribeNodegroup: %v", err)
		}
		ng = out.Nodegroup
		return ng.Status == want
	})
	return ng
}

// instances returns the running and pending instances carrying tag key=value.
func (e *env) instances(key, value string) []ec2types.Instance {
	e.t.Helper()
	out := must(e.ec2.DescribeInstances(e.ctx, &awsec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + key), Values: []string{value}},
		{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}},
	}}))(e.t)
	var all []ec2types.Instance
	for _, r := range out.Reservations {
		all = append(all, r.Instances...)
	}
	return all
}

func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

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

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
