package cloud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// EC2API is the part of the EC2 client the network service uses; each
// resource file declares the calls it makes (vpcAPI, subnetAPI, ...), so a
// fake in a test only needs what the code under test calls. *ec2.Client
// implements it.
type EC2API interface {
	vpcAPI
	subnetAPI
	internetGatewayAPI
	routeTableAPI
	addressAPI
	natGatewayAPI
	securityGroupAPI
	networkInterfaceAPI
	EC2ReadAPI
}

var (
	_ EC2API  = (*ec2.Client)(nil)
	_ Network = (*NetworkService)(nil)
)

// NetworkService is dynamic placement's networking in the customer's
// account (cluster-api-provider-aws's pkg/cloud/services/network): every
// Reconcile* finds the cluster's resources by their clusterforge.io tags,
// creates what is missing tagged at creation, and records each id in the
// ledger the moment AWS returns it; every Delete* works from the ledger and
// tag discovery. It keeps nothing between calls: a resumed task on another
// Lambda instance sees exactly what this one saw.
type NetworkService struct {
	ec2   EC2API
	scope *ClusterScope
}

// NewNetworkService returns the network service of one cluster.
func NewNetworkService(ec2 EC2API, scope *ClusterScope) *NetworkService {
	return &NetworkService{ec2: ec2, scope: scope}
}

// static reports static placement: the VPC and subnets are the customer's,
// so only what the ledger says we created may be deleted.
func (s *NetworkService) static() bool { return s.scope.Plan.Placement == domain.PlacementStatic }

// planned returns a planned resource, or an error naming the missing key.
func (s *NetworkService) planned(key string) (domain.PlannedResource, error) {
	r, ok := s.scope.Plan.Find(key)
	if !ok {
		return r, fmt.Errorf("%s is not in the plan of cluster %s", key, s.scope.ClusterID)
	}
	return r, nil
}

func (s *NetworkService) requireDynamic(step string) error {
	if s.static() {
		return fmt.Errorf("%s: cluster %s uses static placement; its network is the customer's", step, s.scope.ClusterID)
	}
	return nil
}

// --- tags and filters ---------------------------------------------------

// tagSpec is the TagSpecifications of a planned resource: tagging at
// creation is atomic with the create, so nothing of ours is ever untagged
// (and so invisible to the lookups below).
func (s *NetworkService) tagSpec(rt types.ResourceType, key string) []types.TagSpecification {
	tags := s.scope.Tags(key)
	out := make([]types.Tag, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return []types.TagSpecification{{ResourceType: rt, Tags: out}}
}

// ownedFilters selects the cluster's resources by the cluster-id tag and,
// when keys are given, by resource key: one Describe per kind finds them all.
func (s *NetworkService) ownedFilters(keys ...string) []types.Filter {
	return clusterFilters(s.scope, keys...)
}

func clusterFilters(scope *ClusterScope, keys ...string) []types.Filter {
	f := []types.Filter{ec2Filter("tag:"+domain.TagClusterID, scope.ClusterID)}
	if len(keys) > 0 {
		f = append(f, ec2Filter("tag:"+domain.TagResourceKey, keys...))
	}
	return f
}

func ec2Filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// tagValue returns the value of one tag, or "".
func tagValue(tags []types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// byResourceKey indexes described resources by their resource-key tag.
// Should two carry the same key (only a hand-made copy could), keep wins
// decides which one reconciliation uses; nil keeps the first.
func byResourceKey[T any](items []T, tags func(T) []types.Tag, keep func(old, new T) bool) map[string]T {
	out := make(map[string]T, len(items))
	for _, it := range items {
		key := tagValue(tags(it), domain.TagResourceKey)
		if key == "" {
			continue
		}
		if old, dup := out[key]; dup && (keep == nil || !keep(old, it)) {
			continue
		}
		out[key] = it
	}
	return out
}

// pager is what every generated EC2 Describe paginator implements.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*ec2.Options)) (O, error)
}

// drain reads every page of a Describe call.
func drain[O, T any](ctx context.Context, p pager[O], items func(O) []T) ([]T, error) {
	var out []T
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// --- ledger ---------------------------------------------------------------

// ledgerIndex is the cluster's ledger by resource key (by id for entries
// without a key).
type ledgerIndex map[string]domain.Resource

func (s *NetworkService) ledger(ctx context.Context) (ledgerIndex, error) {
	return readLedgerIndex(ctx, s.scope)
}

// readLedgerIndex reads the cluster's ledger by key (by id for keyless
// entries).
func readLedgerIndex(ctx context.Context, scope *ClusterScope) (ledgerIndex, error) {
	all, err := scope.Ledger.Resources(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the resource ledger of cluster %s: %w", scope.ClusterID, err)
	}
	idx := make(ledgerIndex, len(all))
	for _, r := range all {
		idx[cmp.Or(r.Key, r.ID)] = r
	}
	return idx, nil
}

// record writes one ledger entry. Called right after a create returns, and
// for a resource found by tags that the ledger lacks (the task crashed
// between the create and the record) or holds in another state.
func (s *NetworkService) record(ctx context.Context, idx ledgerIndex, r domain.Resource) error {
	if idx != nil {
		if old, ok := idx[cmp.Or(r.Key, r.ID)]; ok && old == r {
			return nil
		}
	}
	if err := s.scope.Ledger.Record(ctx, r); err != nil {
		return fmt.Errorf("record %s %s in the ledger: %w", r.Type, r.ID, err)
	}
	if idx != nil {
		idx[cmp.Or(r.Key, r.ID)] = r
	}
	return nil
}

// ledgerEntry is the ledger entry of a planned resource.
func ledgerEntry(t domain.ResourceType, key, id, az, state string) domain.Resource {
	return domain.Resource{Type: string(t), ID: id, AZ: az, State: state, Key: key}
}

// --- deletion -------------------------------------------------------------

// deleteTarget is one resource a Delete* step removes.
type deleteTarget struct{ id, key, az string }

// deleteTargets merges the ledger's entries of a type (those not yet
// deleted, unless withDeleted) with what tag discovery found. Static
// placement trusts the ledger only: tags on the customer's resources are
// theirs to set, and a copied tag must not make us delete their subnet.
func (s *NetworkService) deleteTargets(idx ledgerIndex, t domain.ResourceType, discovered []deleteTarget, withDeleted bool) []deleteTarget {
	var out []deleteTarget
	seen := map[string]bool{}
	add := func(tg deleteTarget) {
		if tg.id != "" && !seen[tg.id] {
			seen[tg.id] = true
			out = append(out, tg)
		}
	}
	for _, k := range sortedKeys(idx) {
		if r := idx[k]; r.Type == string(t) && (r.State != StateDeleted || withDeleted) {
			add(deleteTarget{id: r.ID, key: r.Key, az: r.AZ})
		}
	}
	if !s.static() {
		for _, tg := range discovered {
			add(tg)
		}
	}
	return out
}

// StateDeleted is the ledger state of a resource deletion removed.
const StateDeleted = "deleted"

// deleteEach runs del for every target, continuing past failures so one
// stuck resource does not hold back the others, and marks what is gone as
// deleted in the ledger. AWS's "not found" answers mean already deleted;
// DependencyViolation is wrapped in ErrDependencyViolation, which the
// state machine retries.
func (s *NetworkService) deleteEach(ctx context.Context, idx ledgerIndex, t domain.ResourceType, targets []deleteTarget,
	del func(context.Context, deleteTarget) error) error {
	var errs []error
	for _, tg := range targets {
		if err := del(ctx, tg); err != nil && !isGone(err) {
			errs = append(errs, classifyDelete(fmt.Errorf("delete %s %s: %w", t, tg.id, err)))
			continue
		}
		// Something we did not create (the cloud controller's security
		// group) stays out of the ledger.
		if _, ours := idx[cmp.Or(tg.key, tg.id)]; !ours && tg.key == "" {
			continue
		}
		if err := s.record(ctx, idx, ledgerEntry(t, tg.key, tg.id, tg.az, StateDeleted)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// isGone reports AWS saying the resource does not exist (any more).
func isGone(err error) bool {
	code := ErrorCode(err)
	return strings.HasSuffix(code, ".NotFound") || code == "NatGatewayNotFound"
}

// classifyDelete wraps err in ErrDependencyViolation when AWS refused
// because something still depends on the resource.
func classifyDelete(err error) error {
	switch ErrorCode(err) {
	case "DependencyViolation", "InvalidIPAddress.InUse", "InvalidNetworkInterface.InUse":
		return fmt.Errorf("%w: %w", ErrDependencyViolation, err)
	}
	return err
}

// targetsOf turns described resources into deletion targets.
// findDeleteTargets is the first step of every Delete*: what the ledger
// holds of kind t plus, with dynamic placement, what carries the cluster's
// tags (found with describe). what names the kind in errors.
func findDeleteTargets[T any](ctx context.Context, s *NetworkService, t domain.ResourceType, what string,
	describe func(context.Context, EC2ReadAPI, []types.Filter) ([]T, error),
	id func(T) *string, tags func(T) []types.Tag) (ledgerIndex, []deleteTarget, error) {
	idx, err := s.ledger(ctx)
	if err != nil {
		return nil, nil, err
	}
	found, err := s.discover(ctx, func(ctx context.Context) ([]deleteTarget, error) {
		items, err := describe(ctx, s.ec2, s.ownedFilters())
		return targetsOf(items, id, tags), err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find the %s of cluster %s: %w", what, s.scope.ClusterID, err)
	}
	return idx, s.deleteTargets(idx, t, found, false), nil
}

func targetsOf[T any](items []T, id func(T) *string, tags func(T) []types.Tag) []deleteTarget {
	out := make([]deleteTarget, 0, len(items))
	for _, it := range items {
		key := tagValue(tags(it), domain.TagResourceKey)
		out = append(out, deleteTarget{id: aws.ToString(id(it)), key: key, az: azOfKey(key)})
	}
	return out
}

// azOfKey is the AZ a per-AZ resource key ends with ("" for the others).
func azOfKey(key string) string {
	for _, prefix := range []string{"subnet/public/", "subnet/private/", "eip/", "natgateway/", "routetable/private/"} {
		if az, ok := strings.CutPrefix(key, prefix); ok {
			return az
		}
	}
	return ""
}

func targetIDs(targets []deleteTarget) []string {
	out := make([]string, len(targets))
	for i, t := range targets {
		out[i] = t.id
	}
	return out
}

// --- Lookup ----------------------------------------------------------------

// Lookup returns the ids later steps need: the VPC, the subnets by AZ and
// the security groups by role.
func (s *NetworkService) Lookup(ctx context.Context) (NetworkIDs, error) {
	out := newNetworkIDs()
	var err error
	if s.static() {
		out, err = s.lookupStaticSubnets(ctx, out)
	} else {
		out, err = s.lookupDynamicSubnets(ctx, out)
	}
	if err != nil {
		return NetworkIDs{}, err
	}
	groups, err := describeSecurityGroups(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return NetworkIDs{}, fmt.Errorf("look up the security groups: %w", err)
	}
	for key, g := range byResourceKey(groups, sgTags, nil) {
		if role, ok := strings.CutPrefix(key, "securitygroup/"); ok {
			out.SecurityGroups[role] = aws.ToString(g.GroupId)
		}
	}
	return out, nil
}

func (s *NetworkService) lookupDynamicSubnets(ctx context.Context, out NetworkIDs) (NetworkIDs, error) {
	vpc, err := s.findVPC(ctx)
	if err != nil {
		return out, err
	}
	if vpc != nil {
		out.VPCID = aws.ToString(vpc.VpcId)
	}
	subnets, err := describeSubnets(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return out, fmt.Errorf("look up the subnets: %w", err)
	}
	for key, sn := range byResourceKey(subnets, subnetTags, nil) {
		switch az := aws.ToString(sn.AvailabilityZone); {
		case strings.HasPrefix(key, "subnet/"+domain.RolePublic+"/"):
			out.PublicSubnets[az] = aws.ToString(sn.SubnetId)
		case strings.HasPrefix(key, "subnet/"+domain.RolePrivate+"/"):
			out.PrivateSubnets[az] = aws.ToString(sn.SubnetId)
			out.ControlPlaneSubnets[az] = aws.ToString(sn.SubnetId)
		}
	}
	return out, nil
}

// lookupStaticSubnets reads the customer's subnets the plan names: those
// of the bastion and an internet-facing load balancer are public, those of
// the nodes private.
func (s *NetworkService) lookupStaticSubnets(ctx context.Context, out NetworkIDs) (NetworkIDs, error) {
	public, private, controlPlane := staticSubnetIDs(s.scope.Plan)
	subnets, err := describeSubnets(ctx, s.ec2, []types.Filter{ec2Filter("subnet-id", slices.Concat(public, private, controlPlane)...)})
	if err != nil {
		return out, fmt.Errorf("look up the cluster's subnets: %w", err)
	}
	for _, sn := range subnets {
		id, az := aws.ToString(sn.SubnetId), aws.ToString(sn.AvailabilityZone)
		out.VPCID = aws.ToString(sn.VpcId)
		if slices.Contains(public, id) {
			out.PublicSubnets[az] = id
		}
		if slices.Contains(private, id) {
			out.PrivateSubnets[az] = id
		}
		if slices.Contains(controlPlane, id) {
			out.ControlPlaneSubnets[az] = id
		}
	}
	if out.VPCID == "" {
		return out, fmt.Errorf("none of the cluster's subnets %v exists", slices.Concat(public, private, controlPlane))
	}
	return out, nil
}

// staticSubnetIDs are the customer subnet ids a static plan uses: public
// ones (bastion, internet-facing load balancer), the workers' and the
// control plane's.
func staticSubnetIDs(p domain.Plan) (public, private, controlPlane []string) {
	add := func(list *[]string, id string) {
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	for _, r := range p.Resources {
		isPublic := r.Role == domain.RoleBastion || (r.Type == domain.ResLoadBalancer && r.Role == domain.SchemeInternetFacing)
		for _, id := range r.Subnets {
			switch {
			case !strings.HasPrefix(id, "subnet-"):
			case isPublic:
				add(&public, id)
			case r.Type == domain.ResInstance && r.Role == domain.RoleControlPlane, r.Type == domain.ResEKSCluster:
				add(&controlPlane, id)
			case r.Type == domain.ResNodeGroup, r.Type == domain.ResFargateProfile:
				add(&private, id)
			case r.Type == domain.ResInstance:
				add(&private, id)
			}
		}
	}
	return public, private, controlPlane
}

// vpcID is the cluster's VPC: ours found by tags, or the customer's that
// holds the static plan's subnets.
func (s *NetworkService) vpcID(ctx context.Context) (string, error) {
	if s.static() {
		ids, err := s.lookupStaticSubnets(ctx, newNetworkIDs())
		return ids.VPCID, err
	}
	vpc, err := s.findVPC(ctx)
	if err != nil {
		return "", err
	}
	if vpc == nil {
		return "", fmt.Errorf("the VPC of cluster %s does not exist yet; reconcile it first", s.scope.ClusterID)
	}
	return aws.ToString(vpc.VpcId), nil
}

// --- small helpers ---------------------------------------------------------

func newNetworkIDs() NetworkIDs {
	return NetworkIDs{PublicSubnets: map[string]string{}, PrivateSubnets: map[string]string{},
		ControlPlaneSubnets: map[string]string{}, SecurityGroups: map[string]string{}}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
