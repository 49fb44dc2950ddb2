package workflow

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

// AWSServices builds the real cloud services over a session's clients.
type AWSServices struct{}

var _ ServiceFactory = AWSServices{}

func (AWSServices) Network(sess *cloud.Session, scope *cloud.ClusterScope) cloud.Network {
	return cloud.NewNetworkService(sess.EC2(), scope)
}

func (AWSServices) Compute(sess *cloud.Session, scope *cloud.ClusterScope, o ComputeOptions) cloud.Compute {
	return cloud.NewComputeService(sess.EC2(), scope, pricing.Default(),
		cloud.WithSSHKeyName(o.SSHKeyName), cloud.WithNodeImage(nodeImageQuery(o.KubernetesVersion)))
}

func (AWSServices) LoadBalancer(sess *cloud.Session, scope *cloud.ClusterScope) cloud.LoadBalancer {
	return cloud.NewLoadBalancerService(sess.ELBv2(), sess.EC2(), scope)
}

func (AWSServices) EKS(sess *cloud.Session, scope *cloud.ClusterScope, spec domain.ClusterSpec) cloud.EKS {
	return cloud.NewEKSService(sess.EKS(), sess.IAM(), sess.EC2(), scope, spec)
}

func (AWSServices) Checks(sess *cloud.Session) AccountChecks { return awsChecks{sess: sess} }

// nodeImageQuery is the node image for a Kubernetes version, the same for
// the preflight and the launch so the preflight proves what the launch uses.
func nodeImageQuery(version string) cloud.ImageQuery {
	q := cloud.DefaultNodeImage
	if version != "" {
		if version[0] != 'v' {
			version = "v" + version
		}
		q.NamePattern = "capa-ami-ubuntu-24.04-" + version + "-*"
	}
	return q
}

// awsChecks answers the preflight's questions with EC2 and the cloud
// package's permission and quota checks.
type awsChecks struct{ sess *cloud.Session }

func (a awsChecks) Identity(ctx context.Context) (cloud.Identity, error) { return a.sess.Identity(ctx) }

func (a awsChecks) MissingPermissions(ctx context.Context, actions []string) ([]string, []string, error) {
	return cloud.CheckPermissions(ctx, a.sess, actions)
}

func (a awsChecks) Quotas(ctx context.Context, azs []string) ([]cloud.QuotaHeadroom, error) {
	return cloud.CheckQuotas(ctx, a.sess, azs)
}

func (a awsChecks) AvailabilityZones(ctx context.Context) ([]string, error) {
	out, err := a.sess.EC2().DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("ec2:DescribeAvailabilityZones: %w", err)
	}
	azs := make([]string, 0, len(out.AvailabilityZones))
	for _, z := range out.AvailabilityZones {
		azs = append(azs, aws.ToString(z.ZoneName))
	}
	sort.Strings(azs)
	return azs, nil
}

func (a awsChecks) NodeImage(ctx context.Context, version string) (string, error) {
	q := nodeImageQuery(version)
	filters := []ec2types.Filter{
		{Name: aws.String("name"), Values: []string{q.NamePattern}},
		{Name: aws.String("state"), Values: []string{"available"}},
	}
	if q.Architecture != "" {
		filters = append(filters, ec2types.Filter{Name: aws.String("architecture"), Values: []string{q.Architecture}})
	}
	out, err := a.sess.EC2().DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: q.Owners, Filters: filters})
	if err != nil {
		return "", fmt.Errorf("ec2:DescribeImages %q: %w", q.NamePattern, err)
	}
	if len(out.Images) == 0 {
		return "", nil
	}
	return aws.ToString(out.Images[0].ImageId), nil
}

func (a awsChecks) InstanceTypeOfferings(ctx context.Context, azs, types []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	p := ec2.NewDescribeInstanceTypeOfferingsPaginator(a.sess.EC2(), &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: ec2types.LocationTypeAvailabilityZone,
		Filters: []ec2types.Filter{
			{Name: aws.String("location"), Values: azs},
			{Name: aws.String("instance-type"), Values: types},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeInstanceTypeOfferings: %w", err)
		}
		for _, o := range page.InstanceTypeOfferings {
			az := aws.ToString(o.Location)
			if out[az] == nil {
				out[az] = map[string]bool{}
			}
			out[az][string(o.InstanceType)] = true
		}
	}
	return out, nil
}

func (a awsChecks) EKSClusterTags(ctx context.Context, name string) (map[string]string, bool, error) {
	out, err := a.sess.EKS().DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if cloud.ErrorCode(err) == "ResourceNotFoundException" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("eks:DescribeCluster %s: %w", name, err)
	}
	return out.Cluster.Tags, true, nil
}

func (a awsChecks) KeyPairExists(ctx context.Context, name string) (bool, error) {
	_, err := a.sess.EC2().DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{name}})
	if cloud.ErrorCode(err) == "InvalidKeyPair.NotFound" {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ec2:DescribeKeyPairs: %w", err)
	}
	return true, nil
}
