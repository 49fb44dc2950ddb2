package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// EC2ReadAPI is the read-only part of EC2: the lookups of the network
// service and the whole of a leak scan.
type EC2ReadAPI interface {
	ec2.DescribeVpcsAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeInternetGatewaysAPIClient
	ec2.DescribeRouteTablesAPIClient
	DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	ec2.DescribeNatGatewaysAPIClient
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
	ec2.DescribeInstancesAPIClient
}

// LeftoverFinder scans another service for the cluster's leftovers (the
// load balancer service's ELBv2 scan), so FindLeftovers reports them all.
type LeftoverFinder func(ctx context.Context, scope *ClusterScope) ([]Leftover, error)

// ResNetworkInterface is the Leftover type of an ENI (never in a plan: AWS
// and the cloud controller create them).
const ResNetworkInterface = "networkinterface"

// Reasons a resource is reported as a leftover.
const (
	ReasonTagged = "still exists after deletion (tagged for the cluster)"
	ReasonLedger = "still exists after deletion (recorded in the resource ledger)"
	ReasonInVPC  = "still exists after deletion (in the cluster's VPC)"
)

// leftoverKind is one EC2 resource kind the scan covers: how to list it by
// filters, and the filter that selects it by id.
type leftoverKind struct {
	typ      string
	idFilter string
	list     func(context.Context, EC2ReadAPI, []types.Filter) ([]leftoverItem, error)
}

type leftoverItem struct{ id, state string }

// itemsOf adapts one Describe function to the scan.
func itemsOf[T any](describe func(context.Context, EC2ReadAPI, []types.Filter) ([]T, error), item func(T) leftoverItem) func(context.Context, EC2ReadAPI, []types.Filter) ([]leftoverItem, error) {
	return func(ctx context.Context, c EC2ReadAPI, f []types.Filter) ([]leftoverItem, error) {
		all, err := describe(ctx, c, f)
		out := make([]leftoverItem, len(all))
		for i, v := range all {
			out[i] = item(v)
		}
		return out, err
	}
}

// Instances first: they hold everything else.
var leftoverKinds = []leftoverKind{
	{string(domain.ResInstance), "instance-id", itemsOf(describeInstances, func(i types.Instance) leftoverItem {
		return leftoverItem{aws.ToString(i.InstanceId), stateName(i.State)}
	})},
	{string(domain.ResNATGateway), "nat-gateway-id", itemsOf(describeNATGateways, func(n types.NatGateway) leftoverItem {
		return leftoverItem{aws.ToString(n.NatGatewayId), string(n.State)}
	})},
	{string(domain.ResEIP), "allocation-id", itemsOf(describeAddresses, func(a types.Address) leftoverItem {
		return leftoverItem{aws.ToString(a.AllocationId), map[bool]string{true: "associated", false: "allocated"}[a.AssociationId != nil]}
	})},
	{string(domain.ResSecurityGroup), "group-id", itemsOf(describeSecurityGroups, func(g types.SecurityGroup) leftoverItem {
		return leftoverItem{aws.ToString(g.GroupId), ""}
	})},
	{ResNetworkInterface, "network-interface-id", itemsOf(describeNetworkInterfaces, func(n types.NetworkInterface) leftoverItem {
		return leftoverItem{aws.ToString(n.NetworkInterfaceId), string(n.Status)}
	})},
	{string(domain.ResRouteTable), "route-table-id", itemsOf(describeRouteTables, func(rt types.RouteTable) leftoverItem {
		return leftoverItem{aws.ToString(rt.RouteTableId), ""}
	})},
	{string(domain.ResInternetGateway), "internet-gateway-id", itemsOf(describeInternetGateways, func(gw types.InternetGateway) leftoverItem {
		return leftoverItem{aws.ToString(gw.InternetGatewayId), map[bool]string{true: "attached", false: "detached"}[len(gw.Attachments) > 0]}
	})},
	{string(domain.ResSubnet), "subnet-id", itemsOf(describeSubnets, func(sn types.Subnet) leftoverItem {
		return leftoverItem{aws.ToString(sn.SubnetId), string(sn.State)}
	})},
	{string(domain.ResVPC), "vpc-id", itemsOf(describeVPCs, func(v types.Vpc) leftoverItem {
		return leftoverItem{aws.ToString(v.VpcId), string(v.State)}
	})},
}

// goneStates are states in which AWS still lists a resource that no longer
// exists in any sense that matters (and costs nothing).
var goneStates = map[string]bool{"deleted": true, "failed": true, "terminated": true}

// FindLeftovers lists every resource still in the account that carries the
// cluster's clusterforge.io/cluster-id tag or that the ledger records as
// not deleted, plus what AWS and the cloud controller left in the
// cluster's VPC (network interfaces, the controller's security groups) and
// whatever the extra finders report. Force delete returns this list so the
// user can clean up.
func FindLeftovers(ctx context.Context, c EC2ReadAPI, scope *ClusterScope, extra ...LeftoverFinder) ([]Leftover, error) {
	ledger := map[string][]string{} // type → ids not deleted
	if scope.Ledger != nil {
		all, err := scope.Ledger.Resources(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the resource ledger of cluster %s: %w", scope.ClusterID, err)
		}
		for _, r := range all {
			if r.State != StateDeleted && r.ID != "" {
				ledger[r.Type] = append(ledger[r.Type], r.ID)
			}
		}
	}
	var out []Leftover
	seen := map[string]bool{}
	add := func(typ, reason string, items []leftoverItem) {
		for _, it := range items {
			if !seen[it.id] && !goneStates[it.state] {
				seen[it.id] = true
				out = append(out, Leftover{Type: typ, ID: it.id, Region: scope.Region, State: it.state, Reason: reason})
			}
		}
	}
	var vpcIDs []string
	for _, k := range leftoverKinds {
		tagged, err := k.list(ctx, c, clusterFilters(scope))
		if err != nil {
			return nil, fmt.Errorf("scan %ss tagged for cluster %s: %w", k.typ, scope.ClusterID, err)
		}
		add(k.typ, ReasonTagged, tagged)
		var unseen []string
		for _, id := range ledger[k.typ] {
			if !seen[id] {
				unseen = append(unseen, id)
			}
		}
		if len(unseen) > 0 {
			// A filter, unlike the id list, does not fail on ids that are gone.
			recorded, err := k.list(ctx, c, []types.Filter{ec2Filter(k.idFilter, unseen...)})
			if err != nil {
				return nil, fmt.Errorf("look up the ledger's %ss %v: %w", k.typ, unseen, err)
			}
			add(k.typ, ReasonLedger, recorded)
		}
	}
	for _, l := range out {
		if l.Type == string(domain.ResVPC) {
			vpcIDs = append(vpcIDs, l.ID)
		}
	}
	if len(vpcIDs) > 0 {
		inVPC, err := leftoversInVPCs(ctx, c, scope, vpcIDs)
		if err != nil {
			return nil, err
		}
		for _, l := range inVPC {
			if !seen[l.ID] {
				seen[l.ID] = true
				out = append(out, l)
			}
		}
	}
	for _, find := range extra {
		more, err := find(ctx, scope)
		if err != nil {
			return nil, fmt.Errorf("scan for leftovers of cluster %s: %w", scope.ClusterID, err)
		}
		out = append(out, more...)
	}
	return out, nil
}

// leftoversInVPCs are the untagged things that keep the cluster's VPCs
// from being deleted: network interfaces, and the cloud controller's
// security groups (kubernetes.io/cluster/<name>=owned; looked for only in
// our VPCs, as another project may have a cluster of the same name).
func leftoversInVPCs(ctx context.Context, c EC2ReadAPI, scope *ClusterScope, vpcIDs []string) ([]Leftover, error) {
	inVPC := ec2Filter("vpc-id", vpcIDs...)
	enis, err := describeNetworkInterfaces(ctx, c, []types.Filter{inVPC})
	if err != nil {
		return nil, fmt.Errorf("scan the network interfaces in VPCs %v: %w", vpcIDs, err)
	}
	groups, err := describeSecurityGroups(ctx, c, []types.Filter{inVPC, ec2Filter("tag:"+domain.KubernetesClusterTag(scope.ClusterName), domain.TagOwned)})
	if err != nil {
		return nil, fmt.Errorf("scan the cloud controller's security groups in VPCs %v: %w", vpcIDs, err)
	}
	var out []Leftover
	for _, n := range enis {
		out = append(out, Leftover{Type: ResNetworkInterface, ID: aws.ToString(n.NetworkInterfaceId), Region: scope.Region, State: string(n.Status), Reason: ReasonInVPC})
	}
	for _, g := range groups {
		out = append(out, Leftover{Type: string(domain.ResSecurityGroup), ID: aws.ToString(g.GroupId), Region: scope.Region, Reason: ReasonInVPC})
	}
	return out, nil
}

func describeInstances(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.Instance, error) {
	reservations, err := drain(ctx, ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{Filters: filters}),
		func(o *ec2.DescribeInstancesOutput) []types.Reservation { return o.Reservations })
	var out []types.Instance
	for _, r := range reservations {
		out = append(out, r.Instances...)
	}
	return out, err
}

func stateName(s *types.InstanceState) string {
	if s == nil {
		return ""
	}
	return string(s.Name)
}
