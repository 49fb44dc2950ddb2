package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLI runs the AWS CLI against the local endpoint with the customer's
// administrator keys, isolated from any profile on the machine, and decodes
// its JSON output into out.
func awsCLI(t *testing.T, out any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", cloud.AWS, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(withoutAWSEnv(os.Environ()),
		"AWS_ACCESS_KEY_ID="+cloud.Customer.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+cloud.Customer.SecretAccessKey,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if out == nil { // commands that print nothing on success
		return
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("aws %s printed output that is not JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
}

// withoutAWSEnv drops the caller's AWS_* settings (profile, session token,
// endpoint), which would otherwise mix with the customer's keys.
func withoutAWSEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}

// TestAWSCLI: the AWS CLI (botocore's own parsers, not the Go SDK) can
// create and read back VPCs, subnets, Elastic IPs and NAT gateways — the
// last two served by the project's EC2 supplement rather than kumo.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws not on PATH (make test installs awscli)")
	}
	var vpc struct {
		Vpc struct{ VpcId, CidrBlock, State string }
	}
	awsCLI(t, &vpc, "ec2", "create-vpc", "--cidr-block", "10.77.0.0/16")
	vpcID := vpc.Vpc.VpcId
	if !strings.HasPrefix(vpcID, "vpc-") || vpc.Vpc.CidrBlock != "10.77.0.0/16" {
		t.Fatalf("create-vpc = %+v", vpc.Vpc)
	}

	var vpcs struct {
		Vpcs []struct{ VpcId, CidrBlock, State, OwnerId string }
	}
	awsCLI(t, &vpcs, "ec2", "describe-vpcs", "--vpc-ids", vpcID)
	if len(vpcs.Vpcs) != 1 || vpcs.Vpcs[0].VpcId != vpcID || vpcs.Vpcs[0].OwnerId != cloud.Customer.AccountID {
		t.Fatalf("describe-vpcs %s = %+v, want that VPC owned by %s", vpcID, vpcs.Vpcs, cloud.Customer.AccountID)
	}
	t.Logf("describe-vpcs: %s %s %s owner %s", vpcs.Vpcs[0].VpcId, vpcs.Vpcs[0].CidrBlock, vpcs.Vpcs[0].State, vpcs.Vpcs[0].OwnerId)

	// A public NAT gateway needs a subnet, an Elastic IP and an internet
	// gateway on the VPC (without one it fails with Gateway.NotAttached, as
	// on AWS); creating them makes the two describe calls show something
	// rather than parse empty lists.
	var igw struct {
		InternetGateway struct{ InternetGatewayId string }
	}
	awsCLI(t, &igw, "ec2", "create-internet-gateway")
	awsCLI(t, nil, "ec2", "attach-internet-gateway", "--internet-gateway-id", igw.InternetGateway.InternetGatewayId, "--vpc-id", vpcID)
	var subnet struct{ Subnet struct{ SubnetId string } }
	awsCLI(t, &subnet, "ec2", "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.77.1.0/24", "--availability-zone", "us-east-1a")
	var eip struct{ AllocationId, PublicIp string }
	awsCLI(t, &eip, "ec2", "allocate-address", "--domain", "vpc")
	var nat struct{ NatGateway struct{ NatGatewayId string } }
	awsCLI(t, &nat, "ec2", "create-nat-gateway", "--subnet-id", subnet.Subnet.SubnetId, "--allocation-id", eip.AllocationId)

	var addrs struct {
		Addresses []struct{ AllocationId, PublicIp, Domain string }
	}
	awsCLI(t, &addrs, "ec2", "describe-addresses", "--allocation-ids", eip.AllocationId)
	if len(addrs.Addresses) != 1 || addrs.Addresses[0].PublicIp != eip.PublicIp || addrs.Addresses[0].Domain != "vpc" {
		t.Fatalf("describe-addresses %s = %+v, want %s in domain vpc", eip.AllocationId, addrs.Addresses, eip.PublicIp)
	}
	t.Logf("describe-addresses: %s %s", addrs.Addresses[0].AllocationId, addrs.Addresses[0].PublicIp)

	var nats struct {
		NatGateways []struct {
			NatGatewayId, State, SubnetId, VpcId, FailureCode, FailureMessage string
			NatGatewayAddresses                                               []struct{ AllocationId string }
		}
	}
	awsCLI(t, &nats, "ec2", "describe-nat-gateways", "--nat-gateway-ids", nat.NatGateway.NatGatewayId)
	if len(nats.NatGateways) != 1 {
		t.Fatalf("describe-nat-gateways %s = %+v, want one", nat.NatGateway.NatGatewayId, nats.NatGateways)
	}
	g := nats.NatGateways[0]
	if g.VpcId != vpcID || g.SubnetId != subnet.Subnet.SubnetId || len(g.NatGatewayAddresses) != 1 || g.NatGatewayAddresses[0].AllocationId != eip.AllocationId {
		t.Errorf("NAT gateway %+v is not in %s/%s with %s", g, vpcID, subnet.Subnet.SubnetId, eip.AllocationId)
	}
	if g.State != "pending" && g.State != "available" {
		t.Errorf("NAT gateway state %q (%s: %s), want pending or available", g.State, g.FailureCode, g.FailureMessage)
	}
	t.Logf("describe-nat-gateways: %s %s in %s", g.NatGatewayId, g.State, g.SubnetId)
}
