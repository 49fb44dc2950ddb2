package cloud

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ComputeEC2API is the part of EC2 the bastion, node pools and the API load
// balancer's target registration use. *ec2.Client implements it.
type ComputeEC2API interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	RunInstances(ctx context.Context, in *ec2.RunInstancesInput, optFns ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, optFns ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error)
}

var _ ComputeEC2API = (*ec2.Client)(nil)

// OnDemandPrices gives the on-demand price a spot pool's max price is a
// percentage of. *pricing.Static implements it.
type OnDemandPrices interface {
	OnDemandHourly(region, instanceType string) (float64, bool)
}

// Tags ComputeService puts on instances besides scope.Tags. The pool tag is
// how a pool's instances are found; the other two record what DescribeInstances
// does not say, so NodesReady can report them without extra calls.
const (
	TagPool          = "clusterforge.io/pool"
	TagSpotPrice     = "clusterforge.io/spot-price"      // the AZ's spot price at launch
	TagRootVolumeGiB = "clusterforge.io/root-volume-gib" // the root volume size asked for
)

// ComputeService launches and terminates the cluster's EC2 instances: the
// bastion and the node pools (cluster-api-provider-aws's
// pkg/cloud/services/ec2, without the machine controller). Every instance is
// tagged at creation, launched with a ClientToken derived from its resource
// key and recorded in the ledger as soon as RunInstances answers.
type ComputeService struct {
	ec2    ComputeEC2API
	scope  *ClusterScope
	prices OnDemandPrices
	images *imageFinder

	sshKeyName   string
	nodeImage    ImageQuery
	bastionImage ImageQuery
	now          func() time.Time
}

var _ Compute = (*ComputeService)(nil)

// ComputeOption configures a ComputeService.
type ComputeOption func(*ComputeService)

// WithSSHKeyName sets the EC2 key pair the bastion and nodes get (the
// cluster's sshKeyName; ClusterScope does not carry it).
func WithSSHKeyName(name string) ComputeOption {
	return func(s *ComputeService) { s.sshKeyName = name }
}

// WithNodeImage replaces DefaultNodeImage, e.g. to pin the profile's
// Kubernetes version: capa-ami-ubuntu-24.04-v1.31.2-*.
func WithNodeImage(q ImageQuery) ComputeOption {
	return func(s *ComputeService) { s.nodeImage = q }
}

// WithBastionImage replaces DefaultBastionImage.
func WithBastionImage(q ImageQuery) ComputeOption {
	return func(s *ComputeService) { s.bastionImage = q }
}

// NewComputeService returns the compute service of one cluster. prices may
// be nil when the cluster has no spot pool.
func NewComputeService(ec2 ComputeEC2API, scope *ClusterScope, prices OnDemandPrices, opts ...ComputeOption) *ComputeService {
	s := &ComputeService{
		ec2: ec2, scope: scope, prices: prices, images: sharedImageFinder,
		nodeImage: DefaultNodeImage, bastionImage: DefaultBastionImage, now: time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// computeTagList renders a tag map in EC2's shape, sorted so requests are
// stable.
func computeTagList(tags map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// instanceTagSpecs tags the instance and what RunInstances creates with it
// (root volume, primary network interface), so leak scans find all three.
func instanceTagSpecs(tags map[string]string) []ec2types.TagSpecification {
	t := computeTagList(tags)
	return []ec2types.TagSpecification{
		{ResourceType: ec2types.ResourceTypeInstance, Tags: t},
		{ResourceType: ec2types.ResourceTypeVolume, Tags: t},
		{ResourceType: ec2types.ResourceTypeNetworkInterface, Tags: t},
	}
}

func computeFilter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String(name), Values: values}
}

// record writes one resource to the ledger.
func (s *ComputeService) record(ctx context.Context, r domain.Resource) error {
	if err := s.scope.Ledger.Record(ctx, r); err != nil {
		return fmt.Errorf("record %s %s in the ledger: %w", r.Type, r.ID, err)
	}
	return nil
}
