package cloud

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type natGatewayAPI interface {
	CreateNatGateway(context.Context, *ec2.CreateNatGatewayInput, ...func(*ec2.Options)) (*ec2.CreateNatGatewayOutput, error)
	DeleteNatGateway(context.Context, *ec2.DeleteNatGatewayInput, ...func(*ec2.Options)) (*ec2.DeleteNatGatewayOutput, error)
}

// natRank orders the states of gateways that share a key (a failed one and
// its replacement): the one reconciliation and readiness look at is the
// highest. Deleted and deleting gateways are never used.
var natRank = map[types.NatGatewayState]int{
	types.NatGatewayStateFailed: 1, types.NatGatewayStatePending: 2, types.NatGatewayStateAvailable: 3,
}

func preferNAT(old, cur types.NatGateway) bool { return natRank[cur.State] > natRank[old.State] }

// usable: pending or available, i.e. it is or will be routing.
func natUsable(n types.NatGateway) bool {
	return natRank[n.State] >= natRank[types.NatGatewayStatePending]
}

// ReconcileNATGateway makes sure the AZ's Elastic IP and NAT gateway exist
// in its public subnet. With natGateways single only the plan's one AZ has
// them; the call is a no-op for the others, so the workflow can map over
// every AZ either way. It does not wait: NATGatewaysReady reports progress.
func (s *NetworkService) ReconcileNATGateway(ctx context.Context, az string) error {
	if err := s.requireDynamic("reconcile NAT gateway"); err != nil {
		return err
	}
	key := domain.NATGatewayKey(az)
	planned, ok := s.scope.Plan.Find(key)
	if !ok {
		return nil
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	// The address first, even when the gateway exists: that records it
	// should the task have crashed before it could.
	allocationID, err := s.ensureAddress(ctx, idx, domain.EIPKey(az), az)
	if err != nil {
		return err
	}
	existing, err := s.natGatewaysByKey(ctx, key)
	if err != nil {
		return err
	}
	if nat, ok := existing[key]; ok && natUsable(nat) {
		return s.record(ctx, idx, ledgerEntry(domain.ResNATGateway, key, aws.ToString(nat.NatGatewayId), az, string(nat.State)))
	}
	subnets, err := s.subnetIDs(ctx, planned.Subnets)
	if err != nil {
		return err
	}
	// The ClientToken makes a retry of this very call (the response lost)
	// return the gateway it created instead of a second one.
	out, err := s.ec2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{
		SubnetId: aws.String(subnets[0]), AllocationId: aws.String(allocationID),
		ConnectivityType: types.ConnectivityTypePublic, ClientToken: aws.String(s.scope.ClientToken(key)),
		TagSpecifications: s.tagSpec(types.ResourceTypeNatgateway, key),
	})
	if err != nil {
		return fmt.Errorf("create NAT gateway in %s: %w", az, err)
	}
	nat := out.NatGateway
	return s.record(ctx, idx, ledgerEntry(domain.ResNATGateway, key, aws.ToString(nat.NatGatewayId), az, string(nat.State)))
}

// NATGatewaysReady reports how many of the planned NAT gateways are
// available. A failed gateway is an error wrapping ErrResourceFailed that
// names it, its AZ and AWS's reason: waiting longer will not help.
func (s *NetworkService) NATGatewaysReady(ctx context.Context) (Progress, error) {
	var keys []string
	for _, r := range s.scope.Plan.Resources {
		if r.Type == domain.ResNATGateway {
			keys = append(keys, r.Key)
		}
	}
	if len(keys) == 0 {
		return Progress{Ready: true, Message: "no NAT gateways planned"}, nil
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return Progress{}, err
	}
	existing, err := s.natGatewaysByKey(ctx, keys...)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Total: len(keys)}
	for _, key := range keys {
		nat, ok := existing[key]
		if !ok {
			continue
		}
		id, az := aws.ToString(nat.NatGatewayId), azOfKey(key)
		if err := s.record(ctx, idx, ledgerEntry(domain.ResNATGateway, key, id, az, string(nat.State))); err != nil {
			return Progress{}, err
		}
		switch nat.State {
		case types.NatGatewayStateAvailable:
			p.Done++
		case types.NatGatewayStateFailed:
			return Progress{}, fmt.Errorf("NAT gateway %s in %s failed: %s: %s: %w",
				id, az, aws.ToString(nat.FailureCode), aws.ToString(nat.FailureMessage), ErrResourceFailed)
		}
	}
	p.Ready = p.Done == p.Total
	p.Message = fmt.Sprintf("%d/%d NAT gateways available", p.Done, p.Total)
	return p, nil
}

// activeNATGateway is the id of the pending or available gateway with the key.
func (s *NetworkService) activeNATGateway(ctx context.Context, key string) (string, error) {
	existing, err := s.natGatewaysByKey(ctx, key)
	if err != nil {
		return "", err
	}
	nat, ok := existing[key]
	if !ok || !natUsable(nat) {
		return "", fmt.Errorf("NAT gateway %s of cluster %s does not exist yet; reconcile it first", key, s.scope.ClusterID)
	}
	return aws.ToString(nat.NatGatewayId), nil
}

// natGatewaysByKey returns the cluster's gateways with the keys (all if
// none) that are not deleting or deleted: AWS keeps showing deleted ones
// for an hour, and they must not count as existing.
func (s *NetworkService) natGatewaysByKey(ctx context.Context, keys ...string) (map[string]types.NatGateway, error) {
	filters := append(s.ownedFilters(keys...), ec2Filter("state", "pending", "available", "failed"))
	nats, err := describeNATGateways(ctx, s.ec2, filters)
	if err != nil {
		return nil, fmt.Errorf("look up the NAT gateways of cluster %s: %w", s.scope.ClusterID, err)
	}
	return byResourceKey(nats, natTags, preferNAT), nil
}

func describeNATGateways(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.NatGateway, error) {
	return drain(ctx, ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{Filter: filters}),
		func(o *ec2.DescribeNatGatewaysOutput) []types.NatGateway { return o.NatGateways })
}

func natTags(n types.NatGateway) []types.Tag { return n.Tags }
func natIDOf(n types.NatGateway) *string     { return n.NatGatewayId }

// natDeleteTargets are the ledger's and the tags' NAT gateways, described
// (one call for the tag scan, one for the ledger's ids).
func (s *NetworkService) natDeleteTargets(ctx context.Context, idx ledgerIndex) ([]deleteTarget, map[string]types.NatGateway, error) {
	found, err := s.discover(ctx, func(ctx context.Context) ([]deleteTarget, error) {
		nats, err := describeNATGateways(ctx, s.ec2, s.ownedFilters())
		return targetsOf(nats, natIDOf, natTags), err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find the NAT gateways of cluster %s: %w", s.scope.ClusterID, err)
	}
	// Deleted ones too: NATGatewaysDeleted counts them as done rather
	// than forgetting them, and describing them costs nothing extra.
	targets := s.deleteTargets(idx, domain.ResNATGateway, found, true)
	if len(targets) == 0 {
		return nil, nil, nil
	}
	nats, err := describeNATGateways(ctx, s.ec2, []types.Filter{ec2Filter("nat-gateway-id", targetIDs(targets)...)})
	if err != nil {
		return nil, nil, fmt.Errorf("describe NAT gateways %v: %w", targetIDs(targets), err)
	}
	byID := map[string]types.NatGateway{}
	for _, n := range nats {
		byID[aws.ToString(n.NatGatewayId)] = n
	}
	return targets, byID, nil
}

// DeleteNATGateways starts deleting the cluster's NAT gateways; it does not
// wait (NATGatewaysDeleted reports progress). Deleting ones are left alone.
func (s *NetworkService) DeleteNATGateways(ctx context.Context) error {
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	targets, byID, err := s.natDeleteTargets(ctx, idx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range targets {
		nat, ok := byID[t.id]
		state := nat.State
		switch {
		case !ok:
			state = types.NatGatewayStateDeleted // gone from Describe: long deleted
		case state == types.NatGatewayStateDeleting || state == types.NatGatewayStateDeleted:
		default:
			_, err := s.ec2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(t.id)})
			switch {
			case isGone(err):
				state = types.NatGatewayStateDeleted
			case err != nil:
				errs = append(errs, classifyDelete(fmt.Errorf("delete NAT gateway %s in %s: %w", t.id, t.az, err)))
				continue
			default:
				state = types.NatGatewayStateDeleting
			}
		}
		if err := s.record(ctx, idx, ledgerEntry(domain.ResNATGateway, t.key, t.id, t.az, string(state))); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NATGatewaysDeleted reports how many of the cluster's NAT gateways are
// deleted; deleting ones are not done yet.
func (s *NetworkService) NATGatewaysDeleted(ctx context.Context) (Progress, error) {
	idx, err := s.ledger(ctx)
	if err != nil {
		return Progress{}, err
	}
	targets, byID, err := s.natDeleteTargets(ctx, idx)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Total: len(targets)}
	for _, t := range targets {
		nat, ok := byID[t.id]
		if ok && nat.State != types.NatGatewayStateDeleted {
			continue
		}
		p.Done++
		if err := s.record(ctx, idx, ledgerEntry(domain.ResNATGateway, t.key, t.id, t.az, StateDeleted)); err != nil {
			return Progress{}, err
		}
	}
	p.Ready = p.Done == p.Total
	p.Message = fmt.Sprintf("%d/%d NAT gateways deleted", p.Done, p.Total)
	return p, nil
}

// natGatewaysHoldingAddresses maps each of the allocation ids still held by
// one of the cluster's NAT gateways (anything but deleted or failed, which
// have let go of their address) to that gateway.
func (s *NetworkService) natGatewaysHoldingAddresses(ctx context.Context, idx ledgerIndex, allocationIDs []string) (map[string]string, error) {
	_, nats, err := s.natDeleteTargets(ctx, idx)
	if err != nil {
		return nil, err
	}
	held := map[string]string{}
	for _, n := range nats {
		if n.State == types.NatGatewayStateDeleted || n.State == types.NatGatewayStateFailed {
			continue
		}
		for _, a := range n.NatGatewayAddresses {
			if id := aws.ToString(a.AllocationId); slices.Contains(allocationIDs, id) {
				held[id] = aws.ToString(n.NatGatewayId)
			}
		}
	}
	return held, nil
}
