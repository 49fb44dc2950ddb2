package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func (e *env) instance(id string) types.Instance {
	e.t.Helper()
	out := must(e.ec2.DescribeInstances(e.ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{id}}))(e.t)
	return out.Reservations[0].Instances[0]
}

func (e *env) run(subnetID string, mutate func(*awsec2.RunInstancesInput)) (*awsec2.RunInstancesOutput, error) {
	in := &awsec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: types.InstanceTypeT3Medium,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: &subnetID}
	if mutate != nil {
		mutate(in)
	}
	return e.ec2.RunInstances(e.ctx, in)
}

func TestInstancesLifecycle(t *testing.T) {
	e := newEnv(t, 0.002) // running after ~60ms, terminated after ~90ms
	n := e.network("10.0")
	must(e.ec2.CreateKeyPair(e.ctx, &awsec2.CreateKeyPairInput{KeyName: aws.String("ops")}))(t)
	sg := must(e.ec2.CreateSecurityGroup(e.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String("nodes"), Description: aws.String("nodes"), VpcId: &n.vpcID}))(t)

	bastion := must(e.run(n.publicSubnet, func(in *awsec2.RunInstancesInput) {
		in.KeyName, in.SecurityGroupIds, in.UserData = aws.String("ops"), []string{*sg.GroupId}, aws.String("I2Nsb3VkLWNvbmZpZw==")
		in.ClientToken = aws.String("bastion-1")
		in.IamInstanceProfile = &types.IamInstanceProfileSpecification{Name: aws.String("nodes")}
		in.BlockDeviceMappings = []types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &types.EbsBlockDevice{VolumeSize: aws.Int32(40)}}}
		in.TagSpecifications = append(tagSpec(types.ResourceTypeInstance, "Name", "bastion"), tagSpec(types.ResourceTypeVolume, "Name", "bastion-root")...)
	}))(t)
	inst := bastion.Instances[0]
	if inst.State.Name != types.InstanceStateNamePending || aws.ToString(inst.PublicIpAddress) == "" || tagValue(inst.Tags, "Name") != "bastion" {
		t.Fatalf("bastion: %+v", inst)
	}
	retry := must(e.run(n.publicSubnet, func(in *awsec2.RunInstancesInput) { in.ClientToken = aws.String("bastion-1") }))(t)
	if *retry.ReservationId != *bastion.ReservationId || *retry.Instances[0].InstanceId != *inst.InstanceId {
		t.Fatal("ClientToken retry launched a new reservation")
	}
	private := must(e.run(n.privateSubnet, nil))(t).Instances[0]
	if private.PublicIpAddress != nil || aws.ToString(private.PrivateIpAddress) != "10.0.1.4" {
		t.Fatalf("private instance: public %v private %v", aws.ToString(private.PublicIpAddress), aws.ToString(private.PrivateIpAddress))
	}

	eventually(t, "running", func() bool { return e.instance(*inst.InstanceId).State.Name == types.InstanceStateNameRunning })
	got := e.instance(*inst.InstanceId)
	if aws.ToString(got.Placement.AvailabilityZone) != "us-east-1a" || aws.ToString(got.VpcId) != n.vpcID || got.SecurityGroups[0].GroupName == nil {
		t.Fatalf("described: %+v", got)
	}
	ud := must(e.ec2.DescribeInstanceAttribute(e.ctx, &awsec2.DescribeInstanceAttributeInput{InstanceId: inst.InstanceId, Attribute: types.InstanceAttributeNameUserData}))(t)
	if aws.ToString(ud.UserData.Value) != "I2Nsb3VkLWNvbmZpZw==" {
		t.Fatalf("userData: %+v", ud.UserData)
	}
	vols := must(e.ec2.DescribeVolumes(e.ctx, &awsec2.DescribeVolumesInput{Filters: []types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{*inst.InstanceId}}}}))(t).Volumes
	if len(vols) != 1 || aws.ToInt32(vols[0].Size) != 40 || tagValue(vols[0].Tags, "Name") != "bastion-root" {
		t.Fatalf("volumes: %+v", vols)
	}

	_, err := e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: &n.vpcID})
	wantCode(t, err, "DependencyViolation")
	_, err = e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: &n.publicSubnet})
	wantCode(t, err, "DependencyViolation")

	term := must(e.ec2.TerminateInstances(e.ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{*inst.InstanceId, *private.InstanceId}}))(t)
	if term.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %+v", term.TerminatingInstances[0])
	}
	eventually(t, "terminated", func() bool { return e.instance(*inst.InstanceId).State.Name == types.InstanceStateNameTerminated })
	eventually(t, "terminated", func() bool { return e.instance(*private.InstanceId).State.Name == types.InstanceStateNameTerminated })
	must(e.ec2.DetachInternetGateway(e.ctx, &awsec2.DetachInternetGatewayInput{InternetGatewayId: &n.igwID, VpcId: &n.vpcID}))(t)
	must(e.ec2.DeleteSubnet(e.ctx, &awsec2.DeleteSubnetInput{SubnetId: &n.publicSubnet}))(t)
	if vols := must(e.ec2.DescribeVolumes(e.ctx, &awsec2.DescribeVolumesInput{}))(t).Volumes; len(vols) != 0 {
		t.Fatalf("volumes left after termination: %+v", vols)
	}
}

func TestRunInstancesErrors(t *testing.T) {
	e := newEnv(t, 0.001)
	n := e.network("10.0")
	cases := []struct {
		name   string
		subnet string
		mutate func(*awsec2.RunInstancesInput)
		code   string
	}{
		{"unknown AMI", n.publicSubnet, func(in *awsec2.RunInstancesInput) { in.ImageId = aws.String("ami-00000000000000000") }, "InvalidAMIID.NotFound"},
		{"unknown key", n.publicSubnet, func(in *awsec2.RunInstancesInput) { in.KeyName = aws.String("nope") }, "InvalidKeyPair.NotFound"},
		{"type not offered in zone b", n.privateSubnet, func(in *awsec2.RunInstancesInput) { in.InstanceType = types.InstanceTypeM5Large }, "Unsupported"},
		{"spot max price too low", n.publicSubnet, func(in *awsec2.RunInstancesInput) {
			in.InstanceMarketOptions = &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot, SpotOptions: &types.SpotMarketOptions{MaxPrice: aws.String("0.01")}}
		}, "SpotMaxPriceTooLow"},
		{"vCPU quota", n.publicSubnet, func(in *awsec2.RunInstancesInput) { in.MinCount, in.MaxCount = aws.Int32(200), aws.Int32(200) }, "VcpuLimitExceeded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.run(c.subnet, c.mutate)
			wantCode(t, err, c.code)
		})
	}
	spot := must(e.run(n.publicSubnet, func(in *awsec2.RunInstancesInput) {
		in.InstanceMarketOptions = &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot, SpotOptions: &types.SpotMarketOptions{MaxPrice: aws.String("0.10")}}
	}))(t).Instances[0]
	if spot.InstanceLifecycle != types.InstanceLifecycleTypeSpot {
		t.Fatalf("spot lifecycle: %+v", spot.InstanceLifecycle)
	}
	// MinCount/MaxCount: as many as fit under the quota, at least MinCount.
	e.svc.SetQuota(testRegion, quotaOnDemandStdVCPUs, 6)
	res := must(e.run(n.publicSubnet, func(in *awsec2.RunInstancesInput) { in.MinCount, in.MaxCount = aws.Int32(2), aws.Int32(5) }))(t)
	if len(res.Instances) != 3 {
		t.Fatalf("launched %d instances under a 6-vCPU quota, want 3", len(res.Instances))
	}
}

func TestLaunchTemplate(t *testing.T) {
	e := newEnv(t, 0.001)
	n := e.network("10.0")
	lt := must(e.ec2.CreateLaunchTemplate(e.ctx, &awsec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("workers"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(testAMI), InstanceType: types.InstanceTypeM5Xlarge, UserData: aws.String("dXNlcmRhdGE=")}}))(t).LaunchTemplate
	must(e.ec2.CreateLaunchTemplateVersion(e.ctx, &awsec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: lt.LaunchTemplateId, SourceVersion: aws.String("1"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{InstanceType: types.InstanceTypeT3Medium}}))(t)
	versions := must(e.ec2.DescribeLaunchTemplateVersions(e.ctx, &awsec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String("workers")}))(t).LaunchTemplateVersions
	if len(versions) != 2 || aws.ToString(versions[1].LaunchTemplateData.ImageId) != testAMI {
		t.Fatalf("versions: %+v", versions)
	}
	inst := must(e.ec2.RunInstances(e.ctx, &awsec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: &n.privateSubnet,
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplateId, Version: aws.String("$Latest")}}))(t).Instances[0]
	if inst.InstanceType != types.InstanceTypeT3Medium || aws.ToString(inst.ImageId) != testAMI {
		t.Fatalf("template not merged: %+v", inst)
	}
	must(e.ec2.DeleteLaunchTemplate(e.ctx, &awsec2.DeleteLaunchTemplateInput{LaunchTemplateId: lt.LaunchTemplateId}))(t)
	_, err := e.ec2.DescribeLaunchTemplates(e.ctx, &awsec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"workers"}})
	wantCode(t, err, "InvalidLaunchTemplateName.NotFoundException")
}
