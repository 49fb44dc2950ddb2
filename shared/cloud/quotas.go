package cloud

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
	"github.com/aws/smithy-go"
)

// Service Quotas codes of the quotas a dynamic-placement cluster consumes.
const (
	QuotaVPCsPerRegion       = "L-F678F1CE" // service "vpc"
	QuotaNATGatewaysPerAZ    = "L-FE5A380F" // service "vpc"
	QuotaOnDemandStandardCPU = "L-1216C47A" // service "ec2", in vCPUs
)

// quotaEC2API is what the quota headroom reads from EC2.
type quotaEC2API interface {
	DescribeAccountAttributes(context.Context, *ec2.DescribeAccountAttributesInput, ...func(*ec2.Options)) (*ec2.DescribeAccountAttributesOutput, error)
	DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	ec2.DescribeVpcsAPIClient
	ec2.DescribeNatGatewaysAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeInstancesAPIClient
	ec2.DescribeInstanceTypesAPIClient
}

// serviceQuotasAPI is what the quota headroom reads from Service Quotas.
type serviceQuotasAPI interface {
	GetServiceQuota(context.Context, *servicequotas.GetServiceQuotaInput, ...func(*servicequotas.Options)) (*servicequotas.GetServiceQuotaOutput, error)
	GetAWSDefaultServiceQuota(context.Context, *servicequotas.GetAWSDefaultServiceQuotaInput, ...func(*servicequotas.Options)) (*servicequotas.GetAWSDefaultServiceQuotaOutput, error)
}

var (
	_ quotaEC2API      = (*ec2.Client)(nil)
	_ serviceQuotasAPI = (*servicequotas.Client)(nil)
)

// CheckQuotas reads the quotas a cluster consumes in the session's region
// and what is already used: Elastic IPs, VPCs, NAT gateways in each of azs,
// and running on-demand standard vCPUs. A quota that cannot be read is
// returned with Error set rather than failing the rest, so one report shows
// everything; err is only for a cancelled context.
//
// (Named CheckQuotas, not QuotaHeadroom, because that is the result type.)
func CheckQuotas(ctx context.Context, sess *Session, azs []string) ([]QuotaHeadroom, error) {
	q := quotaReader{ec2: sess.EC2(), quotas: sess.ServiceQuotas(), region: sess.Region}
	return q.headroom(ctx, azs)
}

type quotaReader struct {
	ec2    quotaEC2API
	quotas serviceQuotasAPI
	region string
}

func (q quotaReader) headroom(ctx context.Context, azs []string) ([]QuotaHeadroom, error) {
	out := []QuotaHeadroom{
		q.elasticIPs(ctx),
		q.vpcs(ctx),
	}
	out = append(out, q.natGateways(ctx, azs)...)
	out = append(out, q.vcpus(ctx))
	return out, ctx.Err()
}

// headroom fills in Available, or Error when either side failed.
func headroom(h QuotaHeadroom, limitErr, usedErr error) QuotaHeadroom {
	if err := errors.Join(limitErr, usedErr); err != nil {
		h.Error = err.Error()
		return h
	}
	h.Available = max(h.Limit-h.Used, 0)
	return h
}

func (q quotaReader) elasticIPs(ctx context.Context) QuotaHeadroom {
	h := QuotaHeadroom{Name: "Elastic IP addresses", Scope: q.region}
	var limitErr, usedErr error
	h.Limit, limitErr = q.maxElasticIPs(ctx)
	addrs, err := q.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{
		Filters: []ec2types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}},
	})
	if err != nil {
		usedErr = fmt.Errorf("ec2:DescribeAddresses: %w", err)
	} else {
		h.Used = len(addrs.Addresses)
	}
	return headroom(h, limitErr, usedErr)
}

// maxElasticIPs reads the account's Elastic IP limit. vpc-max-elastic-ips
// is the one that applies to VPC addresses (all of ours); max-elastic-ips
// is the EC2-Classic era attribute, used only if the other is absent.
func (q quotaReader) maxElasticIPs(ctx context.Context) (int, error) {
	out, err := q.ec2.DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{
		AttributeNames: []ec2types.AccountAttributeName{"vpc-max-elastic-ips", "max-elastic-ips"},
	})
	if err != nil {
		return 0, fmt.Errorf("ec2:DescribeAccountAttributes: %w", err)
	}
	values := map[string]string{}
	for _, a := range out.AccountAttributes {
		if len(a.AttributeValues) > 0 {
			values[aws.ToString(a.AttributeName)] = aws.ToString(a.AttributeValues[0].AttributeValue)
		}
	}
	for _, name := range []string{"vpc-max-elastic-ips", "max-elastic-ips"} {
		if v, ok := values[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, fmt.Errorf("account attribute %s=%q: %w", name, v, err)
			}
			return n, nil
		}
	}
	return 0, errors.New("ec2:DescribeAccountAttributes returned no Elastic IP limit")
}

func (q quotaReader) vpcs(ctx context.Context) QuotaHeadroom {
	h := QuotaHeadroom{Name: "VPCs per Region", Code: QuotaVPCsPerRegion, Scope: q.region}
	var limitErr, usedErr error
	h.Limit, limitErr = q.serviceQuota(ctx, "vpc", QuotaVPCsPerRegion)
	p := ec2.NewDescribeVpcsPaginator(q.ec2, &ec2.DescribeVpcsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			usedErr = fmt.Errorf("ec2:DescribeVpcs: %w", err)
			break
		}
		h.Used += len(page.Vpcs)
	}
	return headroom(h, limitErr, usedErr)
}

// natGateways reports, per AZ, NAT gateways that count against the quota:
// every state but failed and deleted (a deleting gateway still counts until
// it is gone). NAT gateways carry no AZ, so it comes from their subnet.
func (q quotaReader) natGateways(ctx context.Context, azs []string) []QuotaHeadroom {
	limit, limitErr := q.serviceQuota(ctx, "vpc", QuotaNATGatewaysPerAZ)
	perAZ, usedErr := q.natGatewaysPerAZ(ctx)
	if len(azs) == 0 {
		for az := range perAZ {
			azs = append(azs, az)
		}
		sort.Strings(azs)
	}
	out := make([]QuotaHeadroom, 0, len(azs))
	for _, az := range azs {
		h := QuotaHeadroom{Name: "NAT gateways per Availability Zone", Code: QuotaNATGatewaysPerAZ, Scope: az, Limit: limit, Used: perAZ[az]}
		out = append(out, headroom(h, limitErr, usedErr))
	}
	return out
}

func (q quotaReader) natGatewaysPerAZ(ctx context.Context) (map[string]int, error) {
	perSubnet := map[string]int{}
	p := ec2.NewDescribeNatGatewaysPaginator(q.ec2, &ec2.DescribeNatGatewaysInput{
		Filter: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"pending", "available", "deleting"}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeNatGateways: %w", err)
		}
		for _, n := range page.NatGateways {
			// The filter is repeated here because not every endpoint applies it.
			if n.State == ec2types.NatGatewayStateFailed || n.State == ec2types.NatGatewayStateDeleted {
				continue
			}
			perSubnet[aws.ToString(n.SubnetId)]++
		}
	}
	perAZ := map[string]int{}
	if len(perSubnet) == 0 {
		return perAZ, nil
	}
	ids := make([]string, 0, len(perSubnet))
	for id := range perSubnet {
		ids = append(ids, id)
	}
	sp := ec2.NewDescribeSubnetsPaginator(q.ec2, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("subnet-id"), Values: ids}},
	})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeSubnets: %w", err)
		}
		for _, s := range page.Subnets {
			perAZ[aws.ToString(s.AvailabilityZone)] += perSubnet[aws.ToString(s.SubnetId)]
		}
	}
	return perAZ, nil
}

func (q quotaReader) vcpus(ctx context.Context) QuotaHeadroom {
	h := QuotaHeadroom{Name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)", Code: QuotaOnDemandStandardCPU, Scope: q.region}
	var limitErr, usedErr error
	h.Limit, limitErr = q.serviceQuota(ctx, "ec2", QuotaOnDemandStandardCPU)
	h.Used, usedErr = q.standardOnDemandVCPUs(ctx)
	return headroom(h, limitErr, usedErr)
}

// standardOnDemandVCPUs sums the default vCPUs of the pending and running
// on-demand instances of the standard families, as the quota counts them.
func (q quotaReader) standardOnDemandVCPUs(ctx context.Context) (int, error) {
	count := map[ec2types.InstanceType]int{}
	p := ec2.NewDescribeInstancesPaginator(q.ec2, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("ec2:DescribeInstances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				// Spot and capacity-block instances have their own quotas.
				if in.InstanceLifecycle == "" && isStandardFamily(string(in.InstanceType)) {
					count[in.InstanceType]++
				}
			}
		}
	}
	if len(count) == 0 {
		return 0, nil
	}
	types := make([]ec2types.InstanceType, 0, len(count))
	for t := range count {
		types = append(types, t)
	}
	vcpus := map[ec2types.InstanceType]int{}
	// DescribeInstanceTypes takes at most 100 types per request.
	for start := 0; start < len(types); start += 100 {
		tp := ec2.NewDescribeInstanceTypesPaginator(q.ec2, &ec2.DescribeInstanceTypesInput{InstanceTypes: types[start:min(start+100, len(types))]})
		for tp.HasMorePages() {
			page, err := tp.NextPage(ctx)
			if err != nil {
				return 0, fmt.Errorf("ec2:DescribeInstanceTypes: %w", err)
			}
			for _, it := range page.InstanceTypes {
				if it.VCpuInfo != nil {
					vcpus[it.InstanceType] = int(aws.ToInt32(it.VCpuInfo.DefaultVCpus))
				}
			}
		}
	}
	used := 0
	for t, n := range count {
		v, ok := vcpus[t]
		if !ok {
			return 0, fmt.Errorf("ec2:DescribeInstanceTypes: no vCPU count for %s", t)
		}
		used += n * v
	}
	return used, nil
}

// nonStandardFamilies start with a standard letter but have quotas of their
// own (DL, HPC, Inf, Mac, Trn).
var nonStandardFamilies = map[string]bool{"dl": true, "hpc": true, "inf": true, "mac": true, "trn": true}

// isStandardFamily reports whether instance type t counts against the
// "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)" quota: its family
// (the letters before the generation digit) starts with one of those
// letters and is not one of the families with a quota of its own.
func isStandardFamily(t string) bool {
	family := strings.ToLower(strings.SplitN(t, ".", 2)[0])
	if i := strings.IndexFunc(family, unicode.IsDigit); i > 0 {
		family = family[:i]
	}
	if family == "" || nonStandardFamilies[family] {
		return false
	}
	return strings.ContainsRune("acdhimrtz", rune(family[0]))
}

// serviceQuota is a quota's applied value, or the AWS default when the
// account never changed it (GetServiceQuota then answers
// NoSuchResourceException).
func (q quotaReader) serviceQuota(ctx context.Context, service, code string) (int, error) {
	out, err := q.quotas.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == codeNoSuchResource {
		def, derr := q.quotas.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
		if derr != nil {
			return 0, fmt.Errorf("servicequotas:GetAWSDefaultServiceQuota %s/%s: %w", service, code, derr)
		}
		return quotaValue(def.Quota, service, code)
	}
	if err != nil {
		return 0, fmt.Errorf("servicequotas:GetServiceQuota %s/%s: %w", service, code, err)
	}
	return quotaValue(out.Quota, service, code)
}

func quotaValue(q *sqtypes.ServiceQuota, service, code string) (int, error) {
	if q == nil || q.Value == nil {
		return 0, fmt.Errorf("quota %s/%s has no value", service, code)
	}
	return int(math.Floor(*q.Value)), nil
}
