package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/local/harness"
)

const eksTimeout = 4 * time.Minute

// An EKS cluster comes up with exactly what it asked for, as the customer's
// own EKS, EC2 and IAM clients see it; a node group edit reaches EKS; delete
// leaves nothing tagged with the cluster's id.
func TestEKSClusterLifecycle(t *testing.T) {
	t.Parallel()
	e := newTenant(t, harness.CustomerAccount{})
	cfg := customerConfig(t, e.customer)
	ctx := context.Background()
	eksc, ec, iamc := eks.NewFromConfig(cfg), ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg)

	// Bad input: 400 with the field, nothing created.
	before := e.api.count(t, "/v1/clusters")
	bad := harness.ExampleEKSCluster("eks-bad", e.accountID, e.profileID)
	bad["nodePools"] = append(bad["nodePools"].([]map[string]any),
		map[string]any{"name": "cp", "controlPlane": true, "size": 3, "instanceType": "m5.large"})
	r := e.api.send(t, http.MethodPost, "/v1/clusters", bad)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "nodePools[2]") {
		t.Fatalf("EKS cluster with a control-plane pool: %d %s, want 400 naming nodePools[2]", r.Status, r.Body)
	}
	if after := e.api.count(t, "/v1/clusters"); after != before {
		t.Fatalf("a refused request created a cluster: %d → %d", before, after)
	}

	const name = "eks-e2e"
	var created clusterView
	e.api.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", harness.ExampleEKSCluster(name, e.accountID, e.profileID), &created)
	id := created.ID
	c := e.waitStatus(t, id, "Running", eksTimeout)
	for _, task := range c.Tasks {
		if task.State != "Succeeded" && task.State != "Skipped" {
			t.Errorf("task %s is %s at Running", task.Name, task.State)
		}
	}

	// The control plane: ACTIVE, the requested endpoint access and logs.
	cl, err := eksc.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("describe EKS cluster: %v", err)
	}
	vpc := cl.Cluster.ResourcesVpcConfig
	if cl.Cluster.Status != ekstypes.ClusterStatusActive || aws.ToString(cl.Cluster.Version) != "1.33" ||
		!vpc.EndpointPublicAccess || !vpc.EndpointPrivateAccess || !slices.Equal(vpc.PublicAccessCidrs, []string{"203.0.113.0/24"}) {
		t.Errorf("EKS cluster: status %s version %s public %t private %t cidrs %v", cl.Cluster.Status,
			aws.ToString(cl.Cluster.Version), vpc.EndpointPublicAccess, vpc.EndpointPrivateAccess, vpc.PublicAccessCidrs)
	}
	if got := enabledLogTypes(cl.Cluster.Logging); !slices.Equal(got, []string{"api", "audit"}) {
		t.Errorf("control-plane logging %v, want [api audit]", got)
	}
	if cl.Cluster.Tags[harness.ClusterIDTag] != id {
		t.Errorf("EKS cluster tags %v lack %s=%s", cl.Cluster.Tags, harness.ClusterIDTag, id)
	}
	private := privateSubnets(t, ec, id)

	// Two node groups at their sizes; the spot one tainted.
	general := describeNodegroup(t, eksc, name, "general")
	spot := describeNodegroup(t, eksc, name, "spot")
	if general.Status != ekstypes.NodegroupStatusActive || general.CapacityType != ekstypes.CapacityTypesOnDemand ||
		aws.ToInt32(general.ScalingConfig.DesiredSize) != 3 || general.Labels["tier"] != "web" {
		t.Errorf("general: %s %s desired %d labels %v", general.Status, general.CapacityType, aws.ToInt32(general.ScalingConfig.DesiredSize), general.Labels)
	}
	wantTaint := ekstypes.Taint{Key: aws.String("lifecycle"), Value: aws.String("spot"), Effect: ekstypes.TaintEffectNoSchedule}
	if spot.Status != ekstypes.NodegroupStatusActive || spot.CapacityType != ekstypes.CapacityTypesSpot ||
		aws.ToInt32(spot.ScalingConfig.DesiredSize) != 2 || len(spot.Taints) != 1 || !sameTaint(spot.Taints[0], wantTaint) {
		t.Errorf("spot: %s %s desired %d taints %+v", spot.Status, spot.CapacityType, aws.ToInt32(spot.ScalingConfig.DesiredSize), spot.Taints)
	}
	for _, g := range []*ekstypes.Nodegroup{general, spot} {
		if sub := notIn(g.Subnets, private); len(sub) > 0 {
			t.Errorf("node group %s in non-private subnets %v", aws.ToString(g.NodegroupName), sub)
		}
	}

	// One Fargate profile, ACTIVE, in private subnets only.
	fp, err := eksc.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("batch")})
	if err != nil {
		t.Fatalf("describe Fargate profile: %v", err)
	}
	if fp.FargateProfile.Status != ekstypes.FargateProfileStatusActive || len(fp.FargateProfile.Selectors) != 1 ||
		aws.ToString(fp.FargateProfile.Selectors[0].Namespace) != "batch" || len(notIn(fp.FargateProfile.Subnets, private)) > 0 ||
		len(fp.FargateProfile.Subnets) != 3 {
		t.Errorf("Fargate profile: %s selectors %+v subnets %v (private %v)", fp.FargateProfile.Status, fp.FargateProfile.Selectors, fp.FargateProfile.Subnets, private)
	}

	// The VPC plan's resources and the EKS ones, counted by tag.
	want := map[string]int{"vpc": 1, "subnet": 6, "internetgateway": 1, "natgateway": 3, "eip": 3, "routetable": 4,
		"ekscluster": 1, "nodegroup": 2, "fargateprofile": 1, "iamrole": 3}
	found := tagged(t, e.customer, id)
	for typ, n := range want {
		if len(found[typ]) != n {
			t.Errorf("tagged %s: %d %v, want %d", typ, len(found[typ]), found[typ], n)
		}
	}
	for typ := range found {
		if _, ok := want[typ]; !ok && typ != "instance" && typ != "securitygroup" && typ != "networkinterface" {
			t.Errorf("unplanned tagged %s: %v", typ, found[typ])
		}
	}

	// A node group edit through the node pool endpoint: scale and relabel.
	v := e.get(t, id).Version
	e.api.must(t, http.StatusAccepted, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general",
		map[string]any{"version": v, "size": 4, "labels": map[string]string{"tier": "api"}}, nil)
	e.waitStatus(t, id, "Running", eksTimeout)
	general = describeNodegroup(t, eksc, name, "general")
	if aws.ToInt32(general.ScalingConfig.DesiredSize) != 4 || general.Labels["tier"] != "api" || general.Status != ekstypes.NodegroupStatusActive {
		t.Errorf("general after the edit: %s desired %d labels %v", general.Status, aws.ToInt32(general.ScalingConfig.DesiredSize), general.Labels)
	}

	// A new instance type: a new group replaces the old one, keeping the
	// pool's capacity type, taint and size.
	v = e.get(t, id).Version
	e.api.must(t, http.StatusAccepted, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/spot",
		map[string]any{"version": v, "instanceTypes": []string{"m6i.large"}}, nil)
	e.waitStatus(t, id, "Running", eksTimeout)
	groups, err := eksc.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(groups.Nodegroups)
	if !slices.Equal(groups.Nodegroups, []string{"general", "spot-2"}) {
		t.Fatalf("node groups after the instance type change: %v, want [general spot-2]", groups.Nodegroups)
	}
	replaced := describeNodegroup(t, eksc, name, "spot-2")
	if replaced.Status != ekstypes.NodegroupStatusActive || !slices.Equal(replaced.InstanceTypes, []string{"m6i.large"}) ||
		replaced.CapacityType != ekstypes.CapacityTypesSpot || aws.ToInt32(replaced.ScalingConfig.DesiredSize) != 2 ||
		len(replaced.Taints) != 1 || !sameTaint(replaced.Taints[0], wantTaint) {
		t.Errorf("spot-2: %s %v %s desired %d taints %+v", replaced.Status, replaced.InstanceTypes, replaced.CapacityType,
			aws.ToInt32(replaced.ScalingConfig.DesiredSize), replaced.Taints)
	}

	// What a Service of type LoadBalancer leaves in the VPC (the AWS Load
	// Balancer Controller tags it for the cluster): delete removes it too,
	// or the subnets and VPC could not go.
	lbc := elb.NewFromConfig(cfg)
	lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("k8s-batch-api-" + id[len(id)-6:]), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternal, Subnets: private,
		Tags: []elbtypes.Tag{{Key: aws.String("kubernetes.io/cluster/" + name), Value: aws.String("owned")},
			{Key: aws.String("elbv2.k8s.aws/cluster"), Value: aws.String(name)}},
	})
	if err != nil {
		t.Fatalf("create the controller's load balancer: %v", err)
	}
	lbARN := aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)

	roles := found["iamrole"]
	e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+id, nil, nil)
	e.waitStatus(t, id, "Deleted", eksTimeout)
	if left := tagged(t, e.customer, id); len(left) > 0 {
		t.Errorf("left tagged after delete: %v", left)
	}
	lbs, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbARN}})
	assertGone(t, "load balancer "+lbARN, err, lenOr(lbs, func(o *elb.DescribeLoadBalancersOutput) int { return len(o.LoadBalancers) }))
	list, err := eksc.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(list.Clusters, name) {
		t.Errorf("EKS still lists %s after delete", name)
	}
	for _, role := range roles {
		if _, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role[strings.LastIndex(role, "/")+1:])}); err == nil {
			t.Errorf("IAM role %s still exists after delete", role)
		}
	}
}

func enabledLogTypes(l *ekstypes.Logging) []string {
	var out []string
	if l == nil {
		return nil
	}
	for _, s := range l.ClusterLogging {
		if aws.ToBool(s.Enabled) {
			for _, typ := range s.Types {
				out = append(out, string(typ))
			}
		}
	}
	slices.Sort(out)
	return out
}

func describeNodegroup(t *testing.T, c *eks.Client, cluster, group string) *ekstypes.Nodegroup {
	t.Helper()
	out, err := c.DescribeNodegroup(context.Background(), &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(group)})
	if err != nil {
		t.Fatalf("describe node group %s: %v", group, err)
	}
	return out.Nodegroup
}

func sameTaint(a, b ekstypes.Taint) bool {
	return aws.ToString(a.Key) == aws.ToString(b.Key) && aws.ToString(a.Value) == aws.ToString(b.Value) && a.Effect == b.Effect
}

// privateSubnets are the cluster's subnets tagged for internal load
// balancers: our private ones.
func privateSubnets(t *testing.T, ec *ec2.Client, clusterID string) []string {
	t.Helper()
	out, err := ec.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + harness.ClusterIDTag), Values: []string{clusterID}},
		{Name: aws.String("tag-key"), Values: []string{"kubernetes.io/role/internal-elb"}},
	}})
	if err != nil {
		t.Fatalf("describe private subnets: %v", err)
	}
	var ids []string
	for _, s := range out.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	if len(ids) != 3 {
		t.Fatalf("private subnets of %s: %v, want 3", clusterID, ids)
	}
	return ids
}

func notIn(ids, set []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(set, id) {
			out = append(out, id)
		}
	}
	return out
}
