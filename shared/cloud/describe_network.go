package cloud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// VPCNetwork is one VPC of a customer account with its subnets: what the
// console offers for a static placement (GET /v1/cloudaccounts/{id}/vpcs).
type VPCNetwork struct {
	VPCID     string          `json:"vpcId"`
	CIDRBlock string          `json:"cidrBlock"`
	Name      string          `json:"name"` // the Name tag, "" without one
	IsDefault bool            `json:"isDefault"`
	Subnets   []SubnetNetwork `json:"subnets"`
}

// SubnetNetwork is one subnet of a VPCNetwork.
type SubnetNetwork struct {
	SubnetID         string `json:"subnetId"`
	CIDRBlock        string `json:"cidrBlock"`
	AvailabilityZone string `json:"availabilityZone"`
	Name             string `json:"name"`
	// Public: the subnet's route table sends 0.0.0.0/0 to an internet
	// gateway, so it can hold internet-facing load balancers and NAT.
	Public       bool `json:"public"`
	AvailableIPs int  `json:"availableIps"`
}

// codeAuthFailure is how EC2 itself rejects unknown or wrong keys.
const codeAuthFailure = "AuthFailure"

// NetworkDescriber is the part of EC2 DescribeNetworks reads.
type NetworkDescriber interface {
	ec2.DescribeVpcsAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeRouteTablesAPIClient
}

// NetworkDeniedError says the account's credentials work but may not
// describe its network; the API answers 422 like other refused access.
type NetworkDeniedError struct{ Err error }

func (e *NetworkDeniedError) Error() string {
	return fmt.Sprintf("the cloud account may not list its network (%v); allow ec2:DescribeVpcs, ec2:DescribeSubnets and ec2:DescribeRouteTables", e.Err)
}
func (e *NetworkDeniedError) Unwrap() error      { return e.Err }
func (e *NetworkDeniedError) AccessDenied() bool { return true }

// DescribeNetworks lists the session's account's VPCs in its region with
// their subnets. Rejected credentials are a *CredentialsError, refused
// Describe calls a *NetworkDeniedError.
func (s *Session) DescribeNetworks(ctx context.Context) ([]VPCNetwork, error) {
	vpcs, err := DescribeNetworks(ctx, s.ec2)
	// A refused AssumeRole also says AccessDenied, but inside the signing
	// failure: that is the credentials, not the Describe permissions.
	var signing *v4.SigningError
	switch {
	case err == nil:
		return vpcs, nil
	case isAccessDenied(err) && !errors.As(err, &signing):
		return nil, &NetworkDeniedError{Err: err}
	case ctx.Err() == nil && (isCredentialsFailure(err) || ErrorCode(err) == codeAuthFailure):
		return nil, newCredentialsError(s.who, err)
	}
	return nil, err
}

// DescribeNetworks lists every VPC of the region with its subnets, VPCs by
// id (the default VPC first) and subnets by AZ, then id. Every list is
// paginated: an account may have more subnets than one page.
func DescribeNetworks(ctx context.Context, api NetworkDescriber) ([]VPCNetwork, error) {
	vpcs, err := allVPCs(ctx, api)
	if err != nil {
		return nil, err
	}
	subnets, err := allSubnets(ctx, api)
	if err != nil {
		return nil, err
	}
	tables, err := allRouteTables(ctx, api)
	if err != nil {
		return nil, err
	}
	routes := newRouting(tables)
	out := make([]VPCNetwork, 0, len(vpcs))
	index := map[string]int{}
	for _, v := range vpcs {
		id := aws.ToString(v.VpcId)
		index[id] = len(out)
		out = append(out, VPCNetwork{
			VPCID: id, CIDRBlock: aws.ToString(v.CidrBlock), Name: tagValue(v.Tags, "Name"),
			IsDefault: aws.ToBool(v.IsDefault), Subnets: []SubnetNetwork{},
		})
	}
	for _, sn := range subnets {
		i, ok := index[aws.ToString(sn.VpcId)]
		if !ok {
			continue // created between the two pages of calls
		}
		id := aws.ToString(sn.SubnetId)
		out[i].Subnets = append(out[i].Subnets, SubnetNetwork{
			SubnetID: id, CIDRBlock: aws.ToString(sn.CidrBlock), AvailabilityZone: aws.ToString(sn.AvailabilityZone),
			Name: tagValue(sn.Tags, "Name"), Public: routes.public(id, aws.ToString(sn.VpcId)),
			AvailableIPs: int(aws.ToInt32(sn.AvailableIpAddressCount)),
		})
	}
	for i := range out {
		slices.SortFunc(out[i].Subnets, func(a, b SubnetNetwork) int {
			return cmp.Or(strings.Compare(a.AvailabilityZone, b.AvailabilityZone), strings.Compare(a.SubnetID, b.SubnetID))
		})
	}
	slices.SortFunc(out, func(a, b VPCNetwork) int {
		if a.IsDefault != b.IsDefault {
			if a.IsDefault {
				return -1
			}
			return 1
		}
		return strings.Compare(a.VPCID, b.VPCID)
	})
	return out, nil
}

func allVPCs(ctx context.Context, api ec2.DescribeVpcsAPIClient) ([]types.Vpc, error) {
	var all []types.Vpc
	pages := ec2.NewDescribeVpcsPaginator(api, &ec2.DescribeVpcsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeVpcs: %w", err)
		}
		all = append(all, out.Vpcs...)
	}
	return all, nil
}

func allSubnets(ctx context.Context, api ec2.DescribeSubnetsAPIClient) ([]types.Subnet, error) {
	var all []types.Subnet
	pages := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeSubnets: %w", err)
		}
		all = append(all, out.Subnets...)
	}
	return all, nil
}

func allRouteTables(ctx context.Context, api ec2.DescribeRouteTablesAPIClient) ([]types.RouteTable, error) {
	var all []types.RouteTable
	pages := ec2.NewDescribeRouteTablesPaginator(api, &ec2.DescribeRouteTablesInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeRouteTables: %w", err)
		}
		all = append(all, out.RouteTables...)
	}
	return all, nil
}

// routing answers which subnets reach the internet directly, as AWS routes
// them: a subnet uses its explicitly associated table, else its VPC's main
// table.
type routing struct {
	bySubnet map[string]bool // subnet id -> its explicit table has an IGW default route
	mainOf   map[string]bool // vpc id -> its main table has one
}

func newRouting(tables []types.RouteTable) routing {
	r := routing{bySubnet: map[string]bool{}, mainOf: map[string]bool{}}
	for _, t := range tables {
		igw := hasInternetRoute(t.Routes)
		for _, a := range t.Associations {
			switch {
			case aws.ToBool(a.Main):
				r.mainOf[aws.ToString(t.VpcId)] = igw
			case a.SubnetId != nil:
				r.bySubnet[aws.ToString(a.SubnetId)] = igw
			}
		}
	}
	return r
}

func (r routing) public(subnetID, vpcID string) bool {
	if igw, explicit := r.bySubnet[subnetID]; explicit {
		return igw
	}
	return r.mainOf[vpcID]
}

// hasInternetRoute reports an active 0.0.0.0/0 route to an internet
// gateway (a blackhole route, whose gateway is gone, does not count).
func hasInternetRoute(routes []types.Route) bool {
	return slices.ContainsFunc(routes, func(rt types.Route) bool {
		return aws.ToString(rt.DestinationCidrBlock) == "0.0.0.0/0" &&
			strings.HasPrefix(aws.ToString(rt.GatewayId), "igw-") &&
			rt.State != types.RouteStateBlackhole
	})
}
