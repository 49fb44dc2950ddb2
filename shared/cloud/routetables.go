package cloud

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type routeTableAPI interface {
	CreateRouteTable(context.Context, *ec2.CreateRouteTableInput, ...func(*ec2.Options)) (*ec2.CreateRouteTableOutput, error)
	CreateRoute(context.Context, *ec2.CreateRouteInput, ...func(*ec2.Options)) (*ec2.CreateRouteOutput, error)
	ReplaceRoute(context.Context, *ec2.ReplaceRouteInput, ...func(*ec2.Options)) (*ec2.ReplaceRouteOutput, error)
	AssociateRouteTable(context.Context, *ec2.AssociateRouteTableInput, ...func(*ec2.Options)) (*ec2.AssociateRouteTableOutput, error)
	DisassociateRouteTable(context.Context, *ec2.DisassociateRouteTableInput, ...func(*ec2.Options)) (*ec2.DisassociateRouteTableOutput, error)
	DeleteRouteTable(context.Context, *ec2.DeleteRouteTableInput, ...func(*ec2.Options)) (*ec2.DeleteRouteTableOutput, error)
}

// defaultRoute is the destination both kinds of table route somewhere.
const defaultRoute = "0.0.0.0/0"

// routeTarget is where a table's default route goes: the internet gateway
// (public) or a NAT gateway (private).
type routeTarget struct {
	gateway, nat *string
}

func (t routeTarget) String() string { return aws.ToString(t.gateway) + aws.ToString(t.nat) }

func (t routeTarget) is(r types.Route) bool {
	return aws.ToString(r.GatewayId) == aws.ToString(t.gateway) && aws.ToString(r.NatGatewayId) == aws.ToString(t.nat)
}

// ReconcilePrivateRoutes makes sure the AZ's private route table sends
// 0.0.0.0/0 to the AZ's NAT gateway (the single one with natGateways
// single) and is associated with the AZ's private subnet.
func (s *NetworkService) ReconcilePrivateRoutes(ctx context.Context, az string) error {
	if err := s.requireDynamic("reconcile private routes"); err != nil {
		return err
	}
	key := domain.PrivateRoutesKey(az)
	planned, err := s.planned(key)
	if err != nil {
		return err
	}
	vpcID, err := s.vpcID(ctx)
	if err != nil {
		return err
	}
	nat, err := s.activeNATGateway(ctx, planned.RouteTo)
	if err != nil {
		return err
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	return s.reconcileRouteTable(ctx, idx, vpcID, key, routeTarget{nat: aws.String(nat)})
}

// reconcileRouteTable makes the planned table exist, route 0.0.0.0/0 to
// the target and be associated with the plan's subnets.
func (s *NetworkService) reconcileRouteTable(ctx context.Context, idx ledgerIndex, vpcID, key string, to routeTarget) error {
	planned, err := s.planned(key)
	if err != nil {
		return err
	}
	rt, err := s.ensureRouteTable(ctx, idx, vpcID, key, planned.AZ)
	if err != nil {
		return err
	}
	if err := s.ensureDefaultRoute(ctx, rt, to); err != nil {
		return err
	}
	subnets, err := s.subnetIDs(ctx, planned.Subnets)
	if err != nil {
		return err
	}
	return s.ensureAssociations(ctx, rt, subnets)
}

func (s *NetworkService) ensureRouteTable(ctx context.Context, idx ledgerIndex, vpcID, key, az string) (types.RouteTable, error) {
	tables, err := describeRouteTables(ctx, s.ec2, s.ownedFilters(key))
	if err != nil {
		return types.RouteTable{}, fmt.Errorf("look up route table %s: %w", key, err)
	}
	rt, ok := byResourceKey(tables, routeTableTags, nil)[key]
	if !ok {
		out, err := s.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
			VpcId: aws.String(vpcID), ClientToken: aws.String(s.scope.ClientToken(key)),
			TagSpecifications: s.tagSpec(types.ResourceTypeRouteTable, key),
		})
		if err != nil {
			return types.RouteTable{}, fmt.Errorf("create route table %s in VPC %s: %w", key, vpcID, err)
		}
		rt = *out.RouteTable
	}
	err = s.record(ctx, idx, ledgerEntry(domain.ResRouteTable, key, aws.ToString(rt.RouteTableId), az, "available"))
	return rt, err
}

// ensureDefaultRoute creates the 0.0.0.0/0 route, or points it at the
// target when it goes elsewhere (e.g. a NAT gateway that was replaced).
func (s *NetworkService) ensureDefaultRoute(ctx context.Context, rt types.RouteTable, to routeTarget) error {
	id := aws.ToString(rt.RouteTableId)
	exists := false
	for _, r := range rt.Routes {
		if aws.ToString(r.DestinationCidrBlock) == defaultRoute {
			if to.is(r) {
				return nil
			}
			exists = true
		}
	}
	if !exists {
		_, err := s.ec2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(id), DestinationCidrBlock: aws.String(defaultRoute),
			GatewayId: to.gateway, NatGatewayId: to.nat})
		// RouteAlreadyExists: a concurrent task got there first; make sure
		// it points at the right target below.
		if ErrorCode(err) != "RouteAlreadyExists" {
			if err != nil {
				return fmt.Errorf("route %s to %s in route table %s: %w", defaultRoute, to, id, err)
			}
			return nil
		}
	}
	if _, err := s.ec2.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: aws.String(id), DestinationCidrBlock: aws.String(defaultRoute),
		GatewayId: to.gateway, NatGatewayId: to.nat}); err != nil {
		return fmt.Errorf("point %s at %s in route table %s: %w", defaultRoute, to, id, err)
	}
	return nil
}

func (s *NetworkService) ensureAssociations(ctx context.Context, rt types.RouteTable, subnets []string) error {
	id := aws.ToString(rt.RouteTableId)
	for _, sn := range subnets {
		if slices.ContainsFunc(rt.Associations, func(a types.RouteTableAssociation) bool { return aws.ToString(a.SubnetId) == sn }) {
			continue
		}
		_, err := s.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(id), SubnetId: aws.String(sn)})
		// Resource.AlreadyAssociated after a lost answer is our own first
		// attempt: fine if the subnet is now in this table, not another.
		if err != nil && !(ErrorCode(err) == "Resource.AlreadyAssociated" && s.associated(ctx, id, sn)) {
			return fmt.Errorf("associate route table %s with subnet %s: %w", id, sn, err)
		}
	}
	return nil
}

// associated reports whether subnet sn is associated with route table id.
func (s *NetworkService) associated(ctx context.Context, id, sn string) bool {
	tables, err := describeRouteTables(ctx, s.ec2, []types.Filter{ec2Filter("route-table-id", id)})
	return err == nil && len(tables) == 1 && slices.ContainsFunc(tables[0].Associations,
		func(a types.RouteTableAssociation) bool { return aws.ToString(a.SubnetId) == sn })
}

func describeRouteTables(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.RouteTable, error) {
	return drain(ctx, ec2.NewDescribeRouteTablesPaginator(c, &ec2.DescribeRouteTablesInput{Filters: filters}),
		func(o *ec2.DescribeRouteTablesOutput) []types.RouteTable { return o.RouteTables })
}

func routeTableTags(rt types.RouteTable) []types.Tag { return rt.Tags }
func routeTableIDOf(rt types.RouteTable) *string     { return rt.RouteTableId }

// DeleteRouteTables disassociates and deletes the cluster's route tables.
// A VPC's main table is never ours (AWS creates it) and goes with the VPC.
func (s *NetworkService) DeleteRouteTables(ctx context.Context) error {
	idx, targets, err := findDeleteTargets(ctx, s, domain.ResRouteTable, "route tables", describeRouteTables, routeTableIDOf, routeTableTags)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	tables, err := describeRouteTables(ctx, s.ec2, []types.Filter{ec2Filter("route-table-id", targetIDs(targets)...)})
	if err != nil {
		return fmt.Errorf("describe route tables %v: %w", targetIDs(targets), err)
	}
	associations := map[string][]types.RouteTableAssociation{}
	for _, rt := range tables {
		associations[aws.ToString(rt.RouteTableId)] = rt.Associations
	}
	targets = slices.DeleteFunc(targets, func(t deleteTarget) bool {
		return slices.ContainsFunc(associations[t.id], func(a types.RouteTableAssociation) bool { return aws.ToBool(a.Main) })
	})
	return s.deleteEach(ctx, idx, domain.ResRouteTable, targets, func(ctx context.Context, t deleteTarget) error {
		for _, a := range associations[t.id] {
			_, err := s.ec2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId})
			if err != nil && !isGone(err) {
				return fmt.Errorf("disassociate %s: %w", aws.ToString(a.RouteTableAssociationId), err)
			}
		}
		_, err := s.ec2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(t.id)})
		return err
	})
}
