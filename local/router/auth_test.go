package router_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCreateRoleARNCarriesRealAccountID(t *testing.T) {
	c := newCloud(t)
	arn := c.createRole(uniqueName(t, "r"), "ext")
	want := "arn:aws:iam::" + customerID + ":role/" + uniqueName(t, "r")
	if arn != want {
		t.Fatalf("CreateRole ARN = %s, want %s", arn, want)
	}
	// kumo must still find the role when the client names the real id.
	got, err := iam.NewFromConfig(c.admin(c.customer)).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(uniqueName(t, "r"))})
	if err != nil || aws.ToString(got.Role.Arn) != want {
		t.Fatalf("GetRole = %v, %v; want ARN %s", got, err, want)
	}
}

func TestAssumeRoleChecksTrustPolicy(t *testing.T) {
	c := newCloud(t)
	roleARN := c.createRole(uniqueName(t, "r"), "right-id")
	ctx := context.Background()
	assume := func(cfg aws.Config, externalID *string) error {
		_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: externalID})
		return err
	}
	if err := assume(c.admin(c.platform), aws.String("right-id")); err != nil {
		t.Fatalf("AssumeRole with the right ExternalId: %v", err)
	}
	cases := map[string]struct {
		cfg        aws.Config
		externalID *string
		caller     string
	}{
		"wrong external id": {c.admin(c.platform), aws.String("wrong-id"), "arn:aws:iam::" + platformID + ":root"},
		"no external id":    {c.admin(c.platform), nil, "arn:aws:iam::" + platformID + ":root"},
		"wrong principal":   {c.admin(c.customer), aws.String("right-id"), "arn:aws:iam::" + customerID + ":root"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ae := apiError(t, assume(tc.cfg, tc.externalID), "AccessDenied")
			want := "User: " + tc.caller + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN
			if ae.ErrorMessage() != want {
				t.Fatalf("message = %q, want %q", ae.ErrorMessage(), want)
			}
		})
	}
}

func TestTemporaryCredentialsAreBoundToTheTargetAccount(t *testing.T) {
	c := newCloud(t)
	role := uniqueName(t, "r")
	roleARN := c.createRole(role, "ext", allowDoc("dynamodb:*"))
	temp := c.assume(roleARN, "ext")
	ctx := context.Background()

	id, err := sts.NewFromConfig(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != customerID || aws.ToString(id.Arn) != "arn:aws:sts::"+customerID+":assumed-role/"+role+"/test" {
		t.Fatalf("GetCallerIdentity = %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	table := uniqueName(t, "t")
	out, err := dynamodb.NewFromConfig(temp).CreateTable(ctx, newTableInput(table))
	if err != nil {
		t.Fatalf("CreateTable with temporary credentials: %v", err)
	}
	if arn := aws.ToString(out.TableDescription.TableArn); !strings.Contains(arn, ":"+customerID+":table/") {
		t.Fatalf("table ARN %s does not carry the customer account id", arn)
	}
	if !listsTable(t, c.admin(c.customer), table) {
		t.Fatal("table missing from the customer account")
	}
	if listsTable(t, c.admin(c.platform), table) {
		t.Fatal("table leaked into the platform account")
	}
}

func TestRoleWithoutPoliciesIsDenied(t *testing.T) {
	c := newCloud(t)
	temp := c.assume(c.createRole(uniqueName(t, "r"), "ext"), "ext")
	ctx := context.Background()

	_, err := ec2.NewFromConfig(temp).CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String("subnet-1")})
	ae := apiError(t, err, "UnauthorizedOperation")
	session := "arn:aws:sts::" + customerID + ":assumed-role/" + uniqueName(t, "r") + "/test"
	want := "You are not authorized to perform this operation. User: " + session +
		" is not authorized to perform: ec2:CreateNatGateway because no identity-based policy allows the ec2:CreateNatGateway action"
	if ae.ErrorMessage() != want {
		t.Fatalf("message = %q\nwant %q", ae.ErrorMessage(), want)
	}
	if n := c.ec2.count("CreateNatGateway"); n != 0 {
		t.Fatalf("denied call reached EC2 %d times", n)
	}
	_, err = dynamodb.NewFromConfig(temp).ListTables(ctx, &dynamodb.ListTablesInput{})
	apiError(t, err, "AccessDeniedException")
}

func TestExplicitDenyWinsOverAllowAll(t *testing.T) {
	c := newCloud(t)
	temp := c.assume(c.createRole(uniqueName(t, "r"), "ext", allowDoc("*"), denyDoc("ec2:CreateNat*")), "ext")
	client := ec2.NewFromConfig(temp)
	ctx := context.Background()
	if _, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("DescribeVpcs under Allow *: %v", err)
	}
	_, err := client.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String("subnet-1")})
	ae := apiError(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "explicit deny") {
		t.Fatalf("message %q does not mention the explicit deny", ae.ErrorMessage())
	}
}

func TestDryRunIsAuthorizedLikeTheRealCall(t *testing.T) {
	c := newCloud(t)
	temp := c.assume(c.createRole(uniqueName(t, "r"), "ext", allowDoc("ec2:RunInstances")), "ext")
	client := ec2.NewFromConfig(temp)
	ctx := context.Background()

	_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{DryRun: aws.Bool(true), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), ImageId: aws.String("ami-1")})
	apiError(t, err, "DryRunOperation")
	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{DryRun: aws.Bool(true), InstanceIds: []string{"i-1"}})
	apiError(t, err, "UnauthorizedOperation")

	var dryRuns int
	for _, call := range c.calls.Calls() {
		if call.DryRun {
			dryRuns++
		}
	}
	if dryRuns != 2 {
		t.Fatalf("recorded %d DryRun calls, want 2", dryRuns)
	}
}

func TestBadSignatureAndUnknownKeys(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	wrongSecret := c.config(c.customer.AdminKey, "not-the-secret", "")

	_, err := iam.NewFromConfig(wrongSecret).ListRoles(ctx, &iam.ListRolesInput{})
	apiError(t, err, "SignatureDoesNotMatch")
	_, err = ec2.NewFromConfig(wrongSecret).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	apiError(t, err, "AuthFailure")
	_, err = dynamodb.NewFromConfig(wrongSecret).ListTables(ctx, &dynamodb.ListTablesInput{})
	apiError(t, err, "InvalidSignatureException")

	unknown := c.config("AKIAUNKNOWNUNKNOWN00", "secret", "")
	_, err = iam.NewFromConfig(unknown).ListRoles(ctx, &iam.ListRolesInput{})
	apiError(t, err, "InvalidClientTokenId")
	_, err = dynamodb.NewFromConfig(unknown).ListTables(ctx, &dynamodb.ListTablesInput{})
	apiError(t, err, "UnrecognizedClientException")
}

func TestExpiredTemporaryCredentials(t *testing.T) {
	c := newCloud(t)
	roleARN := c.createRole(uniqueName(t, "r"), "ext", allowDoc("*"))
	c.router.STS().Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	temp := c.assume(roleARN, "ext")
	_, err := iam.NewFromConfig(temp).ListRoles(context.Background(), &iam.ListRolesInput{})
	apiError(t, err, "ExpiredToken")
}

func TestIAMUserKeysAreEnforced(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(c.admin(c.customer))
	user := uniqueName(t, "u")
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(allowDoc("ec2:Describe*"))}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	client := ec2.NewFromConfig(cfg)
	if _, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("user allowed ec2:Describe*: %v", err)
	}
	_, err = client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	ae := apiError(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "arn:aws:iam::"+customerID+":user/"+user) {
		t.Fatalf("message %q does not name the user", ae.ErrorMessage())
	}
}
