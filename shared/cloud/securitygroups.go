package cloud

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type securityGroupAPI interface {
	CreateSecurityGroup(context.Context, *ec2.CreateSecurityGroupInput, ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	AuthorizeSecurityGroupIngress(context.Context, *ec2.AuthorizeSecurityGroupIngressInput, ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupIngress(context.Context, *ec2.RevokeSecurityGroupIngressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	DeleteSecurityGroup(context.Context, *ec2.DeleteSecurityGroupInput, ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
}

// ReconcileSecurityGroups makes sure the plan's groups exist in the
// cluster's VPC (ours, or the customer's with static placement) with their
// inbound rules. All groups are created before any rule is applied, since
// rules reference each other's ids.
func (s *NetworkService) ReconcileSecurityGroups(ctx context.Context) error {
	vpcID, err := s.vpcID(ctx)
	if err != nil {
		return err
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	existing, err := s.securityGroupsByKey(ctx)
	if err != nil {
		return err
	}
	var planned []domain.PlannedResource
	groupIDs := map[string]string{}
	for _, r := range s.scope.Plan.Resources {
		if r.Type != domain.ResSecurityGroup {
			continue
		}
		planned = append(planned, r)
		g, ok := existing[r.Key]
		if !ok {
			if g, err = s.createSecurityGroup(ctx, vpcID, r); err != nil {
				return err
			}
			existing[r.Key] = g
		}
		groupIDs[r.Key] = aws.ToString(g.GroupId)
		if err := s.record(ctx, idx, ledgerEntry(domain.ResSecurityGroup, r.Key, aws.ToString(g.GroupId), "", "available")); err != nil {
			return err
		}
	}
	resolve, err := s.ruleSources(ctx, planned, groupIDs)
	if err != nil {
		return err
	}
	for _, r := range planned {
		g := existing[r.Key]
		want, err := desiredPermissions(r, resolve)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, aws.ToString(g.GroupId), missingPermissions(want, g.IpPermissions)); err != nil {
			return fmt.Errorf("authorize the rules of %s: %w", r.Key, err)
		}
	}
	return nil
}

func (s *NetworkService) createSecurityGroup(ctx context.Context, vpcID string, r domain.PlannedResource) (types.SecurityGroup, error) {
	// Names are unique per VPC, and with static placement two projects'
	// clusters of the same name may share the customer's VPC.
	name := domain.ResourceName(s.scope.ClusterName, r.Key) + "-" + s.scope.ClusterID
	out, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), VpcId: aws.String(vpcID),
		Description:       aws.String(fmt.Sprintf("ClusterForge %s of cluster %s", r.Role, s.scope.ClusterName)),
		TagSpecifications: s.tagSpec(types.ResourceTypeSecurityGroup, r.Key),
	}, sendOnce)
	if err != nil {
		return types.SecurityGroup{}, fmt.Errorf("create security group %s in VPC %s: %w", r.Key, vpcID, err)
	}
	// A new group has no inbound rules.
	return types.SecurityGroup{GroupId: out.GroupId, GroupName: aws.String(name), VpcId: aws.String(vpcID)}, nil
}

// ruleSources returns how a rule source resolves to a peer: a CIDR as is,
// a group key to its id, an Elastic IP key to its address as a /32.
func (s *NetworkService) ruleSources(ctx context.Context, planned []domain.PlannedResource, groupIDs map[string]string) (func(string) (string, error), error) {
	needEIPs := slices.ContainsFunc(planned, func(r domain.PlannedResource) bool {
		return slices.ContainsFunc(r.Rules, func(rule domain.SecurityGroupRule) bool {
			return slices.ContainsFunc(rule.Sources, func(src string) bool { return strings.HasPrefix(src, "eip/") })
		})
	})
	var eips map[string]types.Address
	if needEIPs {
		var err error
		if eips, err = s.addressesByKey(ctx); err != nil {
			return nil, err
		}
	}
	return func(src string) (string, error) {
		if p, err := netip.ParsePrefix(src); err == nil {
			return p.String(), nil
		}
		if id, ok := groupIDs[src]; ok {
			return id, nil
		}
		if a, ok := eips[src]; ok && a.PublicIp != nil {
			return aws.ToString(a.PublicIp) + "/32", nil
		}
		return "", fmt.Errorf("rule source %s is neither a CIDR nor a resource of cluster %s that exists", src, s.scope.ClusterID)
	}, nil
}

// permission is one normalised inbound rule: one protocol and port range,
// one peer (a CIDR or a group id). AWS reports rules grouped and spells
// protocols either way ("tcp" or "6"); comparing these is exact.
type permission struct {
	proto    string
	from, to int32
	peer     string
	desc     string
}

func (p permission) same(o permission) bool {
	return p.proto == o.proto && p.from == o.from && p.to == o.to && p.peer == o.peer
}

var protocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}

func normProtocol(p string) string {
	p = strings.ToLower(p)
	if n, ok := protocolNames[p]; ok {
		return n
	}
	return p
}

// hasPorts: only TCP, UDP and ICMP rules carry a port range (or type/code).
func hasPorts(proto string) bool { return proto == "tcp" || proto == "udp" || proto == "icmp" }

func desiredPermissions(r domain.PlannedResource, resolve func(string) (string, error)) ([]permission, error) {
	var out []permission
	for _, rule := range r.Rules {
		proto := normProtocol(rule.Protocol)
		var from, to int32
		if hasPorts(proto) {
			from, to = int32(rule.FromPort), int32(rule.ToPort)
		}
		for _, src := range rule.Sources {
			peer, err := resolve(src)
			if err != nil {
				return nil, fmt.Errorf("rule %q of %s: %w", rule.Description, r.Key, err)
			}
			out = append(out, permission{proto, from, to, peer, rule.Description})
		}
	}
	return out, nil
}

func existingPermissions(perms []types.IpPermission) []permission {
	var out []permission
	for _, p := range perms {
		proto := normProtocol(aws.ToString(p.IpProtocol))
		var from, to int32
		if hasPorts(proto) {
			from, to = aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort)
		}
		for _, r := range p.IpRanges {
			out = append(out, permission{proto: proto, from: from, to: to, peer: aws.ToString(r.CidrIp)})
		}
		for _, g := range p.UserIdGroupPairs {
			out = append(out, permission{proto: proto, from: from, to: to, peer: aws.ToString(g.GroupId)})
		}
	}
	return out
}

func missingPermissions(want []permission, have []types.IpPermission) []permission {
	existing := existingPermissions(have)
	var out []permission
	for _, w := range want {
		if !slices.ContainsFunc(existing, w.same) && !slices.ContainsFunc(out, w.same) {
			out = append(out, w)
		}
	}
	return out
}

// ipPermissions regroups permissions into the API's shape, one IpPermission
// per protocol and port range.
func ipPermissions(perms []permission) []types.IpPermission {
	var out []types.IpPermission
	for _, p := range perms {
		i := slices.IndexFunc(out, func(ip types.IpPermission) bool {
			return aws.ToString(ip.IpProtocol) == p.proto && aws.ToInt32(ip.FromPort) == p.from && aws.ToInt32(ip.ToPort) == p.to
		})
		if i < 0 {
			ip := types.IpPermission{IpProtocol: aws.String(p.proto)}
			if hasPorts(p.proto) {
				ip.FromPort, ip.ToPort = aws.Int32(p.from), aws.Int32(p.to)
			}
			out = append(out, ip)
			i = len(out) - 1
		}
		desc := aws.String(p.desc)
		if p.desc == "" {
			desc = nil
		}
		if strings.HasPrefix(p.peer, "sg-") {
			out[i].UserIdGroupPairs = append(out[i].UserIdGroupPairs, types.UserIdGroupPair{GroupId: aws.String(p.peer), Description: desc})
		} else {
			out[i].IpRanges = append(out[i].IpRanges, types.IpRange{CidrIp: aws.String(p.peer), Description: desc})
		}
	}
	return out
}

// authorize adds the rules in one call. If a concurrent task added some of
// them first (InvalidPermission.Duplicate fails the whole call), it adds
// them one by one, skipping the duplicates.
func (s *NetworkService) authorize(ctx context.Context, groupID string, perms []permission) error {
	if len(perms) == 0 {
		return nil
	}
	call := func(perms []permission) error {
		_, err := s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(groupID), IpPermissions: ipPermissions(perms),
		})
		return err
	}
	err := call(perms)
	if ErrorCode(err) != "InvalidPermission.Duplicate" {
		return err
	}
	for _, p := range perms {
		if err := call([]permission{p}); err != nil && ErrorCode(err) != "InvalidPermission.Duplicate" {
			return err
		}
	}
	return nil
}

// securityGroupsByKey returns the cluster's groups in one call.
func (s *NetworkService) securityGroupsByKey(ctx context.Context) (map[string]types.SecurityGroup, error) {
	groups, err := describeSecurityGroups(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return nil, fmt.Errorf("look up the security groups of cluster %s: %w", s.scope.ClusterID, err)
	}
	return byResourceKey(groups, sgTags, nil), nil
}

func describeSecurityGroups(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.SecurityGroup, error) {
	return drain(ctx, ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{Filters: filters}),
		func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
}

func sgTags(g types.SecurityGroup) []types.Tag { return g.Tags }
func sgIDOf(g types.SecurityGroup) *string     { return g.GroupId }

// DeleteSecurityGroups deletes the cluster's groups, and (dynamic
// placement) those the cluster's cloud controller created in its VPC for
// load balancers. Rules referencing another of these groups are revoked
// first: AWS refuses to delete a group another group's rule names.
func (s *NetworkService) DeleteSecurityGroups(ctx context.Context) error {
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	found, err := s.discover(ctx, s.discoverSecurityGroups)
	if err != nil {
		return fmt.Errorf("find the security groups of cluster %s: %w", s.scope.ClusterID, err)
	}
	targets := s.deleteTargets(idx, domain.ResSecurityGroup, found, false)
	if len(targets) == 0 {
		return nil
	}
	groups, err := describeSecurityGroups(ctx, s.ec2, []types.Filter{ec2Filter("group-id", targetIDs(targets)...)})
	if err != nil {
		return fmt.Errorf("describe security groups %v: %w", targetIDs(targets), err)
	}
	for _, g := range groups {
		if err := s.revokeReferences(ctx, g, targetIDs(targets)); err != nil {
			return err
		}
	}
	return s.deleteEach(ctx, idx, domain.ResSecurityGroup, targets, func(ctx context.Context, t deleteTarget) error {
		_, err := s.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(t.id)})
		return err
	})
}

// discoverSecurityGroups finds ours by the cluster-id tag, and the cloud
// controller's by kubernetes.io/cluster/<name>=owned — only inside our
// VPCs, since another project's cluster may have the same name in the
// same account.
func (s *NetworkService) discoverSecurityGroups(ctx context.Context) ([]deleteTarget, error) {
	groups, err := describeSecurityGroups(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return nil, err
	}
	vpcs, err := describeVPCs(ctx, s.ec2, s.ownedFilters())
	if err != nil {
		return nil, err
	}
	if len(vpcs) > 0 {
		vpcIDs := make([]string, len(vpcs))
		for i, v := range vpcs {
			vpcIDs[i] = aws.ToString(v.VpcId)
		}
		ccm, err := describeSecurityGroups(ctx, s.ec2, []types.Filter{
			ec2Filter("tag:"+domain.KubernetesClusterTag(s.scope.ClusterName), domain.TagOwned), ec2Filter("vpc-id", vpcIDs...),
		})
		if err != nil {
			return nil, err
		}
		groups = append(groups, ccm...)
	}
	return targetsOf(groups, sgIDOf, sgTags), nil
}

// revokeReferences revokes g's inbound rules that name one of the groups.
func (s *NetworkService) revokeReferences(ctx context.Context, g types.SecurityGroup, groups []string) error {
	var refs []permission
	for _, p := range existingPermissions(g.IpPermissions) {
		if slices.Contains(groups, p.peer) {
			refs = append(refs, p)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	_, err := s.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: ipPermissions(refs)})
	if err != nil && !isGone(err) {
		return fmt.Errorf("revoke the rules of security group %s that reference the cluster's groups: %w", aws.ToString(g.GroupId), err)
	}
	return nil
}
