package router_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/clusterforge/clusterforge/local/latency"
)

func TestTargetHealthGoesInitialThenHealthy(t *testing.T) {
	c := newCloud(t)
	delay := 200 * time.Millisecond
	c.latency.Set(latency.TargetHealthy, delay) // scale 1: wall = AWS time
	client := elb.NewFromConfig(c.admin(c.customer))
	ctx := context.Background()

	tg, err := client.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("tg-health"),
		Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(443), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumInstance})
	if err != nil {
		t.Fatalf("CreateTargetGroup: %v", err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if !strings.Contains(arn, ":"+customerID+":") {
		t.Fatalf("target group ARN %s lacks the customer account id", arn)
	}
	c.ec2.setState("i-aaa", "running")
	c.ec2.setState("i-bbb", "stopped")
	_, err = client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("i-aaa"), Port: aws.Int32(443)}, {Id: aws.String("i-bbb"), Port: aws.Int32(443)}}})
	if err != nil {
		t.Fatalf("RegisterTargets: %v", err)
	}

	states := func() map[string]elbtypes.TargetHealthStateEnum {
		t.Helper()
		out, err := client.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeTargetHealth: %v", err)
		}
		m := map[string]elbtypes.TargetHealthStateEnum{}
		for _, d := range out.TargetHealthDescriptions {
			m[aws.ToString(d.Target.Id)] = d.TargetHealth.State
		}
		return m
	}
	if s := states(); s["i-aaa"] != elbtypes.TargetHealthStateEnumInitial || s["i-bbb"] != elbtypes.TargetHealthStateEnumUnused {
		t.Fatalf("right after registration: %v, want i-aaa initial, i-bbb unused", s)
	}
	time.Sleep(delay + 50*time.Millisecond)
	if s := states(); s["i-aaa"] != elbtypes.TargetHealthStateEnumHealthy {
		t.Fatalf("after the health-check delay: %v, want i-aaa healthy", s)
	}

	if _, err := client.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("i-aaa"), Port: aws.Int32(443)}}}); err != nil {
		t.Fatalf("DeregisterTargets: %v", err)
	}
	if s := states(); s["i-aaa"] != elbtypes.TargetHealthStateEnumDraining {
		t.Fatalf("after deregistration: %v, want i-aaa draining", s)
	}

	_, err = client.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{
		TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:" + customerID + ":targetgroup/none/0")})
	apiError(t, err, "TargetGroupNotFound")
}
