package eks_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/clusterforge/clusterforge/local/latency"
)

// A cluster is CREATING for AWS's nine minutes (scaled), then ACTIVE with
// its endpoint; meanwhile EKS's security group and control-plane ENIs sit
// in the VPC and block deleting its subnets until the deletion completes.
func TestClusterLifecycleAndItsNetwork(t *testing.T) {
	e := newEnv(t, 0.001)
	start := time.Now()
	cl := e.createCluster("web", map[string]string{"team": "a"})
	if cl.Status != ekstypes.ClusterStatusCreating || aws.ToString(cl.Endpoint) != "" {
		t.Fatalf("new cluster: status %s endpoint %q, want CREATING without endpoint", cl.Status, aws.ToString(cl.Endpoint))
	}
	vpc := cl.ResourcesVpcConfig
	if aws.ToString(vpc.VpcId) != e.net.vpcID || !vpc.EndpointPublicAccess || !vpc.EndpointPrivateAccess ||
		!slices.Equal(vpc.PublicAccessCidrs, []string{"203.0.113.0/24"}) || len(vpc.SubnetIds) != 4 {
		t.Fatalf("resourcesVpcConfig = %+v", vpc)
	}
	if cl.Tags["team"] != "a" || aws.ToString(cl.Arn) != "arn:aws:eks:us-east-1:222222222222:cluster/web" {
		t.Fatalf("tags %v arn %s", cl.Tags, aws.ToString(cl.Arn))
	}

	sgID := aws.ToString(vpc.ClusterSecurityGroupId)
	sgs := must(e.ec2.DescribeSecurityGroups(e.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sgID}}))(t).SecurityGroups
	if len(sgs) != 1 || !regexp.MustCompile(`^eks-cluster-sg-web-\d{10}$`).MatchString(aws.ToString(sgs[0].GroupName)) ||
		aws.ToString(sgs[0].VpcId) != e.net.vpcID || tagOf(sgs[0].Tags, "aws:eks:cluster-name") != "web" ||
		tagOf(sgs[0].Tags, "kubernetes.io/cluster/web") != "owned" {
		t.Fatalf("cluster security group %s: %+v", sgID, sgs)
	}
	enis := e.controlPlaneENIs("web")
	zones := map[string]bool{}
	for _, n := range enis {
		zones[aws.ToString(n.AvailabilityZone)] = true
		if !slices.ContainsFunc(n.Groups, func(g ec2types.GroupIdentifier) bool { return aws.ToString(g.GroupId) == sgID }) {
			t.Errorf("ENI %s lacks the cluster security group", aws.ToString(n.NetworkInterfaceId))
		}
	}
	if len(enis) != 2 || len(zones) != 2 {
		t.Fatalf("control-plane ENIs %d in zones %v, want 2 in 2 zones", len(enis), zones)
	}
	_, err := e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: enis[0].SubnetId})
	wantCode(t, err, "DependencyViolation")

	active := e.waitCluster("web", ekstypes.ClusterStatusActive)
	if took, want := time.Since(start), e.latency.Wall(latency.EKSClusterActive); took < want {
		t.Fatalf("ACTIVE after %v, before the modelled %v", took, want)
	}
	if aws.ToString(active.Endpoint) == "" || active.CertificateAuthority == nil || active.Identity == nil {
		t.Fatalf("ACTIVE cluster lacks endpoint, CA or OIDC issuer: %+v", active)
	}
	list := must(e.eks.ListClusters(e.ctx, &awseks.ListClustersInput{}))(t)
	if !slices.Equal(list.Clusters, []string{"web"}) {
		t.Fatalf("ListClusters = %v", list.Clusters)
	}

	del := must(e.eks.DeleteCluster(e.ctx, &awseks.DeleteClusterInput{Name: aws.String("web")}))(t)
	if del.Cluster.Status != ekstypes.ClusterStatusDeleting {
		t.Fatalf("DeleteCluster status %s, want DELETING", del.Cluster.Status)
	}
	eventually(t, "cluster gone", func() bool {
		_, err := e.eks.DescribeCluster(e.ctx, &awseks.DescribeClusterInput{Name: aws.String("web")})
		return err != nil
	})
	_, err = e.eks.DescribeCluster(e.ctx, &awseks.DescribeClusterInput{Name: aws.String("web")})
	wantCode(t, err, "ResourceNotFoundException")
	if left := e.controlPlaneENIs("web"); len(left) != 0 {
		t.Fatalf("%d control-plane ENIs left after the cluster is gone", len(left))
	}
	_, err = e.ec2.DescribeSecurityGroups(e.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sgID}})
	wantCode(t, err, "InvalidGroup.NotFound")
	must(e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: enis[0].SubnetId}))(t)
}

func (e *env) controlPlaneENIs(cluster string) []ec2types.NetworkInterface {
	e.t.Helper()
	return must(e.ec2.DescribeNetworkInterfaces(e.ctx, &awsec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{
		{Name: aws.String("description"), Values: []string{"Amazon EKS " + cluster}}}}))(e.t).NetworkInterfaces
}

func tagOf(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func TestCreateClusterRefusesWhatAWSRefuses(t *testing.T) {
	e := newEnv(t, 0.001)
	create := func(name, version, role string, subnets []string) error {
		_, err := e.eks.CreateCluster(e.ctx, &awseks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role),
			Version: aws.String(version), ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets}})
		return err
	}
	cases := []struct {
		name, version, role string
		subnets             []string
	}{
		{"one-zone", "1.33", clusterRole, []string{e.net.public[0], e.net.private[0]}},
		{"unknown-subnet", "1.33", clusterRole, []string{e.net.public[0], "subnet-0123456789abcdef0"}},
		{"old-version", "1.29", clusterRole, e.net.private},
		{"node-role", "1.33", nodeRole, e.net.private},
		{"missing-role", "1.33", "arn:aws:iam::" + accountID + ":role/absent", e.net.private},
		{"bad-arn", "1.33", "cluster", e.net.private},
		{"bad name!", "1.33", clusterRole, e.net.private},
	}
	for _, c := range cases {
		wantCode(t, create(c.name, c.version, c.role, c.subnets), "InvalidParameterException")
	}
	other := must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")}))(t).Vpc
	foreign := must(e.ec2.CreateSubnet(e.ctx, &awsec2.CreateSubnetInput{VpcId: other.VpcId, CidrBlock: aws.String("10.1.0.0/24"),
		AvailabilityZone: aws.String("us-east-1b")}))(t).Subnet
	wantCode(t, create("two-vpcs", "1.33", clusterRole, []string{e.net.public[0], aws.ToString(foreign.SubnetId)}), "InvalidParameterException")
	if list := must(e.eks.ListClusters(e.ctx, &awseks.ListClustersInput{}))(t); len(list.Clusters) != 0 {
		t.Fatalf("refused creates left clusters %v", list.Clusters)
	}
	if n := len(must(e.ec2.DescribeNetworkInterfaces(e.ctx, &awsec2.DescribeNetworkInterfacesInput{}))(t).NetworkInterfaces); n != 0 {
		t.Fatalf("refused creates left %d ENIs", n)
	}

	// The same client request token answers the same cluster; another
	// create of the name is refused.
	in := &awseks.CreateClusterInput{Name: aws.String("api"), RoleArn: aws.String(clusterRole), ClientRequestToken: aws.String("tok-1"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: e.net.private}}
	first := must(e.eks.CreateCluster(e.ctx, in))(t).Cluster
	again := must(e.eks.CreateCluster(e.ctx, in))(t).Cluster
	if aws.ToString(first.ResourcesVpcConfig.ClusterSecurityGroupId) != aws.ToString(again.ResourcesVpcConfig.ClusterSecurityGroupId) ||
		aws.ToString(again.Version) != "1.33" {
		t.Fatalf("a retried create made another cluster: %+v vs %+v", first.ResourcesVpcConfig, again.ResourcesVpcConfig)
	}
	in.ClientRequestToken = aws.String("tok-2")
	_, err := e.eks.CreateCluster(e.ctx, in)
	wantCode(t, err, "ResourceInUseException")
	if n := len(e.controlPlaneENIs("api")); n != 2 {
		t.Fatalf("%d control-plane ENIs after a retried create, want 2", n)
	}
}

func TestTagsOnClusterARN(t *testing.T) {
	e := newEnv(t, 0.001)
	arn := aws.ToString(e.createCluster("tagged", map[string]string{"a": "1", "b": "2"}).Arn)
	must(e.eks.TagResource(e.ctx, &awseks.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"c": "3"}}))(t)
	must(e.eks.UntagResource(e.ctx, &awseks.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}))(t)
	got := must(e.eks.ListTagsForResource(e.ctx, &awseks.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))(t).Tags
	if len(got) != 2 || got["b"] != "2" || got["c"] != "3" {
		t.Fatalf("tags = %v, want b=2 c=3", got)
	}
	_, err := e.eks.ListTagsForResource(e.ctx, &awseks.ListTagsForResourceInput{ResourceArn: aws.String(arn + "x")})
	wantCode(t, err, "NotFoundException")
}
