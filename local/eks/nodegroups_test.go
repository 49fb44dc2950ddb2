package eks_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

func spotGroup(name string, subnets []string) *awseks.CreateNodegroupInput {
	return &awseks.CreateNodegroupInput{ClusterName: aws.String("c"), NodegroupName: aws.String(name), NodeRole: aws.String(nodeRole),
		Subnets: subnets, InstanceTypes: []string{"m5.large"}, CapacityType: ekstypes.CapacityTypesSpot,
		ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredSize: aws.Int32(3)},
		Labels:        map[string]string{"tier": "web", "old": "x"},
		Taints:        []ekstypes.Taint{{Key: aws.String("lifecycle"), Value: aws.String("spot"), Effect: ekstypes.TaintEffectNoSchedule}},
		Tags:          map[string]string{"owner": "test"}}
}

// A managed node group keeps its desired instances running in its subnets'
// zones, scales them on a config update (UPDATING → ACTIVE, the update
// Successful), and terminates them when it is deleted; the cluster cannot
// be deleted while it exists.
func TestNodegroupLifecycleAndInstances(t *testing.T) {
	e := newEnv(t, 0.001)
	e.createCluster("c", nil)
	_, err := e.eks.CreateNodegroup(e.ctx, spotGroup("early", e.net.private))
	wantCode(t, err, "ResourceInUseException") // the cluster is still CREATING
	e.waitCluster("c", ekstypes.ClusterStatusActive)

	ng := must(e.eks.CreateNodegroup(e.ctx, spotGroup("spot", e.net.private)))(t).Nodegroup
	if ng.Status != ekstypes.NodegroupStatusCreating || ng.CapacityType != ekstypes.CapacityTypesSpot || ng.Tags["owner"] != "test" {
		t.Fatalf("new node group: %s %s tags %v", ng.Status, ng.CapacityType, ng.Tags)
	}
	nodes := e.instances("eks:nodegroup-name", "spot")
	zones := map[string]int{}
	for _, in := range nodes {
		zones[aws.ToString(in.Placement.AvailabilityZone)]++
		if in.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot || in.InstanceType != "m5.large" ||
			tagOf(in.Tags, "eks:cluster-name") != "c" || tagOf(in.Tags, "kubernetes.io/cluster/c") != "owned" {
			t.Errorf("node %s: lifecycle %s type %s tags %v", aws.ToString(in.InstanceId), in.InstanceLifecycle, in.InstanceType, in.Tags)
		}
	}
	if len(nodes) != 3 || len(zones) != 2 {
		t.Fatalf("%d nodes in zones %v, want 3 over 2 zones", len(nodes), zones)
	}
	_, err = e.eks.DeleteCluster(e.ctx, &awseks.DeleteClusterInput{Name: aws.String("c")})
	wantCode(t, err, "ResourceInUseException")
	_, err = e.eks.CreateNodegroup(e.ctx, spotGroup("spot", e.net.private))
	wantCode(t, err, "ResourceInUseException")
	e.waitNodegroup("c", "spot", ekstypes.NodegroupStatusActive)

	upd := must(e.eks.UpdateNodegroupConfig(e.ctx, &awseks.UpdateNodegroupConfigInput{ClusterName: aws.String("c"), NodegroupName: aws.String("spot"),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredSize: aws.Int32(1)},
		Labels:        &ekstypes.UpdateLabelsPayload{AddOrUpdateLabels: map[string]string{"tier": "api"}, RemoveLabels: []string{"old"}},
		Taints: &ekstypes.UpdateTaintsPayload{RemoveTaints: []ekstypes.Taint{{Key: aws.String("lifecycle"), Effect: ekstypes.TaintEffectNoSchedule}},
			AddOrUpdateTaints: []ekstypes.Taint{{Key: aws.String("dedicated"), Value: aws.String("gpu"), Effect: ekstypes.TaintEffectNoExecute}}},
		UpdateConfig: &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(2)},
	}))(t).Update
	if upd.Status != ekstypes.UpdateStatusInProgress || upd.Type != ekstypes.UpdateTypeConfigUpdate || aws.ToString(upd.Id) == "" {
		t.Fatalf("update %+v", upd)
	}
	_, err = e.eks.UpdateNodegroupConfig(e.ctx, &awseks.UpdateNodegroupConfigInput{ClusterName: aws.String("c"), NodegroupName: aws.String("spot"),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(2)}})
	wantCode(t, err, "ResourceInUseException") // UPDATING
	ng = e.waitNodegroup("c", "spot", ekstypes.NodegroupStatusActive)
	if aws.ToInt32(ng.ScalingConfig.DesiredSize) != 1 || ng.Labels["tier"] != "api" || ng.Labels["old"] != "" ||
		len(ng.Taints) != 1 || aws.ToString(ng.Taints[0].Key) != "dedicated" || aws.ToInt32(ng.UpdateConfig.MaxUnavailable) != 2 {
		t.Fatalf("after the update: desired %d labels %v taints %+v", aws.ToInt32(ng.ScalingConfig.DesiredSize), ng.Labels, ng.Taints)
	}
	done := must(e.eks.DescribeUpdate(e.ctx, &awseks.DescribeUpdateInput{Name: aws.String("c"), NodegroupName: aws.String("spot"), UpdateId: upd.Id}))(t).Update
	if done.Status != ekstypes.UpdateStatusSuccessful {
		t.Fatalf("update status %s, want Successful", done.Status)
	}
	if n := len(e.instances("eks:nodegroup-name", "spot")); n != 1 {
		t.Fatalf("%d nodes after scaling to 1", n)
	}

	del := must(e.eks.DeleteNodegroup(e.ctx, &awseks.DeleteNodegroupInput{ClusterName: aws.String("c"), NodegroupName: aws.String("spot")}))(t)
	if del.Nodegroup.Status != ekstypes.NodegroupStatusDeleting {
		t.Fatalf("DeleteNodegroup status %s", del.Nodegroup.Status)
	}
	if n := len(e.instances("eks:nodegroup-name", "spot")); n != 0 {
		t.Fatalf("%d nodes still pending or running after DeleteNodegroup", n)
	}
	eventually(t, "node group gone", func() bool {
		return len(must(e.eks.ListNodegroups(e.ctx, &awseks.ListNodegroupsInput{ClusterName: aws.String("c")}))(t).Nodegroups) == 0
	})
	must(e.eks.DeleteCluster(e.ctx, &awseks.DeleteClusterInput{Name: aws.String("c")}))(t)
}

func TestNodegroupRefusesWhatAWSRefuses(t *testing.T) {
	e := newEnv(t, 0.001)
	e.activeCluster("c")
	cases := map[string]func(*awseks.CreateNodegroupInput){
		"min above desired": func(in *awseks.CreateNodegroupInput) { in.ScalingConfig.MinSize = aws.Int32(4) },
		"desired above max": func(in *awseks.CreateNodegroupInput) { in.ScalingConfig.MaxSize = aws.Int32(2) },
		"max zero": func(in *awseks.CreateNodegroupInput) {
			in.ScalingConfig = &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(0), MaxSize: aws.Int32(0), DesiredSize: aws.Int32(0)}
		},
		"taint effect":     func(in *awseks.CreateNodegroupInput) { in.Taints[0].Effect = "NoSchedule" },
		"capacity type":    func(in *awseks.CreateNodegroupInput) { in.CapacityType = "RESERVED" },
		"AL2 on 1.33":      func(in *awseks.CreateNodegroupInput) { in.AmiType = ekstypes.AMITypesAl2X8664 },
		"instance type":    func(in *awseks.CreateNodegroupInput) { in.InstanceTypes = []string{"m99.huge"} },
		"role not for ec2": func(in *awseks.CreateNodegroupInput) { in.NodeRole = aws.String(clusterRole) },
		"unknown subnet":   func(in *awseks.CreateNodegroupInput) { in.Subnets = []string{"subnet-0123456789abcdef0"} },
	}
	for name, mutate := range cases {
		in := spotGroup("g", e.net.private)
		mutate(in)
		_, err := e.eks.CreateNodegroup(e.ctx, in)
		t.Run(name, func(t *testing.T) { wantCode(t, err, "InvalidParameterException") })
	}
	if n := len(e.instances("eks:cluster-name", "c")); n != 0 {
		t.Fatalf("refused creates launched %d instances", n)
	}

	// A retried create (same token) answers the same group and launches
	// no more instances.
	in := spotGroup("g", e.net.private)
	in.ClientRequestToken = aws.String("tok")
	first := must(e.eks.CreateNodegroup(e.ctx, in))(t).Nodegroup
	again := must(e.eks.CreateNodegroup(e.ctx, in))(t).Nodegroup
	if aws.ToString(first.NodegroupArn) != aws.ToString(again.NodegroupArn) {
		t.Fatalf("retried create: %s then %s", aws.ToString(first.NodegroupArn), aws.ToString(again.NodegroupArn))
	}
	if n := len(e.instances("eks:nodegroup-name", "g")); n != 3 {
		t.Fatalf("%d instances after a retried create, want 3", n)
	}
	// Tags work on the node group's ARN.
	must(e.eks.TagResource(e.ctx, &awseks.TagResourceInput{ResourceArn: first.NodegroupArn, Tags: map[string]string{"k": "v"}}))(t)
	tags := must(e.eks.ListTagsForResource(e.ctx, &awseks.ListTagsForResourceInput{ResourceArn: first.NodegroupArn}))(t).Tags
	if tags["k"] != "v" || tags["owner"] != "test" {
		t.Fatalf("node group tags %v", tags)
	}
	e.waitNodegroup("c", "g", ekstypes.NodegroupStatusActive)
	_, err := e.eks.UpdateNodegroupConfig(e.ctx, &awseks.UpdateNodegroupConfigInput{ClusterName: aws.String("c"), NodegroupName: aws.String("g"),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(9)}})
	wantCode(t, err, "InvalidParameterException")
}

// An Auto Scaling group that cannot launch (the account's vCPU quota) fails
// the node group's creation with EKS's health issue.
func TestNodegroupCreateFailsWhenInstancesCannotLaunch(t *testing.T) {
	e := newEnv(t, 0.001)
	e.activeCluster("c")
	e.ec2svc.SetQuota(region, "L-1216C47A", 4) // two m5.large
	in := spotGroup("big", e.net.private)
	in.CapacityType = ekstypes.CapacityTypesOnDemand
	must(e.eks.CreateNodegroup(e.ctx, in))(t)
	ng := e.waitNodegroup("c", "big", ekstypes.NodegroupStatusCreateFailed)
	if ng.Health == nil || len(ng.Health.Issues) != 1 || ng.Health.Issues[0].Code != ekstypes.NodegroupIssueCodeAsgInstanceLaunchFailures {
		t.Fatalf("health %+v, want AsgInstanceLaunchFailures", ng.Health)
	}
	if n := len(e.instances("eks:nodegroup-name", "big")); n != 2 {
		t.Fatalf("%d instances launched within a quota of two", n)
	}
}
