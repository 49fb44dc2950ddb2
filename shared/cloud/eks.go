package cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// EKSAPI is the part of EKS the EKS service calls (*eks.Client).
type EKSAPI interface {
	CreateCluster(context.Context, *eks.CreateClusterInput, ...func(*eks.Options)) (*eks.CreateClusterOutput, error)
	DescribeCluster(context.Context, *eks.DescribeClusterInput, ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	DeleteCluster(context.Context, *eks.DeleteClusterInput, ...func(*eks.Options)) (*eks.DeleteClusterOutput, error)
	CreateNodegroup(context.Context, *eks.CreateNodegroupInput, ...func(*eks.Options)) (*eks.CreateNodegroupOutput, error)
	DescribeNodegroup(context.Context, *eks.DescribeNodegroupInput, ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error)
	ListNodegroups(context.Context, *eks.ListNodegroupsInput, ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error)
	UpdateNodegroupConfig(context.Context, *eks.UpdateNodegroupConfigInput, ...func(*eks.Options)) (*eks.UpdateNodegroupConfigOutput, error)
	DeleteNodegroup(context.Context, *eks.DeleteNodegroupInput, ...func(*eks.Options)) (*eks.DeleteNodegroupOutput, error)
	CreateFargateProfile(context.Context, *eks.CreateFargateProfileInput, ...func(*eks.Options)) (*eks.CreateFargateProfileOutput, error)
	DescribeFargateProfile(context.Context, *eks.DescribeFargateProfileInput, ...func(*eks.Options)) (*eks.DescribeFargateProfileOutput, error)
	ListFargateProfiles(context.Context, *eks.ListFargateProfilesInput, ...func(*eks.Options)) (*eks.ListFargateProfilesOutput, error)
	DeleteFargateProfile(context.Context, *eks.DeleteFargateProfileInput, ...func(*eks.Options)) (*eks.DeleteFargateProfileOutput, error)
}

// IAMAPI is the part of IAM the EKS service calls for its roles (*iam.Client).
type IAMAPI interface {
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	AttachRolePolicy(context.Context, *iam.AttachRolePolicyInput, ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	ListAttachedRolePolicies(context.Context, *iam.ListAttachedRolePoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(context.Context, *iam.DetachRolePolicyInput, ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	DeleteRole(context.Context, *iam.DeleteRoleInput, ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
}

var (
	_ EKSAPI = (*eks.Client)(nil)
	_ IAMAPI = (*iam.Client)(nil)
)

// EKSService is an EKS cluster's AWS side: the IAM roles, the control
// plane, one managed node group per worker pool and the Fargate profiles.
// Like the EC2 services it finds before it creates, tags and records what
// it creates, and never waits: the *Ready / *Deleted reads feed the state
// machines' Wait loops.
type EKSService struct {
	eks   EKSAPI
	iam   IAMAPI
	ec2   ec2.DescribeInstancesAPIClient // the node groups' instances, shown as the pools' nodes
	scope *ClusterScope
	spec  domain.ClusterSpec // with defaults
}

var _ EKS = (*EKSService)(nil)

// NewEKSService returns the EKS service of the cluster whose spec is given
// (defaults are applied here).
func NewEKSService(eksAPI EKSAPI, iamAPI IAMAPI, ec2API ec2.DescribeInstancesAPIClient, scope *ClusterScope, spec domain.ClusterSpec) *EKSService {
	return &EKSService{eks: eksAPI, iam: iamAPI, ec2: ec2API, scope: scope, spec: domain.WithDefaults(spec)}
}

// ErrNotYet says AWS is not ready for the step yet in a way that a later
// attempt resolves: a role IAM has not propagated to EKS, a Fargate profile
// AWS still creates while another waits, a cluster still deleting. The
// workflow returns it as Retryable.
var ErrNotYet = errors.New("not ready yet")

// ErrNotOurs says a resource with the name we must use exists and belongs
// to someone else; the customer must rename or remove it.
var ErrNotOurs = errors.New("the name is taken by a resource of someone else")

func (s *EKSService) clusterName() string { return s.scope.ClusterName }

func (s *EKSService) eksSpec() domain.EKSSpec {
	if s.spec.EKS == nil {
		return domain.EKSSpec{}
	}
	return *s.spec.EKS
}

// ours reports whether tags carry this cluster's id.
func (s *EKSService) ours(tags map[string]string) bool {
	return tags[domain.TagClusterID] == s.scope.ClusterID
}

// ledgerIndex reads the ledger by key (by id for keyless entries).
func (s *EKSService) ledgerIndex(ctx context.Context) (ledgerIndex, error) {
	return readLedgerIndex(ctx, s.scope)
}

// record writes a ledger entry unless the ledger holds it already.
func (s *EKSService) record(ctx context.Context, idx ledgerIndex, r domain.Resource) error {
	if old, ok := idx[r.Key]; ok && old == r {
		return nil
	}
	if err := s.scope.Ledger.Record(ctx, r); err != nil {
		return fmt.Errorf("record %s %s in the ledger: %w", r.Type, r.ID, err)
	}
	if idx != nil {
		idx[r.Key] = r
	}
	return nil
}

// eksNotFound: EKS's answer for a cluster, node group or profile that does
// not exist (any more).
func eksNotFound(err error) bool { return ErrorCode(err) == "ResourceNotFoundException" }

// eksInUse: EKS refusing because of another operation in progress (a
// Fargate profile creating, node groups still on a cluster being deleted,
// a node group not ACTIVE for an update).
func eksInUse(err error) bool { return ErrorCode(err) == "ResourceInUseException" }

// notYet wraps err as ErrNotYet, keeping AWS's words.
func notYet(what string, err error) error {
	return fmt.Errorf("%s: %w: %w", what, ErrNotYet, err)
}

// plannedSubnets are the subnets the plan gives the resource of key:
// customer subnet ids as they are (static placement), planned subnet keys
// resolved through net. ok is false when the plan lacks the resource.
func (s *EKSService) plannedSubnets(key string, net NetworkIDs) (ids []string, ok bool, err error) {
	planned, found := s.scope.Plan.Find(key)
	if !found || len(planned.Subnets) == 0 {
		return nil, false, nil
	}
	for _, ref := range planned.Subnets {
		if strings.HasPrefix(ref, "subnet-") {
			ids = append(ids, ref)
			continue
		}
		byAZ := net.PrivateSubnets
		if strings.HasPrefix(ref, "subnet/"+domain.RolePublic+"/") {
			byAZ = net.PublicSubnets
		}
		id, ok := byAZ[azOfKey(ref)]
		if !ok {
			return nil, true, fmt.Errorf("%s: subnet %s not found: %w", key, ref, ErrNotYet)
		}
		ids = append(ids, id)
	}
	return ids, true, nil
}

// issues renders health issues as "CODE: message; ...".
func issues[T any](list []T, render func(T) (string, string)) string {
	parts := make([]string, 0, len(list))
	for _, i := range list {
		code, msg := render(i)
		parts = append(parts, strings.TrimSpace(code+": "+msg))
	}
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, "; ")
}
