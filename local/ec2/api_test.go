package ec2

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
)

func TestTagFiltersAndPagination(t *testing.T) {
	e := newEnv(t, 0.001)
	for i, cluster := range []string{"alpha", "beta", "alpine"} {
		must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10." + string(rune('0'+i)) + ".0.0/16"),
			TagSpecifications: tagSpec(types.ResourceTypeVpc, "clusterforge.io/cluster-id", cluster)}))(t)
	}
	got := must(e.ec2.DescribeVpcs(e.ctx, &awsec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("tag:clusterforge.io/cluster-id"), Values: []string{"al*"}}}}))(t).Vpcs
	if len(got) != 2 {
		t.Fatalf("tag wildcard filter matched %d VPCs, want 2", len(got))
	}
	got = must(e.ec2.DescribeVpcs(e.ctx, &awsec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("tag-value"), Values: []string{"beta"}}}}))(t).Vpcs
	if len(got) != 1 {
		t.Fatalf("tag-value filter matched %d", len(got))
	}
	must(e.ec2.CreateTags(e.ctx, &awsec2.CreateTagsInput{Resources: []string{*got[0].VpcId}, Tags: []types.Tag{{Key: aws.String("extra"), Value: aws.String("1")}}}))(t)
	tags := must(e.ec2.DescribeTags(e.ctx, &awsec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("key"), Values: []string{"extra"}}}}))(t).Tags
	if len(tags) != 1 || tags[0].ResourceType != types.ResourceTypeVpc {
		t.Fatalf("DescribeTags: %+v", tags)
	}
	must(e.ec2.DeleteTags(e.ctx, &awsec2.DeleteTagsInput{Resources: []string{*got[0].VpcId}, Tags: []types.Tag{{Key: aws.String("extra")}}}))(t)
	if tags := must(e.ec2.DescribeTags(e.ctx, &awsec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("key"), Values: []string{"extra"}}}}))(t).Tags; len(tags) != 0 {
		t.Fatalf("tag not deleted: %+v", tags)
	}
	_, err := e.ec2.DescribeVpcs(e.ctx, &awsec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}}})
	wantCode(t, err, "InvalidParameterValue")

	var pages, total int
	p := awsec2.NewDescribeVpcsPaginator(e.ec2, &awsec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
	e.svc.SetQuota(testRegion, quotaVPCsPerRegion, 20)
	for i := 3; i < 12; i++ {
		must(e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("172.16.0.0/16")}))(t)
	}
	for p.HasMorePages() {
		total += len(must(p.NextPage(e.ctx))(t).Vpcs)
		pages++
	}
	if pages != 3 || total != 12 {
		t.Fatalf("pagination: %d pages, %d VPCs", pages, total)
	}
}

func TestDryRunAndUnsupported(t *testing.T) {
	e := newEnv(t, 0.001)
	_, err := e.ec2.CreateVpc(e.ctx, &awsec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	if len(e.svc.Inventory()) != 0 {
		t.Fatal("DryRun created a resource")
	}
	_, err = e.ec2.CreateVpnGateway(e.ctx, &awsec2.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1})
	wantCode(t, err, "UnsupportedOperation")
}

func TestKeyPairs(t *testing.T) {
	e := newEnv(t, 0.001)
	created := must(e.ec2.CreateKeyPair(e.ctx, &awsec2.CreateKeyPairInput{KeyName: aws.String("a"), TagSpecifications: tagSpec(types.ResourceTypeKeyPair, "k", "v")}))(t)
	if !strings.Contains(aws.ToString(created.KeyMaterial), "PRIVATE KEY") {
		t.Fatal("no key material")
	}
	_, err := e.ec2.CreateKeyPair(e.ctx, &awsec2.CreateKeyPairInput{KeyName: aws.String("a")})
	wantCode(t, err, "InvalidKeyPair.Duplicate")
	pub := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDnWZ5w0gKX3KQ0Uuh2XzH2B4D1rS2KpN9T9V7C0Q5Ut test"
	must(e.ec2.ImportKeyPair(e.ctx, &awsec2.ImportKeyPairInput{KeyName: aws.String("b"), PublicKeyMaterial: []byte(pub)}))(t)
	keys := must(e.ec2.DescribeKeyPairs(e.ctx, &awsec2.DescribeKeyPairsInput{Filters: []types.Filter{{Name: aws.String("key-name"), Values: []string{"*"}}}}))(t).KeyPairs
	if len(keys) != 2 || keys[1].KeyType != types.KeyTypeEd25519 {
		t.Fatalf("key pairs: %+v", keys)
	}
	must(e.ec2.DeleteKeyPair(e.ctx, &awsec2.DeleteKeyPairInput{KeyName: aws.String("a")}))(t)
	_, err = e.ec2.DescribeKeyPairs(e.ctx, &awsec2.DescribeKeyPairsInput{KeyNames: []string{"a"}})
	wantCode(t, err, "InvalidKeyPair.NotFound")
}

func TestServiceQuotas(t *testing.T) {
	e := newEnv(t, 0.001)
	e.svc.SetQuota(testRegion, "max-elastic-ips", 2)
	srv := newQuotaServer(t, e.svc)
	client := servicequotas.New(servicequotas.Options{Region: testRegion, BaseEndpoint: aws.String(srv), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIATEST", "secret", "")})
	for code, want := range map[string]float64{quotaElasticIPs: 2, quotaVPCsPerRegion: 5, quotaNATGatewaysPerAZ: 5, quotaOnDemandStdVCPUs: 256} {
		service := quotaCatalog[code].service
		q := must(client.GetServiceQuota(e.ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: &service, QuotaCode: aws.String(code)}))(t).Quota
		if aws.ToFloat64(q.Value) != want {
			t.Fatalf("%s = %v, want %v", code, aws.ToFloat64(q.Value), want)
		}
	}
	_, err := client.GetServiceQuota(e.ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("ec2"), QuotaCode: aws.String("L-00000000")})
	wantCode(t, err, "NoSuchResourceException")
}

// TestAWSCLIParsesResponses proves botocore (not only the Go SDK) reads the XML.
func TestAWSCLIParsesResponses(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("awscli not on PATH")
	}
	e := newEnv(t, 0.001)
	n := e.network("10.0")
	eip := must(e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "Name", "cli")}))(t)
	must(e.ec2.CreateNatGateway(e.ctx, &awsec2.CreateNatGatewayInput{SubnetId: &n.publicSubnet, AllocationId: eip.AllocationId}))(t)
	for cmd, key := range map[string]string{"describe-vpcs": "Vpcs", "describe-addresses": "Addresses", "describe-nat-gateways": "NatGateways"} {
		c := exec.Command("aws", "ec2", cmd, "--endpoint-url", e.srv.URL, "--region", testRegion, "--output", "json")
		c.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIATEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("aws ec2 %s: %v: %s", cmd, err, stderr.String())
		}
		var parsed map[string][]map[string]any
		if err := json.Unmarshal(out, &parsed); err != nil {
			t.Fatalf("aws ec2 %s output %q: %v", cmd, out, err)
		}
		if len(parsed[key]) != 1 {
			t.Fatalf("aws ec2 %s: %s", cmd, out)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t, 0.001)
	e.svc.SetQuota("", "max-elastic-ips", 100)
	n := e.network("10.0")
	done := make(chan error, 40)
	for i := 0; i < 40; i++ {
		go func() {
			_, err := e.ec2.AllocateAddress(e.ctx, &awsec2.AllocateAddressInput{})
			if err == nil {
				_, err = e.ec2.CreateNetworkInterface(e.ctx, &awsec2.CreateNetworkInterfaceInput{SubnetId: &n.privateSubnet})
			}
			done <- err
		}()
	}
	for i := 0; i < 40; i++ {
		must(0, <-done)(t)
	}
	enis := must(e.ec2.DescribeNetworkInterfaces(e.ctx, &awsec2.DescribeNetworkInterfacesInput{}))(t).NetworkInterfaces
	seen := map[string]bool{}
	for _, eni := range enis {
		seen[aws.ToString(eni.PrivateIpAddress)] = true
	}
	if len(enis) != 40 || len(seen) != 40 {
		t.Fatalf("%d ENIs with %d distinct private IPs, want 40", len(enis), len(seen))
	}
}
