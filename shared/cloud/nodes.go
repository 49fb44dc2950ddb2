package cloud

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// maxUserData is EC2's limit on user data before base64.
const maxUserData = 16 * 1024

// ReconcileNodes launches the pool's missing instances, in order:
//  1. find the pool's instances by tag (and re-record any a crashed task
//     launched without recording);
//  2. work out which planned keys instance/<pool>/<i> have no live
//     instance, each in its SpreadAcrossAZs AZ;
//  3. for a spot pool, read the max and current prices and keep only the
//     AZs in range (none: wait);
//  4. launch each missing instance in its AZ, moving to the pool's other
//     AZs on InsufficientInstanceCapacity (and, for spot, SpotMaxPriceTooLow).
func (s *ComputeService) ReconcileNodes(ctx context.Context, net NetworkIDs, pool domain.NodePoolSpec, userData string) (NodesStatus, error) {
	azs := poolAZs(pool, net)
	if len(azs) == 0 {
		return NodesStatus{}, fmt.Errorf("pool %s: no AZ to launch in", pool.Name)
	}
	found, err := s.findInstances(ctx, computeFilter("tag:"+TagPool, pool.Name))
	if err != nil {
		return NodesStatus{}, fmt.Errorf("pool %s: %w", pool.Name, err)
	}
	ledger, err := s.ledger(ctx)
	if err != nil {
		return NodesStatus{}, err
	}
	if err := s.recordFound(ctx, ledger, found); err != nil {
		return NodesStatus{}, err
	}
	groups := instancesByKey(found)
	var missing []nodeSlot
	for i := range pool.Size {
		key := domain.InstanceKey(pool.Name, i)
		if sl, ok := missingSlot(key, azs[i%len(azs)], groups[key], ledger); ok {
			missing = append(missing, sl)
		}
	}
	if len(missing) == 0 {
		return poolStatus(pool.Size, groups), nil
	}

	base, subnets, err := s.nodeLaunch(ctx, net, pool, azs, userData)
	if err != nil {
		return NodesStatus{}, err
	}
	place := newPlacement(azs, groups)
	var market *spotMarket
	if pool.Capacity.IsSpot() {
		m, err := s.spotMarket(ctx, pool, azs)
		if err != nil {
			return NodesStatus{}, err
		}
		if len(m.inRange) == 0 {
			return spotWaitStatus(poolStatus(pool.Size, groups), m.waitMessage(azs)), nil
		}
		place.azs, market = m.inRange, &m
	}
	for _, sl := range missing {
		inst, err := s.launchSlot(ctx, base, sl, subnets, place, market)
		if errors.Is(err, errSpotOutOfRange) {
			return spotWaitStatus(poolStatus(pool.Size, groups), market.waitMessage(azs)), nil
		}
		if err != nil {
			return poolStatus(pool.Size, groups), fmt.Errorf("pool %s: %w", pool.Name, err)
		}
		groups[sl.key] = append([]ec2types.Instance{inst}, groups[sl.key]...)
	}
	return poolStatus(pool.Size, groups), nil
}

// NodesReady reports how many of the pool's planned instances are running.
// An instance that went away unexpectedly (a spot interruption) is not
// ready; the next ReconcileNodes replaces it.
func (s *ComputeService) NodesReady(ctx context.Context, pool string) (Progress, []domain.Node, error) {
	found, err := s.findInstances(ctx, computeFilter("tag:"+TagPool, pool))
	if err != nil {
		return Progress{}, nil, fmt.Errorf("pool %s: %w", pool, err)
	}
	groups := instancesByKey(found)
	size := 0
	for _, r := range s.scope.Plan.Resources {
		if r.Type == domain.ResInstance && r.Pool == pool {
			size++
		}
	}
	if size == 0 { // a pool the plan does not know (added later): what exists
		size = len(groups)
	}
	st := poolStatus(size, groups)
	return st.Progress, st.Nodes, nil
}

// poolAZs is where a pool's instance i goes: AZs[i % len(AZs)] (the order
// of domain.SpreadAcrossAZs), the cluster's AZs when the pool names none.
func poolAZs(pool domain.NodePoolSpec, net NetworkIDs) []string {
	subnets := nodeSubnets(pool, net)
	if len(pool.AZs) == 0 {
		return slices.Sorted(maps.Keys(subnets))
	}
	// With static placement a pool can only use the AZs its subnets are in
	// (the control plane's may cover fewer AZs than the cluster's).
	var usable []string
	for _, az := range pool.AZs {
		if subnets[az] != "" {
			usable = append(usable, az)
		}
	}
	if len(usable) == 0 {
		return pool.AZs // nodeLaunch names the missing subnet
	}
	return usable
}

// nodeSubnets are the pool's private subnets by AZ: the control plane's own
// with static placement, where they may differ from the workers'.
func nodeSubnets(pool domain.NodePoolSpec, net NetworkIDs) map[string]string {
	if pool.ControlPlane && len(net.ControlPlaneSubnets) > 0 {
		return net.ControlPlaneSubnets
	}
	return net.PrivateSubnets
}

// slot is one planned instance to launch.
type nodeSlot struct {
	key, az  string
	previous string // the dead instance it replaces, "" for the first
}

// missingSlot returns the slot of key if it has no live instance. found is
// the key's instances by tag, newest first; the ledger names the last
// instance launched for the key when AWS no longer lists a dead one.
func missingSlot(key, az string, found []ec2types.Instance, ledger []domain.Resource) (nodeSlot, bool) {
	if slices.ContainsFunc(found, instanceAlive) {
		return nodeSlot{}, false
	}
	sl := nodeSlot{key: key, az: az}
	if len(found) > 0 {
		sl.previous = aws.ToString(found[0].InstanceId)
	} else if i := slices.IndexFunc(ledger, func(r domain.Resource) bool {
		return r.Type == string(domain.ResInstance) && r.Key == key
	}); i >= 0 {
		sl.previous = ledger[i].ID
	}
	return sl, true
}

// nodeLaunch is what every instance of the pool shares, and the pool's
// private subnet per AZ.
func (s *ComputeService) nodeLaunch(ctx context.Context, net NetworkIDs, pool domain.NodePoolSpec, azs []string, userData string) (runSpec, map[string]string, error) {
	if len(userData) > maxUserData {
		return runSpec{}, nil, fmt.Errorf("pool %s: user data is %d bytes, EC2 takes at most %d", pool.Name, len(userData), maxUserData)
	}
	role := domain.RoleNode
	if pool.ControlPlane {
		role = domain.RoleControlPlane
	}
	sg := net.SecurityGroups[role]
	if sg == "" {
		return runSpec{}, nil, fmt.Errorf("pool %s: no %s security group", pool.Name, role)
	}
	subnets := map[string]string{}
	private := nodeSubnets(pool, net)
	for _, az := range azs {
		if subnets[az] = private[az]; subnets[az] == "" {
			return runSpec{}, nil, fmt.Errorf("pool %s: no private subnet in %s", pool.Name, az)
		}
	}
	img, err := s.images.find(ctx, s.ec2, s.scope.Region, s.nodeImage, s.now())
	if err != nil {
		return runSpec{}, nil, fmt.Errorf("pool %s: node image: %w", pool.Name, err)
	}
	return runSpec{
		pool: pool.Name, instanceType: pool.InstanceType, image: img, securityGroup: sg,
		rootVolumeGiB: pool.RootVolumeGiB, userData: base64.StdEncoding.EncodeToString([]byte(userData)),
	}, subnets, nil
}

// placement picks AZs for the missing instances of one reconcile.
type azPlacement struct {
	azs   []string         // where launching is allowed, in pool order
	count map[string]int   // live or just launched instances per AZ
	given map[string]error // AZs given up on in this reconcile, and why
}

func newPlacement(azs []string, groups map[string][]ec2types.Instance) *azPlacement {
	p := &azPlacement{azs: azs, count: map[string]int{}, given: map[string]error{}}
	for _, list := range groups {
		if inst, ok := currentInstance(list); ok && instanceAlive(inst) {
			p.count[aws.ToString(inst.Placement.AvailabilityZone)]++
		}
	}
	return p
}

// candidates are the AZs to try for an instance planned in own: own first
// if allowed, then the others, emptiest first (pool order on ties), so
// that what cannot go where planned still spreads evenly.
func (p *azPlacement) candidates(own string) []string {
	out := slices.DeleteFunc(slices.Clone(p.azs), func(az string) bool { return p.given[az] != nil })
	notOwn := func(az string) int {
		if az == own {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(notOwn(a), notOwn(b)), cmp.Compare(p.count[a], p.count[b]))
	})
	return out
}

// exhausted is the error once no AZ is left: waiting if some AZ was out
// only for its spot price (that can change), else no capacity anywhere.
func (p *azPlacement) exhausted(instanceType string) error {
	var ice []string
	for _, az := range p.azs {
		switch {
		case errors.Is(p.given[az], errSpotOutOfRange):
			return errSpotOutOfRange
		case errors.Is(p.given[az], ErrInsufficientCapacity):
			ice = append(ice, az)
		}
	}
	return fmt.Errorf("%w for %s in every AZ of the pool (%s)", ErrInsufficientCapacity, instanceType, strings.Join(ice, ", "))
}

// launchSlot launches one instance, trying the slot's AZ and then the
// others. The ClientToken stays the same across AZs: a failed RunInstances
// creates nothing, so the token is still unused.
func (s *ComputeService) launchSlot(ctx context.Context, base runSpec, sl nodeSlot, subnets map[string]string, p *azPlacement, market *spotMarket) (ec2types.Instance, error) {
	for _, az := range p.candidates(sl.az) {
		l := base
		l.key, l.az, l.subnetID, l.clientToken = sl.key, az, subnets[az], s.launchToken(sl.key, sl.previous)
		l.tags = s.scope.Tags(sl.key)
		maps.Copy(l.tags, base.tags) // extra tags of the caller (node pool updates)
		if l.pool != "" {
			l.tags[TagPool] = l.pool
		}
		if l.rootVolumeGiB > 0 {
			l.tags[TagRootVolumeGiB] = strconv.Itoa(l.rootVolumeGiB)
		}
		if market != nil {
			l.spotMaxPrice = domain.FormatSpotPrice(market.maxPrice)
			l.tags[TagSpotPrice] = domain.FormatSpotPrice(market.current[az])
		}
		inst, err := s.run(ctx, l)
		if err == nil {
			p.count[az]++
			return inst, nil
		}
		switch ErrorCode(err) {
		case codeInsufficientCapacity:
			p.given[az] = ErrInsufficientCapacity
		case codeSpotMaxPriceTooLow: // the price rose since we read it
			p.given[az] = errSpotOutOfRange
		default:
			return inst, err
		}
	}
	return ec2types.Instance{}, p.exhausted(base.instanceType)
}

// poolStatus is the progress of a pool of size and its nodes: per planned
// key the instance that stands for it, then any beyond size (still
// running before a scale-down).
func poolStatus(size int, groups map[string][]ec2types.Instance) NodesStatus {
	keys := slices.SortedFunc(maps.Keys(groups), byInstanceIndex)
	var st NodesStatus
	var gone []string
	st.Total = size
	for _, key := range keys {
		inst, ok := currentInstance(groups[key])
		if !ok {
			continue
		}
		i, _ := strconv.Atoi(key[strings.LastIndexByte(key, '/')+1:])
		if i >= size {
			if instanceAlive(inst) {
				st.Nodes = append(st.Nodes, nodeOf(inst))
			}
			continue
		}
		st.Nodes = append(st.Nodes, nodeOf(inst))
		switch {
		case inst.State != nil && inst.State.Name == ec2types.InstanceStateNameRunning:
			st.Done++
		case !instanceAlive(inst):
			gone = append(gone, aws.ToString(inst.InstanceId))
		}
	}
	st.Ready = st.Done >= size
	st.Message = fmt.Sprintf("%d/%d nodes running", st.Done, size)
	if len(gone) > 0 {
		st.Message += fmt.Sprintf("; %s terminated, to be replaced", strings.Join(gone, ", "))
	}
	return st
}
