package cloud

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
)

// fakeQuotaEC2 serves the describes the quota headroom reads.
type fakeQuotaEC2 struct {
	attrs     map[string]string
	addresses int
	vpcs      int
	nats      []ec2types.NatGateway
	subnetAZ  map[string]string
	instances []ec2types.Instance
	vcpus     map[ec2types.InstanceType]int32
	failVPCs  error
}

func (f *fakeQuotaEC2) DescribeAccountAttributes(_ context.Context, in *ec2.DescribeAccountAttributesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAccountAttributesOutput, error) {
	out := &ec2.DescribeAccountAttributesOutput{}
	for k, v := range f.attrs {
		out.AccountAttributes = append(out.AccountAttributes, ec2types.AccountAttribute{AttributeName: aws.String(k), AttributeValues: []ec2types.AccountAttributeValue{{AttributeValue: aws.String(v)}}})
	}
	return out, nil
}

func (f *fakeQuotaEC2) DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	return &ec2.DescribeAddressesOutput{Addresses: make([]ec2types.Address, f.addresses)}, nil
}

// DescribeVpcs returns one VPC per page to exercise pagination.
func (f *fakeQuotaEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if f.failVPCs != nil {
		return nil, f.failVPCs
	}
	page := 0
	if in.NextToken != nil {
		page = int(aws.ToString(in.NextToken)[0] - '0')
	}
	out := &ec2.DescribeVpcsOutput{}
	if page < f.vpcs {
		out.Vpcs = []ec2types.Vpc{{}}
	}
	if page+1 < f.vpcs {
		out.NextToken = aws.String(string(rune('0' + page + 1)))
	}
	return out, nil
}

// DescribeNatGateways ignores the state filter, as a lax endpoint might.
func (f *fakeQuotaEC2) DescribeNatGateways(context.Context, *ec2.DescribeNatGatewaysInput, ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error) {
	return &ec2.DescribeNatGatewaysOutput{NatGateways: f.nats}, nil
}

func (f *fakeQuotaEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	out := &ec2.DescribeSubnetsOutput{}
	for _, id := range in.Filters[0].Values {
		out.Subnets = append(out.Subnets, ec2types.Subnet{SubnetId: aws.String(id), AvailabilityZone: aws.String(f.subnetAZ[id])})
	}
	return out, nil
}

func (f *fakeQuotaEC2) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{{Instances: f.instances}}}, nil
}

func (f *fakeQuotaEC2) DescribeInstanceTypes(_ context.Context, in *ec2.DescribeInstanceTypesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error) {
	out := &ec2.DescribeInstanceTypesOutput{}
	for _, t := range in.InstanceTypes {
		out.InstanceTypes = append(out.InstanceTypes, ec2types.InstanceTypeInfo{InstanceType: t, VCpuInfo: &ec2types.VCpuInfo{DefaultVCpus: aws.Int32(f.vcpus[t])}})
	}
	return out, nil
}

// fakeQuotas has applied values for some codes; others answer
// NoSuchResourceException and fall back to the defaults.
type fakeQuotas struct {
	applied, defaults map[string]float64
}

func (f *fakeQuotas) GetServiceQuota(_ context.Context, in *servicequotas.GetServiceQuotaInput, _ ...func(*servicequotas.Options)) (*servicequotas.GetServiceQuotaOutput, error) {
	v, ok := f.applied[aws.ToString(in.QuotaCode)]
	if !ok {
		return nil, apiErr("NoSuchResourceException")
	}
	return &servicequotas.GetServiceQuotaOutput{Quota: &sqtypes.ServiceQuota{Value: aws.Float64(v)}}, nil
}

func (f *fakeQuotas) GetAWSDefaultServiceQuota(_ context.Context, in *servicequotas.GetAWSDefaultServiceQuotaInput, _ ...func(*servicequotas.Options)) (*servicequotas.GetAWSDefaultServiceQuotaOutput, error) {
	v, ok := f.defaults[aws.ToString(in.QuotaCode)]
	if !ok {
		return nil, apiErr("NoSuchResourceException")
	}
	return &servicequotas.GetAWSDefaultServiceQuotaOutput{Quota: &sqtypes.ServiceQuota{Value: aws.Float64(v)}}, nil
}

func nat(subnet string, state ec2types.NatGatewayState) ec2types.NatGateway {
	return ec2types.NatGateway{SubnetId: aws.String(subnet), State: state}
}

func instance(t ec2types.InstanceType, lifecycle ec2types.InstanceLifecycleType) ec2types.Instance {
	return ec2types.Instance{InstanceType: t, InstanceLifecycle: lifecycle}
}

func TestQuotaHeadroom(t *testing.T) {
	fe := &fakeQuotaEC2{
		attrs:     map[string]string{"vpc-max-elastic-ips": "5", "max-elastic-ips": "0"},
		addresses: 3,
		vpcs:      3,
		nats: []ec2types.NatGateway{
			nat("subnet-a1", ec2types.NatGatewayStateAvailable),
			nat("subnet-a2", ec2types.NatGatewayStatePending),
			nat("subnet-a2", ec2types.NatGatewayStateDeleting), // still counts
			nat("subnet-a1", ec2types.NatGatewayStateDeleted),  // does not
			nat("subnet-b1", ec2types.NatGatewayStateFailed),   // does not
			nat("subnet-b1", ec2types.NatGatewayStateAvailable),
		},
		subnetAZ: map[string]string{"subnet-a1": "eu-west-1a", "subnet-a2": "eu-west-1a", "subnet-b1": "eu-west-1b"},
		instances: []ec2types.Instance{
			instance("m5.large", ""), instance("m5.large", ""), // 2 × 2
			instance("c5.4xlarge", ""),   // 16
			instance("m5.large", "spot"), // spot quota
			instance("g4dn.xlarge", ""),  // G quota
			instance("inf1.xlarge", ""),  // Inf quota
		},
		vcpus: map[ec2types.InstanceType]int32{"m5.large": 2, "c5.4xlarge": 16, "g4dn.xlarge": 4, "inf1.xlarge": 4},
	}
	fq := &fakeQuotas{
		applied:  map[string]float64{QuotaNATGatewaysPerAZ: 5, QuotaOnDemandStandardCPU: 32},
		defaults: map[string]float64{QuotaVPCsPerRegion: 5},
	}
	got, err := quotaReader{ec2: fe, quotas: fq, region: "eu-west-1"}.headroom(context.Background(), []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"})
	if err != nil {
		t.Fatal(err)
	}
	want := []QuotaHeadroom{
		{Scope: "eu-west-1", Limit: 5, Used: 3, Available: 2},                                    // EIPs
		{Code: QuotaVPCsPerRegion, Scope: "eu-west-1", Limit: 5, Used: 3, Available: 2},          // VPCs (default quota)
		{Code: QuotaNATGatewaysPerAZ, Scope: "eu-west-1a", Limit: 5, Used: 3, Available: 2},      // NAT
		{Code: QuotaNATGatewaysPerAZ, Scope: "eu-west-1b", Limit: 5, Used: 1, Available: 4},      //
		{Code: QuotaNATGatewaysPerAZ, Scope: "eu-west-1c", Limit: 5, Used: 0, Available: 5},      //
		{Code: QuotaOnDemandStandardCPU, Scope: "eu-west-1", Limit: 32, Used: 20, Available: 12}, // vCPUs
	}
	if len(got) != len(want) {
		t.Fatalf("got %d quotas: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		g.Name = ""
		if g != w {
			t.Errorf("quota %d = %+v, want %+v", i, got[i], w)
		}
	}
}

// One unreadable quota is reported with its reason; the others still are.
func TestQuotaErrorsAreReportedPerQuota(t *testing.T) {
	fe := &fakeQuotaEC2{attrs: map[string]string{"max-elastic-ips": "5"}, failVPCs: apiErr("UnauthorizedOperation")}
	got, err := quotaReader{ec2: fe, quotas: &fakeQuotas{}, region: "eu-west-1"}.headroom(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Error != "" || got[0].Limit != 5 {
		t.Errorf("EIP quota from max-elastic-ips: %+v", got[0])
	}
	if !strings.Contains(got[1].Error, "ec2:DescribeVpcs") || !strings.Contains(got[1].Error, "L-F678F1CE") {
		t.Errorf("VPC quota error %q should name both failures", got[1].Error)
	}
	if last := got[len(got)-1]; last.Error == "" || last.Available != 0 {
		t.Errorf("vCPU quota without a limit: %+v", last)
	}
}

func TestIsStandardFamily(t *testing.T) {
	for typ, want := range map[string]bool{
		"m5.large": true, "t3.micro": true, "c7gn.xlarge": true, "r6i.2xlarge": true, "z1d.large": true,
		"a1.medium": true, "d3.xlarge": true, "h1.2xlarge": true, "i4i.large": true, "im4gn.large": true,
		"g4dn.xlarge": false, "p4d.24xlarge": false, "x2idn.16xlarge": false, "f1.2xlarge": false,
		"inf1.xlarge": false, "dl1.24xlarge": false, "trn1.2xlarge": false, "mac1.metal": false,
		"hpc6a.48xlarge": false, "u-6tb1.metal": false, "": false,
	} {
		if got := isStandardFamily(typ); got != want {
			t.Errorf("isStandardFamily(%q) = %v", typ, got)
		}
	}
}
