package cloud

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ELBScanAPI is what finding a cluster's load balancers and target groups
// by tag needs.
type ELBScanAPI interface {
	DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
}

// maxDescribeTags is how many ARNs one DescribeTags takes.
const maxDescribeTags = 20

// elbResource is a load balancer or target group of the cluster.
type elbResource struct {
	typ    domain.ResourceType
	arn    string
	state  string
	reason string // why it is the cluster's
}

// FindLoadBalancerLeftovers lists the cluster's load balancers and target
// groups still in the account: ours, those its cloud controller created,
// and any the ledger names.
func FindLoadBalancerLeftovers(ctx context.Context, elb ELBScanAPI, scope *ClusterScope) ([]Leftover, error) {
	lbs, tgs, err := clusterELBResources(ctx, elb, scope)
	if err != nil {
		return nil, err
	}
	var out []Leftover
	for _, r := range slices.Concat(lbs, tgs) {
		out = append(out, Leftover{Type: string(r.typ), ID: r.arn, Region: scope.Region, State: r.state, Reason: r.reason})
	}
	return out, nil
}

// clusterELBResources scans the account's load balancers and target groups
// (ELBv2 cannot filter by tag) and keeps the cluster's: tagged with its
// id, tagged kubernetes.io/cluster/<name>=owned by its cloud controller, or
// named in the ledger. One carrying another ClusterForge cluster's id is
// never ours, even if that cluster has the same name.
func clusterELBResources(ctx context.Context, elb ELBScanAPI, scope *ClusterScope) (lbs, tgs []elbResource, err error) {
	ledger, err := scope.Ledger.Resources(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the ledger: %w", err)
	}
	inLedger := map[string]bool{}
	for _, r := range ledger {
		inLedger[r.ID] = true
	}
	keep := func(typ domain.ResourceType, arns []string, states map[string]string) ([]elbResource, error) {
		tags, err := describeELBTags(ctx, elb, arns)
		if err != nil {
			return nil, err
		}
		var out []elbResource
		for _, arn := range arns {
			if reason := elbOwnership(scope, tags[arn], inLedger[arn]); reason != "" {
				out = append(out, elbResource{typ: typ, arn: arn, state: states[arn], reason: reason})
			}
		}
		return out, nil
	}
	lbArns, lbStates, err := listLoadBalancers(ctx, elb)
	if err != nil {
		return nil, nil, err
	}
	if lbs, err = keep(domain.ResLoadBalancer, lbArns, lbStates); err != nil {
		return nil, nil, err
	}
	tgArns, err := listTargetGroups(ctx, elb)
	if err != nil {
		return nil, nil, err
	}
	tgs, err = keep(domain.ResTargetGroup, tgArns, nil)
	return lbs, tgs, err
}

// elbOwnership says why a resource with these tags is the cluster's, or "".
func elbOwnership(scope *ClusterScope, tags map[string]string, inLedger bool) string {
	switch owner := tags[domain.TagClusterID]; {
	case owner == scope.ClusterID:
		return "tagged " + domain.TagClusterID + "=" + scope.ClusterID
	case inLedger:
		return "in the cluster's resource ledger"
	case owner != "":
		return ""
	case tags[domain.KubernetesClusterTag(scope.ClusterName)] == domain.TagOwned:
		return "tagged " + domain.KubernetesClusterTag(scope.ClusterName) + "=owned (created by the cluster's cloud controller)"
	}
	return ""
}

func listLoadBalancers(ctx context.Context, elb ELBScanAPI) ([]string, map[string]string, error) {
	var arns []string
	states := map[string]string{}
	p := elbv2.NewDescribeLoadBalancersPaginator(elb, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("describe load balancers: %w", err)
		}
		for _, lb := range page.LoadBalancers {
			arn := aws.ToString(lb.LoadBalancerArn)
			arns = append(arns, arn)
			if lb.State != nil {
				states[arn] = string(lb.State.Code)
			}
		}
	}
	return arns, states, nil
}

func listTargetGroups(ctx context.Context, elb ELBScanAPI) ([]string, error) {
	var arns []string
	p := elbv2.NewDescribeTargetGroupsPaginator(elb, &elbv2.DescribeTargetGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe target groups: %w", err)
		}
		for _, tg := range page.TargetGroups {
			arns = append(arns, aws.ToString(tg.TargetGroupArn))
		}
	}
	return arns, nil
}

// describeELBTags returns the tags of each ARN, 20 ARNs per call. A batch
// that fails because one resource was deleted meanwhile is retried one ARN
// at a time, leaving the deleted one out.
func describeELBTags(ctx context.Context, elb ELBScanAPI, arns []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	describe := func(batch []string) error {
		res, err := elb.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return err
		}
		for _, d := range res.TagDescriptions {
			tags := map[string]string{}
			for _, t := range d.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			out[aws.ToString(d.ResourceArn)] = tags
		}
		return nil
	}
	for batch := range slices.Chunk(arns, maxDescribeTags) {
		err := describe(batch)
		if err != nil && elbGone(err) {
			for _, arn := range batch {
				if err = describe([]string{arn}); err != nil && !elbGone(err) {
					break
				}
				err = nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("describe load balancing tags: %w", err)
		}
	}
	return out, nil
}
