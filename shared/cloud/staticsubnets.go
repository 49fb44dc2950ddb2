package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// PublicSubnetTags are the discovery tags a static placement's public
// subnets must carry (Palette's AWS page) so the cloud controller and the
// load balancer controller place internet-facing load balancers in them.
func PublicSubnetTags(clusterName string) []types.Tag {
	return []types.Tag{
		{Key: aws.String(domain.TagELBRole), Value: aws.String("1")},
		{Key: aws.String(domain.TagCAPARole), Value: aws.String(domain.RolePublic)},
		{Key: aws.String(domain.KubernetesClusterTag(clusterName)), Value: aws.String(domain.TagShared)},
		{Key: aws.String(domain.CAPAClusterTag(clusterName)), Value: aws.String(domain.TagOwned)},
	}
}

// CheckStaticSubnets checks a static placement against the account, before
// anything is created: every subnet exists, is in placement.vpcId and in
// one of placement.azs (when given); every such AZ has a control-plane and
// a worker subnet; public subnets carry PublicSubnetTags. Each problem is a
// field error on the subnet's list entry, naming what is wrong — every
// missing tag — so the customer fixes everything in one go.
func CheckStaticSubnets(ctx context.Context, api ec2.DescribeSubnetsAPIClient, clusterName string, p domain.Placement) ([]domain.FieldError, error) {
	ids := slices.Concat(p.ControlPlaneSubnetIDs, p.WorkerSubnetIDs, p.PublicSubnetIDs)
	// A filter, not SubnetIds: one unknown id must not hide the others.
	pages := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("subnet-id"), Values: ids}},
	})
	found := map[string]types.Subnet{}
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe subnets %v: %w", ids, err)
		}
		for _, sn := range out.Subnets {
			found[aws.ToString(sn.SubnetId)] = sn
		}
	}
	var errs []domain.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	lists := []struct {
		field  string
		ids    []string
		public bool
	}{
		{"placement.controlPlaneSubnetIds", p.ControlPlaneSubnetIDs, false},
		{"placement.workerSubnetIds", p.WorkerSubnetIDs, false},
		{"placement.publicSubnetIds", p.PublicSubnetIDs, true},
	}
	for _, l := range lists {
		covered := map[string]bool{}
		for i, id := range l.ids {
			f := fmt.Sprintf("%s[%d]", l.field, i)
			sn, ok := found[id]
			if !ok {
				add(f, "subnet %s does not exist in the account and region", id)
				continue
			}
			az := aws.ToString(sn.AvailabilityZone)
			covered[az] = true
			if vpc := aws.ToString(sn.VpcId); vpc != p.VPCID {
				add(f, "subnet %s is in %s, not in placement.vpcId %s", id, vpc, p.VPCID)
			}
			if len(p.AZs) > 0 && !slices.Contains(p.AZs, az) {
				add(f, "subnet %s is in %s, which is not one of placement.azs %v", id, az, p.AZs)
			}
			if l.public {
				if missing := missingTags(sn.Tags, PublicSubnetTags(clusterName)); len(missing) > 0 {
					add(f, "public subnet %s is missing the discovery tag(s) %s", id, strings.Join(missing, ", "))
				}
			}
		}
		if !l.public {
			for _, az := range p.AZs {
				if !covered[az] && len(l.ids) > 0 {
					add(l.field, "no subnet in %s, one of placement.azs", az)
				}
			}
		}
	}
	return errs, nil
}

// missingTags lists, as key=value, the wanted tags that have is lacking or
// has with another value.
func missingTags(has, want []types.Tag) []string {
	var out []string
	for _, w := range want {
		if !slices.ContainsFunc(has, func(t types.Tag) bool {
			return aws.ToString(t.Key) == aws.ToString(w.Key) && aws.ToString(t.Value) == aws.ToString(w.Value)
		}) {
			out = append(out, aws.ToString(w.Key)+"="+aws.ToString(w.Value))
		}
	}
	return out
}
