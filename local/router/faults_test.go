package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/faults"
	"github.com/clusterforge/clusterforge/local/ratelimit"
)

func TestFaultNthAndTimes(t *testing.T) {
	c := newCloud(t)
	if _, err := c.faults.Add(faults.Rule{Service: "ec2", Action: "DescribeVpcs", Nth: 2, Times: 2, Kind: faults.Throttle}); err != nil {
		t.Fatal(err)
	}
	client := ec2.NewFromConfig(c.admin(c.customer))
	wantThrottled := []bool{false, true, true, false, false}
	for i, want := range wantThrottled {
		_, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
		if want {
			apiError(t, err, "RequestLimitExceeded")
		} else if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if got := c.ec2.count("DescribeVpcs"); got != 3 {
		t.Fatalf("EC2 saw %d DescribeVpcs, want 3 (throttled calls must not reach it)", got)
	}
}

func TestFaultKindsAnswerEachProtocolsError(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	cases := []struct {
		rule faults.Rule
		call func() error
		code string
	}{
		{faults.Rule{Service: "dynamodb", Action: "ListTables", Nth: 1, Kind: faults.Throttle}, func() error {
			_, err := dynamodb.NewFromConfig(c.admin(c.customer)).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}, "ThrottlingException"},
		{faults.Rule{Service: "iam", Action: "ListRoles", Nth: 1, Kind: faults.Throttle}, func() error {
			_, err := iam.NewFromConfig(c.admin(c.customer)).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, "Throttling"},
		{faults.Rule{Service: "ec2", Action: "CreateVpc", Nth: 1, Kind: faults.ServerError}, func() error {
			_, err := ec2.NewFromConfig(c.admin(c.customer)).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
			return err
		}, "InternalError"},
		{faults.Rule{Service: "dynamodb", Action: "ListTables", Nth: 1, Kind: faults.ServerError}, func() error {
			_, err := dynamodb.NewFromConfig(c.admin(c.customer)).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}, "ServiceUnavailable"},
		{faults.Rule{Service: "ec2", Action: "RunInstances", Nth: 1, Kind: faults.Capacity, Account: customerID}, func() error {
			_, err := ec2.NewFromConfig(c.admin(c.customer)).RunInstances(ctx, &ec2.RunInstancesInput{
				MinCount: aws.Int32(1), MaxCount: aws.Int32(1), ImageId: aws.String("ami-1"), InstanceType: "m5.large"})
			return err
		}, "InsufficientInstanceCapacity"},
	}
	for _, tc := range cases {
		t.Run(string(tc.rule.Kind)+"/"+tc.rule.Service, func(t *testing.T) {
			if _, err := c.faults.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			apiError(t, tc.call(), tc.code)
			if err := tc.call(); err != nil {
				t.Fatalf("second call, after the one-shot fault: %v", err)
			}
		})
	}
}

func TestFaultInOtherAccountDoesNotFire(t *testing.T) {
	c := newCloud(t)
	if _, err := c.faults.Add(faults.Rule{Account: platformID, Service: "ec2", Action: "DescribeVpcs", Kind: faults.ServerError}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(c.admin(c.customer)).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("fault for the platform account fired in the customer account: %v", err)
	}
}

func TestLostResponseTakesEffect(t *testing.T) {
	c := newCloud(t)
	if _, err := c.faults.Add(faults.Rule{Service: "dynamodb", Action: "CreateTable", Kind: faults.LostResponse}); err != nil {
		t.Fatal(err)
	}
	table := uniqueName(t, "t")
	_, err := dynamodb.NewFromConfig(c.admin(c.customer)).CreateTable(context.Background(), newTableInput(table))
	assertTransportError(t, err)
	if !listsTable(t, c.admin(c.customer), table) {
		t.Fatal("the lost CreateTable did not take effect")
	}
	if n := c.calls.Count(customerID, "dynamodb", "CreateTable"); n != 1 {
		t.Fatalf("recorded %d CreateTable calls, want 1", n)
	}
}

func TestCrashAfterCallKillsTheCaller(t *testing.T) {
	c := newCloud(t)
	if _, err := c.faults.Add(faults.Rule{Service: "dynamodb", Action: "CreateTable", Kind: faults.CrashAfterCall}); err != nil {
		t.Fatal(err)
	}
	table := uniqueName(t, "t")
	_, err := dynamodb.NewFromConfig(c.admin(c.customer)).CreateTable(context.Background(), newTableInput(table))
	assertTransportError(t, err)
	select {
	case app := <-c.crashes:
		if app != "test-app" {
			t.Fatalf("OnCrash(%q), want the SDK app id test-app", app)
		}
	default:
		t.Fatal("OnCrash was not called")
	}
	if !listsTable(t, c.admin(c.customer), table) {
		t.Fatal("the call before the crash did not take effect")
	}
}

// assertTransportError checks the client got no AWS answer at all.
func assertTransportError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("client got an answer; want the connection dropped")
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		t.Fatalf("client got AWS error %s; want the connection dropped", ae.ErrorCode())
	}
}

func TestRateLimitAnswersRequestLimitExceeded(t *testing.T) {
	c := newCloud(t)
	// A huge time scale makes the buckets refill negligibly during the test,
	// so exactly the published bucket size passes.
	c.limits.SetTimeScale(1e6)
	client := ec2.NewFromConfig(c.admin(c.customer))
	capacity := int(ratelimit.Defaults[ratelimit.UnfilteredNonMutating].Capacity)
	for i := 0; i < capacity; i++ {
		if _, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
			t.Fatalf("call %d within the bucket: %v", i+1, err)
		}
	}
	_, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	apiError(t, err, "RequestLimitExceeded")
	if n := c.limits.Throttled()[ratelimit.UnfilteredNonMutating]; n != 1 {
		t.Fatalf("throttle counter = %d, want 1", n)
	}
	// Filtered calls use their own, larger bucket.
	if _, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-1"}}); err != nil {
		t.Fatalf("filtered DescribeVpcs: %v", err)
	}
	c.limits.SetEnabled(false)
	if _, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("with throttling off: %v", err)
	}
}
