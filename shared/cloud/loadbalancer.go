package cloud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// ELBv2API is the part of Elastic Load Balancing v2 the API server's load
// balancer uses. *elasticloadbalancingv2.Client implements it.
type ELBv2API interface {
	ELBScanAPI
	CreateLoadBalancer(ctx context.Context, in *elbv2.CreateLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error)
	DeleteLoadBalancer(ctx context.Context, in *elbv2.DeleteLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	CreateTargetGroup(ctx context.Context, in *elbv2.CreateTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error)
	DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
	CreateListener(ctx context.Context, in *elbv2.CreateListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error)
	DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	DeleteListener(ctx context.Context, in *elbv2.DeleteListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error)
	RegisterTargets(ctx context.Context, in *elbv2.RegisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error)
	DeregisterTargets(ctx context.Context, in *elbv2.DeregisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.DeregisterTargetsOutput, error)
	DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
}

var _ ELBv2API = (*elbv2.Client)(nil)

// ELBv2 error codes the load balancer service tells apart.
const (
	codeLoadBalancerNotFound  = "LoadBalancerNotFound"
	codeTargetGroupNotFound   = "TargetGroupNotFound"
	codeListenerNotFound      = "ListenerNotFound"
	codeDuplicateLBName       = "DuplicateLoadBalancerName"
	codeDuplicateTGName       = "DuplicateTargetGroupName"
	codeDuplicateListener     = "DuplicateListener"
	codeTargetGroupInUse      = "ResourceInUse"
	elbNameSuffixLoadBalancer = "api"
	elbNameSuffixTargetGroup  = "api-tg"
)

// elbGone reports whether err says the resource no longer exists.
func elbGone(err error) bool {
	switch ErrorCode(err) {
	case codeLoadBalancerNotFound, codeTargetGroupNotFound, codeListenerNotFound:
		return true
	}
	return false
}

// LoadBalancerService is the API server's network load balancer, its TCP
// 6443 target group and listener (cluster-api-provider-aws's
// pkg/cloud/services/elb). ELBv2 takes no ClientToken, so every create is
// preceded by a lookup by name, and a DuplicateName answer by another.
type LoadBalancerService struct {
	elb   ELBv2API
	ec2   ComputeEC2API
	scope *ClusterScope
}

var _ LoadBalancer = (*LoadBalancerService)(nil)

// NewLoadBalancerService returns the load balancer service of one cluster;
// ec2 finds the control-plane instances to register.
func NewLoadBalancerService(elb ELBv2API, ec2 ComputeEC2API, scope *ClusterScope) *LoadBalancerService {
	return &LoadBalancerService{elb: elb, ec2: ec2, scope: scope}
}

func (s *LoadBalancerService) lbName() string {
	return domain.ELBName(s.scope.ClusterName, s.scope.ClusterID, elbNameSuffixLoadBalancer)
}

func (s *LoadBalancerService) tgName() string {
	return domain.ELBName(s.scope.ClusterName, s.scope.ClusterID, elbNameSuffixTargetGroup)
}

func elbTagList(tags map[string]string) []elbtypes.Tag {
	out := make([]elbtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, elbtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func (s *LoadBalancerService) record(ctx context.Context, t domain.ResourceType, key, id, state string) error {
	if err := s.scope.Ledger.Record(ctx, domain.Resource{Type: string(t), ID: id, State: state, Key: key}); err != nil {
		return fmt.Errorf("record %s %s in the ledger: %w", t, id, err)
	}
	return nil
}

// ReconcileLoadBalancer ensures, in order, the NLB (in the public subnets
// when internet-facing, the private ones when internal, with the
// apiserver-lb security group), the TCP 6443 target group and the listener
// forwarding to it, and returns the NLB's DNS name.
func (s *LoadBalancerService) ReconcileLoadBalancer(ctx context.Context, net NetworkIDs) (string, error) {
	planned, ok := s.scope.Plan.Find(domain.KeyLoadBalancer)
	if !ok {
		return "", errors.New("load balancer: not in the plan")
	}
	scheme := cmp.Or(planned.Role, domain.SchemeInternetFacing)
	subnets, err := lbSubnets(planned.Subnets, scheme, net)
	if err != nil {
		return "", err
	}
	sg := net.SecurityGroups[domain.RoleAPIServerLB]
	if sg == "" {
		return "", fmt.Errorf("load balancer: no %s security group", domain.RoleAPIServerLB)
	}
	lb, err := s.ensureLoadBalancer(ctx, scheme, subnets, sg)
	if err != nil {
		return "", err
	}
	tg, err := s.ensureTargetGroup(ctx, net.VPCID)
	if err != nil {
		return "", err
	}
	if err := s.ensureListener(ctx, aws.ToString(lb.LoadBalancerArn), aws.ToString(tg.TargetGroupArn)); err != nil {
		return "", err
	}
	return aws.ToString(lb.DNSName), nil
}

// lbSubnets resolves the planned subnets: keys subnet/<role>/<az> with
// dynamic placement, the customer's ids with static placement. Without a
// plan entry it takes every subnet of the scheme's side.
func lbSubnets(planned []string, scheme string, net NetworkIDs) ([]string, error) {
	side := net.PublicSubnets
	if scheme == domain.SchemeInternal {
		side = net.PrivateSubnets
	}
	if len(planned) == 0 {
		planned = slices.Sorted(maps.Keys(side))
	}
	out := make([]string, 0, len(planned))
	for _, ref := range planned {
		if strings.HasPrefix(ref, "subnet-") {
			out = append(out, ref)
			continue
		}
		id := side[ref[strings.LastIndexByte(ref, '/')+1:]]
		if id == "" {
			return nil, fmt.Errorf("load balancer: subnet %s not found", ref)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load balancer: no %s subnets", scheme)
	}
	return out, nil
}

func (s *LoadBalancerService) ensureLoadBalancer(ctx context.Context, scheme string, subnets []string, sg string) (*elbtypes.LoadBalancer, error) {
	lb, err := s.findLoadBalancer(ctx)
	if err != nil {
		return nil, err
	}
	if lb == nil {
		out, err := s.elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
			Name: aws.String(s.lbName()), Type: elbtypes.LoadBalancerTypeEnumNetwork,
			Scheme: elbtypes.LoadBalancerSchemeEnum(scheme), Subnets: subnets, SecurityGroups: []string{sg},
			IpAddressType: elbtypes.IpAddressTypeIpv4, Tags: elbTagList(s.scope.Tags(domain.KeyLoadBalancer)),
		})
		switch {
		case ErrorCode(err) == codeDuplicateLBName: // created by a concurrent or lost call
			if lb, err = s.findLoadBalancer(ctx); err == nil && lb == nil {
				err = fmt.Errorf("load balancer %s: duplicate name but not found", s.lbName())
			}
		case err != nil:
			err = fmt.Errorf("create load balancer %s: %w", s.lbName(), err)
		case len(out.LoadBalancers) == 0:
			err = fmt.Errorf("create load balancer %s: no load balancer returned", s.lbName())
		default:
			lb = &out.LoadBalancers[0]
		}
		if err != nil {
			return nil, err
		}
	}
	state := ""
	if lb.State != nil {
		state = string(lb.State.Code)
	}
	return lb, s.record(ctx, domain.ResLoadBalancer, domain.KeyLoadBalancer, aws.ToString(lb.LoadBalancerArn), state)
}

// findLoadBalancer looks ours up by name. The name carries a hash of the
// cluster id, so a load balancer of that name owned by someone else is a
// conflict to report, not one to adopt.
func (s *LoadBalancerService) findLoadBalancer(ctx context.Context) (*elbtypes.LoadBalancer, error) {
	out, err := s.elb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{s.lbName()}})
	if ErrorCode(err) == codeLoadBalancerNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe load balancer %s: %w", s.lbName(), err)
	}
	if len(out.LoadBalancers) == 0 {
		return nil, nil
	}
	lb := out.LoadBalancers[0]
	tags, err := describeELBTags(ctx, s.elb, []string{aws.ToString(lb.LoadBalancerArn)})
	if err != nil {
		return nil, err
	}
	if owner := tags[aws.ToString(lb.LoadBalancerArn)][domain.TagClusterID]; owner != s.scope.ClusterID {
		return nil, fmt.Errorf("load balancer name %s is taken by %q, not cluster %s", s.lbName(), owner, s.scope.ClusterID)
	}
	return &lb, nil
}

// DeleteLoadBalancers deletes ours and those the cluster's cloud
// controller created (tagged kubernetes.io/cluster/<name>=owned), their
// listeners, then the target groups: those attached to them, ours, and any
// tagged as the cluster's. Gone counts as deleted; a target group AWS
// still holds as in use is an ErrDependencyViolation to retry.
func (s *LoadBalancerService) DeleteLoadBalancers(ctx context.Context) error {
	lbs, tgs, err := clusterELBResources(ctx, s.elb, s.scope)
	if err != nil {
		return err
	}
	tgArns := map[string]bool{}
	for _, tg := range tgs {
		tgArns[tg.arn] = true
	}
	for _, lb := range lbs {
		attached, err := s.deleteLoadBalancer(ctx, lb.arn)
		if err != nil {
			return err
		}
		for _, arn := range attached {
			tgArns[arn] = true
		}
	}
	var inUse []error
	for _, arn := range slices.Sorted(maps.Keys(tgArns)) {
		_, err := s.elb.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)})
		switch {
		case err == nil, elbGone(err):
		case ErrorCode(err) == codeTargetGroupInUse:
			inUse = append(inUse, fmt.Errorf("%w: target group %s still in use", ErrDependencyViolation, arn))
		default:
			return fmt.Errorf("delete target group %s: %w", arn, err)
		}
	}
	return errors.Join(inUse...)
}

// deleteLoadBalancer deletes one load balancer and its listeners, and
// returns the target groups it forwarded to (to delete after it).
func (s *LoadBalancerService) deleteLoadBalancer(ctx context.Context, arn string) ([]string, error) {
	var attached []string
	p := elbv2.NewDescribeTargetGroupsPaginator(s.elb, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if elbGone(err) {
			return attached, nil
		}
		if err != nil {
			return nil, fmt.Errorf("describe target groups of %s: %w", arn, err)
		}
		for _, tg := range page.TargetGroups {
			attached = append(attached, aws.ToString(tg.TargetGroupArn))
		}
	}
	listeners, err := s.elb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn)})
	if err != nil && !elbGone(err) {
		return nil, fmt.Errorf("describe listeners of %s: %w", arn, err)
	}
	if err == nil {
		for _, l := range listeners.Listeners {
			_, err := s.elb.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: l.ListenerArn})
			if err != nil && !elbGone(err) {
				return nil, fmt.Errorf("delete listener %s: %w", aws.ToString(l.ListenerArn), err)
			}
		}
	}
	if _, err := s.elb.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil && !elbGone(err) {
		return nil, fmt.Errorf("delete load balancer %s: %w", arn, err)
	}
	return attached, nil
}

// LoadBalancersDeleted is ready when none of the cluster's load balancers
// and target groups is left.
func (s *LoadBalancerService) LoadBalancersDeleted(ctx context.Context) (Progress, error) {
	lbs, tgs, err := clusterELBResources(ctx, s.elb, s.scope)
	if err != nil {
		return Progress{}, err
	}
	left := len(lbs) + len(tgs)
	return Progress{Ready: left == 0, Done: 0, Total: left,
		Message: fmt.Sprintf("%d load balancers and %d target groups left", len(lbs), len(tgs))}, nil
}
