package cloud

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestFindLeftoversListsExactlyWhatRemains(t *testing.T) {
	e := newNetEnv(t, nil)
	ids := e.reconcileAll()
	// A deletion that got as far as the NAT gateways.
	e.must(e.svc.DeleteNetworkInterfaces(e.ctx))
	e.must(e.svc.DeleteSecurityGroups(e.ctx))
	e.must(e.svc.DeleteNATGateways(e.ctx))
	e.waitFor("NAT gateways deleted", e.svc.NATGatewaysDeleted)
	// An interface left in our VPC, and a ledger entry whose resource lost
	// its tags.
	eni, err := e.client.CreateNetworkInterface(e.ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(ids.PrivateSubnets["eu-west-1c"])})
	e.must(err)
	eniID := aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	untagged, err := e.client.CreateVpc(e.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	e.must(err)
	untaggedID := aws.ToString(untagged.Vpc.VpcId)
	e.must(e.ledger.Record(e.ctx, domain.Resource{Type: string(domain.ResVPC), ID: untaggedID, State: "available"}))
	elb := Leftover{Type: "loadbalancer", ID: "arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/net/x/1", Region: netRegion, Reason: ReasonTagged}
	extra := func(_ context.Context, scope *ClusterScope) ([]Leftover, error) {
		if scope != e.scope {
			t.Error("the extra finder got another scope")
		}
		return []Leftover{elb}, nil
	}

	left, err := FindLeftovers(e.ctx, e.client, e.scope, extra)
	e.must(err)

	var want []string
	for _, r := range e.inventory() {
		if r.Tags[domain.TagClusterID] == netClusterID && r.Type != "natgateway" {
			want = append(want, r.ID)
		}
	}
	want = append(want, eniID, untaggedID, elb.ID)
	var got []string
	reasons := map[string]string{}
	for _, l := range left {
		got = append(got, l.ID)
		reasons[l.ID] = l.Reason
		if l.Region != netRegion || l.Type == "" {
			t.Errorf("leftover %+v", l)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("leftovers:\n got %v\nwant %v", got, want)
	}
	if len(want) != 1+6+1+4+3+3 { // vpc, subnets, igw, route tables, EIPs, and the three above
		t.Fatalf("unexpected inventory: %v", want)
	}
	if reasons[eniID] != ReasonInVPC || reasons[untaggedID] != ReasonLedger || reasons[ids.VPCID] != ReasonTagged {
		t.Fatalf("reasons: %v", reasons)
	}
}
