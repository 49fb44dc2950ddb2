package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// Tags EKS puts on a managed node group's instances.
const (
	TagEKSNodegroupName = "eks:nodegroup-name"
	TagEKSClusterName   = "eks:cluster-name"
)

// workerPool returns the worker pool of the spec by name.
func (s *EKSService) workerPool(name string) (domain.NodePoolSpec, bool) {
	for _, p := range s.spec.NodePools {
		if p.Name == name && !p.ControlPlane {
			return p, true
		}
	}
	return domain.NodePoolSpec{}, false
}

// nodeGroupConfig is what a pool asks of its node group, in EKS's terms.
type nodeGroupConfig struct {
	min, max, desired int32
	instanceTypes     []string
	capacity          ekstypes.CapacityTypes
	diskSize          int32
	labels            map[string]string
	taints            []ekstypes.Taint
	maxUnavailable    int32
}

func configOf(p domain.NodePoolSpec) nodeGroupConfig {
	c := nodeGroupConfig{
		desired: int32(p.Size), min: int32(p.Size), max: int32(p.Size),
		instanceTypes: slices.Clone(p.InstanceTypes), capacity: ekstypes.CapacityTypesOnDemand,
		diskSize: int32(p.RootVolumeGiB), labels: p.Labels, maxUnavailable: int32(max(p.MaxUnavailable, 1)),
	}
	if p.MinSize != nil {
		c.min = int32(*p.MinSize)
	}
	if p.MaxSize != nil {
		c.max = int32(*p.MaxSize)
	}
	if len(c.instanceTypes) == 0 && p.InstanceType != "" {
		c.instanceTypes = []string{p.InstanceType}
	}
	if p.Capacity.IsSpot() {
		c.capacity = ekstypes.CapacityTypesSpot
	}
	for _, t := range p.Taints {
		c.taints = append(c.taints, ekstypes.Taint{Key: aws.String(t.Key), Value: optional(t.Value),
			Effect: ekstypes.TaintEffect(domain.EKSTaintEffect(t.Effect))})
	}
	return c
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// amiType picks the AL2023 image for the instance types: Graviton (a "g"
// after the generation digit, or a1) takes the ARM image, GPU families
// (g, p) the NVIDIA one.
func amiType(instanceTypes []string) ekstypes.AMITypes {
	if len(instanceTypes) == 0 {
		return ekstypes.AMITypesAl2023X8664Standard
	}
	family := strings.ToLower(strings.SplitN(instanceTypes[0], ".", 2)[0])
	i := strings.IndexFunc(family, unicode.IsDigit)
	if i < 0 {
		return ekstypes.AMITypesAl2023X8664Standard
	}
	prefix, suffix := family[:i], strings.TrimLeftFunc(family[i:], unicode.IsDigit)
	arm := family == "a1" || strings.Contains(suffix, "g")
	gpu := prefix == "g" || prefix == "p"
	switch {
	case arm && gpu:
		return ekstypes.AMITypesAl2023Arm64Nvidia
	case arm:
		return ekstypes.AMITypesAl2023Arm64Standard
	case gpu:
		return ekstypes.AMITypesAl2023X8664Nvidia
	}
	return ekstypes.AMITypesAl2023X8664Standard
}

// poolSubnets are the private subnets of the pool's AZs (all private
// subnets when the pool names none).
func poolSubnets(net NetworkIDs, p domain.NodePoolSpec) ([]string, error) {
	azs := p.AZs
	if len(azs) == 0 {
		azs = sortedKeys(net.PrivateSubnets)
	}
	var out []string
	for _, az := range azs {
		id, ok := net.PrivateSubnets[az]
		if !ok {
			return nil, fmt.Errorf("node pool %s: no private subnet in %s: %w", p.Name, az, ErrNotYet)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("node pool %s: no private subnets: %w", p.Name, ErrNotYet)
	}
	return out, nil
}

// poolGroups are the cluster's node groups of one pool (tagged with its
// resource key), including a replacement and the group it replaces.
func (s *EKSService) poolGroups(ctx context.Context, pool string) ([]ekstypes.Nodegroup, error) {
	all, err := s.nodeGroups(ctx)
	if err != nil {
		return nil, err
	}
	return ofPool(all, pool), nil
}

func ofPool(all []ekstypes.Nodegroup, pool string) []ekstypes.Nodegroup {
	return slices.DeleteFunc(slices.Clone(all), func(g ekstypes.Nodegroup) bool {
		return g.Tags[domain.TagResourceKey] != domain.NodeGroupKey(pool)
	})
}

// nodeGroups are our node groups of the EKS cluster; none when the cluster
// does not exist.
func (s *EKSService) nodeGroups(ctx context.Context) ([]ekstypes.Nodegroup, error) {
	var names []string
	p := eks.NewListNodegroupsPaginator(s.eks, &eks.ListNodegroupsInput{ClusterName: aws.String(s.clusterName())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if eksNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the node groups of EKS cluster %s: %w", s.clusterName(), err)
		}
		names = append(names, page.Nodegroups...)
	}
	var out []ekstypes.Nodegroup
	for _, name := range names {
		g, err := s.describeNodeGroup(ctx, name)
		if err != nil {
			return nil, err
		}
		if g != nil && s.ours(g.Tags) {
			out = append(out, *g)
		}
	}
	return out, nil
}

func (s *EKSService) describeNodeGroup(ctx context.Context, name string) (*ekstypes.Nodegroup, error) {
	out, err := s.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{
		ClusterName: aws.String(s.clusterName()), NodegroupName: aws.String(name),
	})
	if eksNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe node group %s: %w", name, err)
	}
	return out.Nodegroup, nil
}

// ReconcileNodeGroup makes sure the pool's node group exists (named after
// the pool, or the ledger's replacement name), created in the private
// subnets of the pool's AZs otherwise. A group EKS failed to create (a
// retry after CREATE_FAILED) is deleted and replaced by "<pool>-<n>", as
// its name stays taken until the deletion ends. It does not wait:
// NodeGroupReady reports CREATING → ACTIVE.
func (s *EKSService) ReconcileNodeGroup(ctx context.Context, net NetworkIDs, pool string) error {
	p, ok := s.workerPool(pool)
	if !ok {
		return fmt.Errorf("node pool %s is not in the spec: %w", pool, ErrResourceFailed)
	}
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return err
	}
	all, err := s.nodeGroups(ctx)
	if err != nil {
		return err
	}
	groups := ofPool(all, pool)
	for _, g := range groups {
		if g.Status == ekstypes.NodegroupStatusCreateFailed {
			if err := s.deleteNodeGroup(ctx, g); err != nil {
				return err
			}
		}
	}
	if g, ok := currentGroup(groups, idx[domain.NodeGroupKey(pool)].ID); ok {
		return s.recordNodeGroup(ctx, idx, pool, g)
	}
	name := pool
	if hasGroup(all, pool) {
		name = replacementName(pool, all)
	}
	return s.createNodeGroup(ctx, idx, net, p, name)
}

// usableGroup: a group that is or will be serving the pool.
func usableGroup(g ekstypes.Nodegroup) bool {
	switch g.Status {
	case ekstypes.NodegroupStatusDeleting, ekstypes.NodegroupStatusCreateFailed, ekstypes.NodegroupStatusDeleteFailed:
		return false
	}
	return true
}

// currentGroup is the pool's usable group the ledger names, else any
// usable one.
func currentGroup(groups []ekstypes.Nodegroup, ledgerName string) (ekstypes.Nodegroup, bool) {
	for _, g := range groups {
		if aws.ToString(g.NodegroupName) == ledgerName && usableGroup(g) {
			return g, true
		}
	}
	for _, g := range groups {
		if usableGroup(g) {
			return g, true
		}
	}
	return ekstypes.Nodegroup{}, false
}

func (s *EKSService) createNodeGroup(ctx context.Context, idx ledgerIndex, net NetworkIDs, p domain.NodePoolSpec, name string) error {
	roleARN, err := s.roleARN(ctx, domain.KeyNodeRole)
	if err != nil {
		return err
	}
	subnets, planned, err := s.plannedSubnets(domain.NodeGroupKey(p.Name), net)
	if !planned && err == nil {
		subnets, err = poolSubnets(net, p)
	}
	if err != nil {
		return err
	}
	c, key := configOf(p), domain.NodeGroupKey(p.Name)
	token := s.scope.ClientToken(key)
	if name != p.Name {
		token = s.scope.ClientToken(key + "/" + name) // a replacement is another resource
	}
	in := &eks.CreateNodegroupInput{
		ClusterName: aws.String(s.clusterName()), NodegroupName: aws.String(name), NodeRole: aws.String(roleARN),
		Subnets:       subnets,
		ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(c.min), MaxSize: aws.Int32(c.max), DesiredSize: aws.Int32(c.desired)},
		InstanceTypes: c.instanceTypes, CapacityType: c.capacity, AmiType: amiType(c.instanceTypes),
		Labels: c.labels, Taints: c.taints,
		UpdateConfig:       &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(c.maxUnavailable)},
		Tags:               s.scope.Tags(key),
		ClientRequestToken: aws.String(token),
	}
	if c.diskSize > 0 {
		in.DiskSize = aws.Int32(c.diskSize)
	}
	out, err := s.eks.CreateNodegroup(ctx, in)
	switch {
	case err == nil:
		return s.recordNodeGroup(ctx, idx, p.Name, *out.Nodegroup)
	case eksInUse(err):
		// The cluster is not ACTIVE yet, or the group was created by a
		// call whose answer was lost: the next turn finds out which.
		return notYet("create node group "+name, err)
	case ErrorCode(err) == "InvalidParameterException" && strings.Contains(err.Error(), "assumed"):
		return notYet("create node group "+name, err)
	}
	return fmt.Errorf("create node group %s: %w", name, err)
}

func (s *EKSService) recordNodeGroup(ctx context.Context, idx ledgerIndex, pool string, g ekstypes.Nodegroup) error {
	return s.record(ctx, idx, domain.Resource{Type: string(domain.ResNodeGroup), ID: aws.ToString(g.NodegroupName),
		Key: domain.NodeGroupKey(pool), State: string(g.Status)})
}

// NodeGroupReady reports the pool's node group: ready when ACTIVE, with
// the group's instances as the pool's nodes. CREATE_FAILED and DEGRADED
// are permanent failures with EKS's health issues.
func (s *EKSService) NodeGroupReady(ctx context.Context, pool string) (Progress, []domain.Node, error) {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, nil, err
	}
	groups, err := s.poolGroups(ctx, pool)
	if err != nil {
		return Progress{}, nil, err
	}
	g, ok := currentGroup(groups, idx[domain.NodeGroupKey(pool)].ID)
	if !ok {
		for _, failed := range groups {
			if err := groupFailure(failed); err != nil {
				return Progress{}, nil, err // with EKS's reasons; a retry replaces it
			}
		}
		return Progress{}, nil, fmt.Errorf("node group of pool %s: %w: not found", pool, ErrNotYet)
	}
	if err := s.recordNodeGroup(ctx, idx, pool, g); err != nil {
		return Progress{}, nil, err
	}
	nodes, err := s.nodeGroupNodes(ctx, groups)
	if err != nil {
		return Progress{}, nil, err
	}
	return groupProgress(g, nodes), nodes, groupFailure(g)
}

// groupProgress: done counts the running nodes while the group is created;
// ACTIVE means EKS saw every desired node join.
func groupProgress(g ekstypes.Nodegroup, nodes []domain.Node) Progress {
	desired := 0
	if g.ScalingConfig != nil {
		desired = int(aws.ToInt32(g.ScalingConfig.DesiredSize))
	}
	running := 0
	for _, n := range nodes {
		if n.State == string(ec2types.InstanceStateNameRunning) {
			running++
		}
	}
	p := Progress{Done: min(running, desired), Total: desired}
	if g.Status == ekstypes.NodegroupStatusActive {
		p.Ready, p.Done = true, desired
	}
	p.Message = fmt.Sprintf("node group %s %s %d/%d", aws.ToString(g.NodegroupName), g.Status, p.Done, p.Total)
	return p
}

func groupFailure(g ekstypes.Nodegroup) error {
	switch g.Status {
	case ekstypes.NodegroupStatusCreateFailed, ekstypes.NodegroupStatusDegraded, ekstypes.NodegroupStatusDeleteFailed:
		var why string
		if g.Health != nil {
			why = issues(g.Health.Issues, func(i ekstypes.Issue) (string, string) { return string(i.Code), aws.ToString(i.Message) })
		}
		return fmt.Errorf("node group %s %s: %s: %w", aws.ToString(g.NodegroupName), g.Status, why, ErrResourceFailed)
	}
	return nil
}

// nodeGroupNodes are the live instances of the groups (EKS tags them with
// the group's name), as the API shows a pool's nodes.
func (s *EKSService) nodeGroupNodes(ctx context.Context, groups []ekstypes.Nodegroup) ([]domain.Node, error) {
	if s.ec2 == nil || len(groups) == 0 {
		return []domain.Node{}, nil
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = aws.ToString(g.NodegroupName)
	}
	instances, err := listInstances(ctx, s.ec2, []ec2types.Filter{
		computeFilter("tag:"+TagEKSClusterName, s.clusterName()),
		computeFilter("tag:"+TagEKSNodegroupName, names...),
		computeFilter("instance-state-name", "pending", "running"),
	})
	if err != nil {
		return nil, fmt.Errorf("node groups %v: %w", names, err)
	}
	nodes := make([]domain.Node, 0, len(instances))
	for _, inst := range instances {
		nodes = append(nodes, nodeOf(inst))
	}
	return nodes, nil
}

// DeleteNodeGroups deletes every node group of ours on the cluster (the
// ledger's and those found by tags); one already deleting is left to finish.
func (s *EKSService) DeleteNodeGroups(ctx context.Context) error {
	groups, err := s.nodeGroups(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if err := s.deleteNodeGroup(ctx, g); err != nil {
			return err
		}
	}
	return nil
}

func (s *EKSService) deleteNodeGroup(ctx context.Context, g ekstypes.Nodegroup) error {
	if g.Status == ekstypes.NodegroupStatusDeleting {
		return nil
	}
	name := aws.ToString(g.NodegroupName)
	_, err := s.eks.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(s.clusterName()), NodegroupName: aws.String(name)})
	switch {
	case err == nil, eksNotFound(err):
		return nil
	case eksInUse(err):
		// An update or create is still running on it.
		return fmt.Errorf("delete node group %s: %w: %w", name, ErrDependencyViolation, err)
	}
	return fmt.Errorf("delete node group %s: %w", name, err)
}

// NodeGroupsDeleted reports how many of the node groups the ledger records
// are gone, and whether any of ours remains.
func (s *EKSService) NodeGroupsDeleted(ctx context.Context) (Progress, error) {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	groups, err := s.nodeGroups(ctx)
	if err != nil {
		return Progress{}, err
	}
	live := map[string]bool{}
	for _, g := range groups {
		if g.Status == ekstypes.NodegroupStatusDeleteFailed {
			return Progress{}, groupFailure(g)
		}
		live[aws.ToString(g.NodegroupName)] = true
	}
	p, inLedger := Progress{}, map[string]bool{}
	for _, r := range idx {
		if r.Type != string(domain.ResNodeGroup) {
			continue
		}
		inLedger[r.ID] = true
		p.Total++
		if live[r.ID] {
			continue
		}
		p.Done++
		if r.State != StateDeleted {
			if err := s.record(ctx, idx, domain.Resource{Type: r.Type, ID: r.ID, Key: r.Key, State: StateDeleted}); err != nil {
				return Progress{}, err
			}
		}
	}
	// Groups the ledger does not name (a replaced group, or a crash
	// before the record) still count.
	for name := range live {
		if !inLedger[name] {
			p.Total++
		}
	}
	p.Ready = len(live) == 0
	p.Message = fmt.Sprintf("%d/%d node groups deleted", p.Done, p.Total)
	return p, nil
}
