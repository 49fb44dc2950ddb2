package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fakeNetwork is an account's network, served one item per page so the
// paginators must follow NextToken to see everything.
type fakeNetwork struct {
	vpcs    []types.Vpc
	subnets []types.Subnet
	tables  []types.RouteTable
	calls   map[string]int
	err     error
}

// page returns item i of items (i from the token) and the next token.
func onePage[T any](items []T, token *string) ([]T, *string) {
	i := 0
	if token != nil {
		i = len(*token) // the token is i characters long
	}
	if i >= len(items) {
		return nil, nil
	}
	var next *string
	if i+1 < len(items) {
		next = aws.String(string(make([]byte, i+1)))
	}
	return items[i : i+1], next
}

func (f *fakeNetwork) count(action string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[action]++
	return f.err
}

func (f *fakeNetwork) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if err := f.count("DescribeVpcs"); err != nil {
		return nil, err
	}
	items, next := onePage(f.vpcs, in.NextToken)
	return &ec2.DescribeVpcsOutput{Vpcs: items, NextToken: next}, nil
}

func (f *fakeNetwork) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	if err := f.count("DescribeSubnets"); err != nil {
		return nil, err
	}
	items, next := onePage(f.subnets, in.NextToken)
	return &ec2.DescribeSubnetsOutput{Subnets: items, NextToken: next}, nil
}

func (f *fakeNetwork) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	if err := f.count("DescribeRouteTables"); err != nil {
		return nil, err
	}
	items, next := onePage(f.tables, in.NextToken)
	return &ec2.DescribeRouteTablesOutput{RouteTables: items, NextToken: next}, nil
}

func nameTag(name string) []types.Tag {
	return []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
}

func listedSubnet(id, vpc, az, cidr string, free int32) types.Subnet {
	return types.Subnet{SubnetId: aws.String(id), VpcId: aws.String(vpc), AvailabilityZone: aws.String(az),
		CidrBlock: aws.String(cidr), AvailableIpAddressCount: aws.Int32(free), Tags: nameTag(id + "-name")}
}

func internetRoute(gateway string, state types.RouteState) []types.Route {
	return []types.Route{
		{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: aws.String("local"), State: types.RouteStateActive},
		{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(gateway), State: state},
	}
}

func TestDescribeNetworksGroupsSubnetsAndTellsPublicFromPrivate(t *testing.T) {
	f := &fakeNetwork{
		vpcs: []types.Vpc{
			{VpcId: aws.String("vpc-b"), CidrBlock: aws.String("10.1.0.0/16"), Tags: nameTag("prod")},
			{VpcId: aws.String("vpc-a"), CidrBlock: aws.String("172.31.0.0/16"), IsDefault: aws.Bool(true)},
			{VpcId: aws.String("vpc-c"), CidrBlock: aws.String("10.2.0.0/16")},
		},
		subnets: []types.Subnet{
			listedSubnet("subnet-b2", "vpc-b", "eu-west-1b", "10.1.2.0/24", 250),
			listedSubnet("subnet-b1", "vpc-b", "eu-west-1a", "10.1.1.0/24", 251),
			listedSubnet("subnet-b3", "vpc-b", "eu-west-1a", "10.1.3.0/24", 10),
			listedSubnet("subnet-b4", "vpc-b", "eu-west-1a", "10.1.4.0/24", 9),
			listedSubnet("subnet-a1", "vpc-a", "eu-west-1a", "172.31.0.0/20", 4091),
			listedSubnet("subnet-x", "vpc-gone", "eu-west-1a", "10.9.0.0/24", 1),
		},
		tables: []types.RouteTable{
			// vpc-b's main table is private (NAT); b1 is explicitly public,
			// b4 explicitly associated to a table whose IGW is gone.
			{VpcId: aws.String("vpc-b"), Routes: internetRoute("nat-1", types.RouteStateActive),
				Associations: []types.RouteTableAssociation{{Main: aws.Bool(true)}}},
			{VpcId: aws.String("vpc-b"), Routes: internetRoute("igw-1", types.RouteStateActive),
				Associations: []types.RouteTableAssociation{{SubnetId: aws.String("subnet-b1")}}},
			{VpcId: aws.String("vpc-b"), Routes: internetRoute("igw-old", types.RouteStateBlackhole),
				Associations: []types.RouteTableAssociation{{SubnetId: aws.String("subnet-b4")}}},
			// The default VPC's main table routes to its IGW: public.
			{VpcId: aws.String("vpc-a"), Routes: internetRoute("igw-2", types.RouteStateActive),
				Associations: []types.RouteTableAssociation{{Main: aws.Bool(true)}}},
		},
	}
	got, err := DescribeNetworks(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := []VPCNetwork{
		{VPCID: "vpc-a", CIDRBlock: "172.31.0.0/16", IsDefault: true, Subnets: []SubnetNetwork{
			{SubnetID: "subnet-a1", CIDRBlock: "172.31.0.0/20", AvailabilityZone: "eu-west-1a", Name: "subnet-a1-name", Public: true, AvailableIPs: 4091},
		}},
		{VPCID: "vpc-b", CIDRBlock: "10.1.0.0/16", Name: "prod", Subnets: []SubnetNetwork{
			{SubnetID: "subnet-b1", CIDRBlock: "10.1.1.0/24", AvailabilityZone: "eu-west-1a", Name: "subnet-b1-name", Public: true, AvailableIPs: 251},
			{SubnetID: "subnet-b3", CIDRBlock: "10.1.3.0/24", AvailabilityZone: "eu-west-1a", Name: "subnet-b3-name", AvailableIPs: 10},
			{SubnetID: "subnet-b4", CIDRBlock: "10.1.4.0/24", AvailabilityZone: "eu-west-1a", Name: "subnet-b4-name", AvailableIPs: 9},
			{SubnetID: "subnet-b2", CIDRBlock: "10.1.2.0/24", AvailabilityZone: "eu-west-1b", Name: "subnet-b2-name", AvailableIPs: 250},
		}},
		// A VPC without subnets (or route tables) is listed, with an empty list.
		{VPCID: "vpc-c", CIDRBlock: "10.2.0.0/16", Subnets: []SubnetNetwork{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("networks:\n got %+v\nwant %+v", got, want)
	}
	// Every page was read: one call per item.
	if f.calls["DescribeVpcs"] != 3 || f.calls["DescribeSubnets"] != 6 || f.calls["DescribeRouteTables"] != 4 {
		t.Errorf("calls %v: the paginators did not follow NextToken", f.calls)
	}
}

func TestDescribeNetworksWrapsTheFailingCall(t *testing.T) {
	f := &fakeNetwork{err: apiErr("UnauthorizedOperation")}
	_, err := DescribeNetworks(context.Background(), f)
	if err == nil || ErrorCode(err) != "UnauthorizedOperation" || !isAccessDenied(err) {
		t.Fatalf("err = %v, want the UnauthorizedOperation of DescribeVpcs", err)
	}
}

// TestSessionDescribeNetworksClassifiesRefusals: rejected keys are the
// credentials' fault, a refused Describe is missing permissions; both are
// the customer's to fix (422), told apart in the message.
func TestSessionDescribeNetworksClassifiesRefusals(t *testing.T) {
	cases := []struct {
		name, code string
		status     int
		check      func(error) bool
	}{
		{"keys rejected", "AuthFailure", http.StatusUnauthorized, func(err error) bool {
			var ce *CredentialsError
			return errors.As(err, &ce) && ce.KeyID == "AKIDNET"
		}},
		{"describe refused", "UnauthorizedOperation", http.StatusForbidden, func(err error) bool {
			var de *NetworkDeniedError
			return errors.As(err, &de) && de.AccessDenied()
		}},
		{"ec2 unavailable", "InternalError", http.StatusInternalServerError, func(err error) bool {
			var de *NetworkDeniedError
			var ce *CredentialsError
			return err != nil && !errors.As(err, &de) && !errors.As(err, &ce)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newQueryServer(t, func(_, _ string, _ url.Values) (int, string) {
				return c.status, ec2Error(c.code, c.name)
			})
			cfg := platformConfig(srv.URL, nil)
			cfg.RetryMaxAttempts = 1
			sess, err := NewSessionCache(cfg, RateLimits{}).Session(Access{Type: AccessSecret, AccessKeyID: "AKIDNET", SecretAccessKey: "x"}, "eu-west-1", "acc-1")
			if err != nil {
				t.Fatal(err)
			}
			_, err = sess.DescribeNetworks(context.Background())
			if !c.check(err) {
				t.Fatalf("%s: err = %T %v", c.code, err, err)
			}
		})
	}
}
