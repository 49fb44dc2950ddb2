package router_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/ec2/catalog"
	"github.com/clusterforge/clusterforge/local/eks"
	"github.com/clusterforge/clusterforge/local/iammirror"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/local/router"
)

// EKS calls reach the signer's account's local/eks (not kumo), after SigV4
// verification, and see that account's id in every ARN and that account's
// IAM roles and subnets.
func TestEKSServedPerAccountByTheEmulator(t *testing.T) {
	reg := accounts.NewRegistry()
	platform, _ := reg.Add(accounts.Account{ID: platformID, Name: "platform", KumoURL: platformKumoURL})
	customer, _ := reg.Add(accounts.Account{ID: customerID, Name: "customer", KumoURL: customerKumoURL})
	lat, cat, mirror := latency.New(1), catalog.New(), iammirror.New()
	ec2s, ekss := map[string]*ec2.Service{}, map[string]*eks.Service{}
	for _, id := range []string{platformID, customerID} {
		ec2s[id] = ec2.New(ec2.Config{AccountID: id, Latency: lat, Catalog: cat})
		ekss[id] = eks.New(eks.Config{AccountID: id, Latency: lat, Network: ec2s[id],
			Roles: func(account, name string) (string, bool) {
				r, ok := mirror.Role(account, name)
				return r.TrustPolicy, ok
			}})
	}
	rt := router.New(router.Config{Accounts: reg, IAM: mirror,
		EC2: func(id string) http.Handler { return ec2s[id] },
		EKS: func(id string) http.Handler { return ekss[id] }})
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	cfg := func(a accounts.Account, secret string) aws.Config {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(a.AdminKey, secret, "")}
	}
	ctx := context.Background()
	c := cfg(customer, customer.AdminSecret)

	// The customer's role (through the router's IAM, so the mirror knows
	// it) and two subnets in two zones of its EC2.
	role := uniqueName(t, "eks")
	out, err := iam.NewFromConfig(c).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	roleARN := aws.ToString(out.Role.Arn)
	ec2c := awsec2.NewFromConfig(c)
	vpc, err := ec2c.CreateVpc(ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sn, err := ec2c.CreateSubnet(ctx, &awsec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String([]string{"10.0.0.0/24", "10.0.1.0/24"}[i])})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(sn.Subnet.SubnetId))
	}

	client := awseks.NewFromConfig(c)
	cl, err := client.CreateCluster(ctx, &awseks.CreateClusterInput{Name: aws.String("routed"), RoleArn: aws.String(roleARN),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets}})
	if err != nil {
		t.Fatalf("CreateCluster through the router: %v", err)
	}
	if arn := aws.ToString(cl.Cluster.Arn); arn != "arn:aws:eks:us-east-1:"+customerID+":cluster/routed" {
		t.Fatalf("cluster ARN %s, want the customer's account", arn)
	}
	if aws.ToString(cl.Cluster.ResourcesVpcConfig.VpcId) != aws.ToString(vpc.Vpc.VpcId) || cl.Cluster.Status != ekstypes.ClusterStatusCreating {
		t.Fatalf("cluster: vpc %s status %s", aws.ToString(cl.Cluster.ResourcesVpcConfig.VpcId), cl.Cluster.Status)
	}
	tags, err := client.ListTagsForResource(ctx, &awseks.ListTagsForResourceInput{ResourceArn: cl.Cluster.Arn})
	if err != nil || tags.Tags == nil {
		t.Fatalf("ListTagsForResource with the real account's ARN: %v", err)
	}
	_, err = client.CreateCluster(ctx, &awseks.CreateClusterInput{Name: aws.String("norole"),
		RoleArn:            aws.String(strings.Replace(roleARN, role, role+"-absent", 1)),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets}})
	apiError(t, err, "InvalidParameterException")

	// The platform account has its own, empty EKS.
	list, err := awseks.NewFromConfig(cfg(platform, platform.AdminSecret)).ListClusters(ctx, &awseks.ListClustersInput{})
	if err != nil || len(list.Clusters) != 0 {
		t.Fatalf("platform ListClusters = %v, %v; want its own empty list", list, err)
	}
	// A wrong secret never reaches the emulator.
	_, err = awseks.NewFromConfig(cfg(customer, "wrong")).ListClusters(ctx, &awseks.ListClustersInput{})
	apiError(t, err, "InvalidSignatureException")
}
