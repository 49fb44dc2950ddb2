package cloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// PoolUpdater is what a node pool update on a running cluster needs of the
// compute service beyond Compute: single-node launches and terminations
// and in-place tag edits (*ComputeService implements it).
type PoolUpdater interface {
	// PoolNodes lists the pool's instances that are not terminated yet.
	PoolNodes(ctx context.Context, pool string) ([]domain.Node, error)
	// LaunchNodes launches one node per entry of azs (its preferred AZ)
	// with the given user data and extra tags, on free instance keys.
	LaunchNodes(ctx context.Context, net NetworkIDs, pool domain.NodePoolSpec, azs []string, userData string, tags map[string]string) (NodesStatus, error)
	TerminateNodes(ctx context.Context, instanceIDs []string) error
	// TagPool sets tags on the pool's live instances that lack them.
	TagPool(ctx context.Context, pool string, tags map[string]string) error
}

// ControlPlaneTargets keeps the API target group in step with a control
// plane that changes (*LoadBalancerService implements it).
type ControlPlaneTargets interface {
	// SyncControlPlaneTargets makes the targets the running control-plane
	// instances except exclude, and reports whether all of them are
	// registered and healthy.
	SyncControlPlaneTargets(ctx context.Context, exclude []string) (Progress, error)
}

var (
	_ PoolUpdater         = (*ComputeService)(nil)
	_ ControlPlaneTargets = (*LoadBalancerService)(nil)
)

// Tags that record a pool's labels and taints on its instances, so the
// account shows what each node was configured with (the kubelet gets them
// from the user data).
const (
	TagLabels = "clusterforge.io/labels"
	TagTaints = "clusterforge.io/taints"
)

// maxTagValue is EC2's limit on a tag value.
const maxTagValue = 256

// PoolSpecTags are the label and taint tags of a pool: sorted k=v lists, or
// a sha256 of the list when it is longer than a tag value may be.
func PoolSpecTags(pool domain.NodePoolSpec) map[string]string {
	labels := make([]string, 0, len(pool.Labels))
	for _, k := range slices.Sorted(maps.Keys(pool.Labels)) {
		labels = append(labels, k+"="+pool.Labels[k])
	}
	taints := make([]string, len(pool.Taints))
	for i, t := range pool.Taints {
		taints[i] = t.String()
	}
	return map[string]string{TagLabels: fitTagValue(strings.Join(labels, ",")), TagTaints: fitTagValue(strings.Join(taints, ","))}
}

func fitTagValue(v string) string {
	if len(v) <= maxTagValue {
		return v
	}
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PoolAZs is where a pool's nodes go: its own AZs, else every AZ the
// cluster has a node subnet in.
func PoolAZs(pool domain.NodePoolSpec, net NetworkIDs) []string { return poolAZs(pool, net) }

// PoolNodes lists the pool's instances that are not terminated.
func (s *ComputeService) PoolNodes(ctx context.Context, pool string) ([]domain.Node, error) {
	found, err := s.findInstances(ctx, computeFilter("tag:"+TagPool, pool))
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", pool, err)
	}
	out := []domain.Node{}
	for _, inst := range found {
		if instanceState(inst) != string(ec2types.InstanceStateNameTerminated) {
			out = append(out, nodeOf(inst))
		}
	}
	return out, nil
}

// LaunchNodes launches one instance per AZ in azs. Each takes the lowest
// instance key of the pool no live instance holds, so keys stay small as
// nodes come and go; its ClientToken derives from the key's last instance,
// so a key reused within one generation never gets the old instance back.
// A spot pool launches only where the price is in range, else waits.
func (s *ComputeService) LaunchNodes(ctx context.Context, net NetworkIDs, pool domain.NodePoolSpec, azs []string, userData string, tags map[string]string) (NodesStatus, error) {
	found, err := s.findInstances(ctx, computeFilter("tag:"+TagPool, pool.Name))
	if err != nil {
		return NodesStatus{}, fmt.Errorf("pool %s: %w", pool.Name, err)
	}
	ledger, err := s.ledger(ctx)
	if err != nil {
		return NodesStatus{}, err
	}
	poolAZList := poolAZs(pool, net)
	base, subnets, err := s.nodeLaunch(ctx, net, pool, poolAZList, userData)
	if err != nil {
		return NodesStatus{}, err
	}
	base.tags = tags
	groups := instancesByKey(found)
	place := newPlacement(poolAZList, groups)
	var market *spotMarket
	if pool.Capacity.IsSpot() {
		m, err := s.spotMarket(ctx, pool, poolAZList)
		if err != nil {
			return NodesStatus{}, err
		}
		if len(m.inRange) == 0 {
			return NodesStatus{WaitingForSpotPrice: true, SpotMessage: m.waitMessage(poolAZList)}, nil
		}
		place.azs, market = m.inRange, &m
	}
	next := 0
	for _, az := range azs {
		key := domain.InstanceKey(pool.Name, next)
		for slices.ContainsFunc(groups[key], instanceAlive) {
			next++
			key = domain.InstanceKey(pool.Name, next)
		}
		sl, _ := missingSlot(key, az, groups[key], ledgerForKey(ledger, key))
		inst, err := s.launchSlot(ctx, base, sl, subnets, place, market)
		if errors.Is(err, errSpotOutOfRange) {
			return NodesStatus{WaitingForSpotPrice: true, SpotMessage: market.waitMessage(poolAZList)}, nil
		}
		if err != nil {
			return NodesStatus{}, fmt.Errorf("pool %s: %w", pool.Name, err)
		}
		groups[key] = append([]ec2types.Instance{inst}, groups[key]...)
	}
	return NodesStatus{Progress: Progress{Done: len(azs), Total: len(azs)}}, nil
}

// ledgerForKey keeps the key's entries, newest last as recorded, so that
// missingSlot (which takes the first) sees the key's latest instance.
func ledgerForKey(ledger []domain.Resource, key string) []domain.Resource {
	var out []domain.Resource
	for _, r := range ledger {
		if r.Type == string(domain.ResInstance) && r.Key == key {
			out = append([]domain.Resource{r}, out...)
		}
	}
	return out
}

// TerminateNodes terminates the given instances; unknown ones count as gone.
func (s *ComputeService) TerminateNodes(ctx context.Context, instanceIDs []string) error {
	if len(instanceIDs) == 0 {
		return nil
	}
	return s.terminate(ctx, instanceIDs)
}

// ec2Tagger is CreateTags, which only in-place edits need; *ec2.Client has it.
type ec2Tagger interface {
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
}

// TagPool sets tags on the pool's live instances whose values differ, in
// one CreateTags call (none when every instance has them already).
func (s *ComputeService) TagPool(ctx context.Context, pool string, tags map[string]string) error {
	tagger, ok := s.ec2.(ec2Tagger)
	if !ok {
		return errors.New("tag pool instances: the EC2 client cannot CreateTags")
	}
	found, err := s.findInstances(ctx, computeFilter("tag:"+TagPool, pool))
	if err != nil {
		return fmt.Errorf("pool %s: %w", pool, err)
	}
	var ids []string
	for _, inst := range found {
		if !instanceAlive(inst) {
			continue
		}
		for k, v := range tags {
			if instanceTag(inst, k) != v || !hasTag(inst, k) {
				ids = append(ids, aws.ToString(inst.InstanceId))
				break
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = tagger.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: computeTagList(tags)})
	if err != nil {
		return fmt.Errorf("tag instances %v of pool %s: %w", ids, pool, err)
	}
	return nil
}

func hasTag(inst ec2types.Instance, key string) bool {
	return slices.ContainsFunc(inst.Tags, func(t ec2types.Tag) bool { return aws.ToString(t.Key) == key })
}

// SyncControlPlaneTargets registers the running control-plane instances
// (RegisterControlPlane), then deregisters exclude — a node about to be
// terminated leaves the target group before it goes away — and reports
// ready once every wanted target is healthy and nothing else is listed:
// an excluded node has finished draining, so terminating it now drops no
// API connection.
func (s *LoadBalancerService) SyncControlPlaneTargets(ctx context.Context, exclude []string) (Progress, error) {
	if err := s.registerControlPlane(ctx, exclude); err != nil {
		return Progress{}, err
	}
	tgArn, err := s.requireTargetGroup(ctx)
	if err != nil {
		return Progress{}, err
	}
	states, err := s.targetStates(ctx, tgArn)
	if err != nil {
		return Progress{}, err
	}
	var leave []elbTarget
	for _, id := range exclude {
		if st, listed := states[id]; listed && st != elbtypes.TargetHealthStateEnumDraining {
			leave = append(leave, apiTarget(id))
			states[id] = elbtypes.TargetHealthStateEnumDraining
		}
	}
	if len(leave) > 0 {
		if err := s.deregister(ctx, tgArn, leave); err != nil {
			return Progress{}, err
		}
	}
	pool, _ := s.controlPlane()
	running, err := listInstances(ctx, s.ec2, []ec2types.Filter{
		computeFilter("tag:"+domain.TagClusterID, s.scope.ClusterID), computeFilter("tag:"+TagPool, pool),
		computeFilter("instance-state-name", string(ec2types.InstanceStateNameRunning)),
	})
	if err != nil {
		return Progress{}, fmt.Errorf("control-plane targets: %w", err)
	}
	want := map[string]bool{}
	for _, inst := range running {
		if id := aws.ToString(inst.InstanceId); !slices.Contains(exclude, id) {
			want[id] = true
		}
	}
	done, leaving := 0, 0
	for id, state := range states {
		switch {
		case want[id] && state == elbtypes.TargetHealthStateEnumHealthy:
			done++
		case !want[id]:
			leaving++
		}
	}
	msg := fmt.Sprintf("%d/%d control-plane targets healthy", done, len(want))
	if leaving > 0 {
		msg += fmt.Sprintf(", %d draining", leaving)
	}
	return Progress{Ready: done == len(want) && leaving == 0, Done: done, Total: len(want), Message: msg}, nil
}

type elbTarget = elbtypes.TargetDescription

// deregister removes targets; one EC2 no longer knows is gone already.
func (s *LoadBalancerService) deregister(ctx context.Context, tgArn string, targets []elbTarget) error {
	_, err := s.elb.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: aws.String(tgArn), Targets: targets})
	if err != nil && ErrorCode(err) != "InvalidTarget" {
		return fmt.Errorf("deregister targets from %s: %w", tgArn, err)
	}
	return nil
}

// targetStates is every listed target (registered or draining) and its state.
func (s *LoadBalancerService) targetStates(ctx context.Context, tgArn string) (map[string]elbtypes.TargetHealthStateEnum, error) {
	out, err := s.elb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgArn)})
	if err != nil {
		return nil, fmt.Errorf("describe target health of %s: %w", tgArn, err)
	}
	states := map[string]elbtypes.TargetHealthStateEnum{}
	for _, d := range out.TargetHealthDescriptions {
		if d.Target != nil && d.TargetHealth != nil {
			states[aws.ToString(d.Target.Id)] = d.TargetHealth.State
		}
	}
	return states, nil
}
