package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ClusterIDTag is the tag every resource of a cluster carries.
const ClusterIDTag = "clusterforge.io/cluster-id"

// TaggedResources counts, with an independent client (not the service's
// view), what the account holds that carries tag key=value, by type: EC2
// and ELBv2 resources, EKS clusters ("ekscluster"), node groups
// ("nodegroup") and Fargate profiles ("fargateprofile"), and IAM roles
// ("iamrole"). NAT gateways in `deleted` and instances in `terminated` are
// left out: AWS keeps showing them for a while after they are gone.
func TaggedResources(ctx context.Context, cfg aws.Config, key, value string) (map[string][]string, error) {
	c := ec2.NewFromConfig(cfg)
	f := []ec2types.Filter{{Name: aws.String("tag:" + key), Values: []string{value}}}
	out := map[string][]string{}
	add := func(typ, id string) { out[typ] = append(out[typ], id) }

	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe vpcs: %w", err)
	}
	for _, v := range vpcs.Vpcs {
		add("vpc", aws.ToString(v.VpcId))
	}
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe subnets: %w", err)
	}
	for _, s := range subnets.Subnets {
		add("subnet", aws.ToString(s.SubnetId))
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe internet gateways: %w", err)
	}
	for _, g := range igws.InternetGateways {
		add("internetgateway", aws.ToString(g.InternetGatewayId))
	}
	rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe route tables: %w", err)
	}
	for _, r := range rts.RouteTables {
		add("routetable", aws.ToString(r.RouteTableId))
	}
	addrs, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe addresses: %w", err)
	}
	for _, a := range addrs.Addresses {
		add("eip", aws.ToString(a.AllocationId))
	}
	nats, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: f})
	if err != nil {
		return nil, fmt.Errorf("describe nat gateways: %w", err)
	}
	for _, n := range nats.NatGateways {
		if n.State != ec2types.NatGatewayStateDeleted {
			add("natgateway", aws.ToString(n.NatGatewayId))
		}
	}
	sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe security groups: %w", err)
	}
	for _, g := range sgs.SecurityGroups {
		add("securitygroup", aws.ToString(g.GroupId))
	}
	enis, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe network interfaces: %w", err)
	}
	for _, n := range enis.NetworkInterfaces {
		add("networkinterface", aws.ToString(n.NetworkInterfaceId))
	}
	res, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("describe instances: %w", err)
	}
	for _, r := range res.Reservations {
		for _, in := range r.Instances {
			if in.State != nil && in.State.Name != ec2types.InstanceStateNameTerminated {
				add("instance", aws.ToString(in.InstanceId))
			}
		}
	}
	lbs, err := taggedLoadBalancers(ctx, elb.NewFromConfig(cfg), key, value)
	if err != nil {
		return nil, err
	}
	for typ, ids := range lbs {
		out[typ] = append(out[typ], ids...)
	}
	if err := taggedEKS(ctx, eks.NewFromConfig(cfg), key, value, add); err != nil {
		return nil, err
	}
	if err := taggedRoles(ctx, iam.NewFromConfig(cfg), key, value, add); err != nil {
		return nil, err
	}
	return out, nil
}

// taggedEKS finds EKS clusters, node groups and Fargate profiles (by ARN)
// whose tags hold key=value; clusters still DELETING count, they exist.
func taggedEKS(ctx context.Context, c *eks.Client, key, value string, add func(typ, id string)) error {
	clusters := eks.NewListClustersPaginator(c, &eks.ListClustersInput{})
	for clusters.HasMorePages() {
		page, err := clusters.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list eks clusters: %w", err)
		}
		for _, name := range page.Clusters {
			cl, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
			if gone(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("describe eks cluster %s: %w", name, err)
			}
			if v, ok := cl.Cluster.Tags[key]; ok && v == value {
				add("ekscluster", aws.ToString(cl.Cluster.Arn))
			}
			if err := taggedEKSChildren(ctx, c, name, key, value, add); err != nil {
				return err
			}
		}
	}
	return nil
}

func taggedEKSChildren(ctx context.Context, c *eks.Client, cluster, key, value string, add func(typ, id string)) error {
	groups := eks.NewListNodegroupsPaginator(c, &eks.ListNodegroupsInput{ClusterName: aws.String(cluster)})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if gone(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list node groups of %s: %w", cluster, err)
		}
		for _, name := range page.Nodegroups {
			ng, err := c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
			if gone(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("describe node group %s/%s: %w", cluster, name, err)
			}
			if v, ok := ng.Nodegroup.Tags[key]; ok && v == value {
				add("nodegroup", aws.ToString(ng.Nodegroup.NodegroupArn))
			}
		}
	}
	profiles := eks.NewListFargateProfilesPaginator(c, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if gone(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list Fargate profiles of %s: %w", cluster, err)
		}
		for _, name := range page.FargateProfileNames {
			fp, err := c.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
			if gone(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("describe Fargate profile %s/%s: %w", cluster, name, err)
			}
			if v, ok := fp.FargateProfile.Tags[key]; ok && v == value {
				add("fargateprofile", aws.ToString(fp.FargateProfile.FargateProfileArn))
			}
		}
	}
	return nil
}

// gone reports an error saying the resource was deleted since it was
// listed: other tests delete in parallel.
func gone(err error) bool {
	var eksGone *ekstypes.ResourceNotFoundException
	var iamGone *iamtypes.NoSuchEntityException
	return errors.As(err, &eksGone) || errors.As(err, &iamGone)
}

// taggedRoles finds IAM roles (by ARN) tagged key=value. ListRoles does not
// return tags on AWS, so each role's tags are read with ListRoleTags.
func taggedRoles(ctx context.Context, c *iam.Client, key, value string, add func(typ, id string)) error {
	roles := iam.NewListRolesPaginator(c, &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list iam roles: %w", err)
		}
		for _, r := range page.Roles {
			tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: r.RoleName})
			if gone(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("list tags of iam role %s: %w", aws.ToString(r.RoleName), err)
			}
			for _, t := range tags.Tags {
				if aws.ToString(t.Key) == key && aws.ToString(t.Value) == value {
					add("iamrole", aws.ToString(r.Arn))
				}
			}
		}
	}
	return nil
}

// taggedLoadBalancers finds ELBv2 load balancers and target groups by tag
// (ELBv2 has no tag filter: list, then read tags in batches of 20).
func taggedLoadBalancers(ctx context.Context, c *elb.Client, key, value string) (map[string][]string, error) {
	var arns []string
	typeOf := map[string]string{}
	lbs, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, fmt.Errorf("describe load balancers: %w", err)
	}
	for _, lb := range lbs.LoadBalancers {
		arns = append(arns, aws.ToString(lb.LoadBalancerArn))
		typeOf[aws.ToString(lb.LoadBalancerArn)] = "loadbalancer"
	}
	tgs, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, fmt.Errorf("describe target groups: %w", err)
	}
	for _, tg := range tgs.TargetGroups {
		arns = append(arns, aws.ToString(tg.TargetGroupArn))
		typeOf[aws.ToString(tg.TargetGroupArn)] = "targetgroup"
	}
	out := map[string][]string{}
	for i := 0; i < len(arns); i += 20 {
		batch := arns[i:min(i+20, len(arns))]
		tags, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, fmt.Errorf("describe elb tags: %w", err)
		}
		for _, d := range tags.TagDescriptions {
			for _, t := range d.Tags {
				if aws.ToString(t.Key) == key && aws.ToString(t.Value) == value {
					arn := aws.ToString(d.ResourceArn)
					out[typeOf[arn]] = append(out[typeOf[arn]], arn)
				}
			}
		}
	}
	return out, nil
}

// CallStats are the AWS calls the service's Lambdas made in one account.
type CallStats struct {
	Total     int            `json:"total"`
	Mutating  int            `json:"mutating"`
	Describe  int            `json:"describe"`
	ByAction  map[string]int `json:"byAction"`
	Throttled int            `json:"throttled"`
}

// ServiceCalls counts the calls made by the service's Lambda functions (the
// SDK app id lambda.<fn>.<n>) in the account since the last reset, so a
// test's or the demo's own cross-checks are not counted.
func (c *Cloud) ServiceCalls(ctx context.Context, account string) (CallStats, error) {
	var log struct {
		Calls []struct {
			Service, Action, AppID, ErrorCode string
		} `json:"calls"`
	}
	if _, err := c.Admin(ctx, http.MethodGet, "/calls?account="+account, nil, &log); err != nil {
		return CallStats{}, err
	}
	s := CallStats{ByAction: map[string]int{}}
	for _, call := range log.Calls {
		if !strings.HasPrefix(call.AppID, "lambda.") {
			continue
		}
		s.Total++
		s.ByAction[call.Service+":"+call.Action]++
		if readOnly(call.Action) {
			s.Describe++
		} else {
			s.Mutating++
		}
		if call.ErrorCode == "RequestLimitExceeded" || strings.Contains(call.ErrorCode, "Throttl") {
			s.Throttled++
		}
	}
	return s, nil
}

func readOnly(action string) bool {
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}
