package cloud

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// eksRole is one IAM role an EKS cluster needs: the control plane's, the
// nodes' or the Fargate pods'.
type eksRole struct {
	key       string   // ledger key (domain.KeyClusterRole, ...)
	suffix    string   // role name suffix: cf-<cluster id>-<suffix>
	principal string   // the service that assumes it
	policies  []string // AWS managed policies attached
	existing  func(domain.EKSSpec) string
	needed    func(domain.ClusterSpec) bool
}

const awsManagedPolicy = "arn:aws:iam::aws:policy/"

var eksRoles = []eksRole{
	{domain.KeyClusterRole, "cluster", "eks.amazonaws.com",
		[]string{"AmazonEKSClusterPolicy"},
		func(e domain.EKSSpec) string { return e.ClusterRoleARN },
		func(domain.ClusterSpec) bool { return true }},
	{domain.KeyNodeRole, "node", "ec2.amazonaws.com",
		[]string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"},
		func(e domain.EKSSpec) string { return e.NodeRoleARN },
		func(s domain.ClusterSpec) bool { return len(s.NodePools) > 0 }},
	{domain.KeyPodExecutionRole, "fargate", "eks-fargate-pods.amazonaws.com",
		[]string{"AmazonEKSFargatePodExecutionRolePolicy"},
		func(e domain.EKSSpec) string { return e.PodExecutionRoleARN },
		func(s domain.ClusterSpec) bool { return s.EKS != nil && len(s.EKS.FargateProfiles) > 0 }},
}

func eksRoleByKey(key string) eksRole {
	for _, r := range eksRoles {
		if r.key == key {
			return r
		}
	}
	panic("unknown EKS role key " + key) // a programming error: keys are the constants above
}

// EKSRoleName is the name of a role ClusterForge creates for the cluster,
// e.g. cf-cl-1a2b-node (IAM names are per account, so the cluster id makes
// them unique).
func EKSRoleName(clusterID, suffix string) string {
	return "cf-" + strings.ToLower(clusterID) + "-" + suffix
}

func (s *EKSService) roleName(r eksRole) string { return EKSRoleName(s.scope.ClusterID, r.suffix) }

func trustPolicy(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + principal +
		`"},"Action":"sts:AssumeRole"}]}`
}

func iamTags(tags map[string]string) []iamtypes.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]iamtypes.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func iamNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	return errors.As(err, &nse) || ErrorCode(err) == "NoSuchEntity"
}

// getRole returns the role, or nil when it does not exist.
func (s *EKSService) getRole(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if iamNoSuchEntity(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get IAM role %s: %w", name, err)
	}
	return out.Role, nil
}

// ReconcileIAMRoles makes sure the cluster, node and (with Fargate
// profiles) pod-execution roles exist, unless the spec names existing ones:
// found by name, verified ours by the cluster-id tag, created with their
// trust policy, tags and managed policies otherwise.
func (s *EKSService) ReconcileIAMRoles(ctx context.Context) error {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return err
	}
	for _, r := range eksRoles {
		if !r.needed(s.spec) || r.existing(s.eksSpec()) != "" {
			continue
		}
		if err := s.reconcileRole(ctx, idx, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *EKSService) reconcileRole(ctx context.Context, idx ledgerIndex, r eksRole) error {
	name := s.roleName(r)
	role, err := s.getRole(ctx, name)
	if err != nil {
		return err
	}
	// Ours: tagged with the cluster id, or recorded in the ledger when we
	// created it (the tag is the fallback for a crash before the record).
	if role != nil && !s.ours(tagMap(role.Tags)) && idx[r.key].ID != name {
		return fmt.Errorf("IAM role %s already exists in the account and is not this cluster's: %w", name, ErrNotOurs)
	}
	if role == nil {
		out, err := s.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			AssumeRolePolicyDocument: aws.String(trustPolicy(r.principal)),
			Description:              aws.String(fmt.Sprintf("ClusterForge EKS cluster %s (%s)", s.clusterName(), r.suffix)),
			Tags:                     iamTags(s.scope.Tags(r.key)),
		})
		if ErrorCode(err) == "EntityAlreadyExists" {
			// A concurrent attempt created it: verify ownership on the next turn.
			return notYet("create IAM role "+name, err)
		}
		if err != nil {
			return fmt.Errorf("create IAM role %s: %w", name, err)
		}
		role = out.Role
	}
	if err := s.record(ctx, idx, domain.Resource{Type: string(domain.ResIAMRole), ID: name, Key: r.key, State: "created"}); err != nil {
		return err
	}
	// Attaching is idempotent; after the record, so a crash in between
	// still leaves the role for deletion to find.
	for _, p := range r.policies {
		if _, err := s.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: aws.String(name), PolicyArn: aws.String(awsManagedPolicy + p),
		}); err != nil {
			return fmt.Errorf("attach %s to IAM role %s: %w", p, name, err)
		}
	}
	return nil
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// roleARN is the ARN the EKS calls pass for a role: the spec's existing
// role, or ours (looked up, since the account id is in it).
func (s *EKSService) roleARN(ctx context.Context, key string) (string, error) {
	r := eksRoleByKey(key)
	if arn := r.existing(s.eksSpec()); arn != "" {
		return arn, nil
	}
	name := s.roleName(r)
	role, err := s.getRole(ctx, name)
	if err != nil {
		return "", err
	}
	if role == nil {
		// IAM reads are eventually consistent right after CreateRole.
		return "", fmt.Errorf("IAM role %s: %w: not found", name, ErrNotYet)
	}
	return aws.ToString(role.Arn), nil
}

// DeleteIAMRoles deletes the roles ClusterForge created for the cluster:
// the ledger's and those found by name that carry the cluster-id tag, never
// a role the spec named. Managed policies are detached first (IAM refuses
// to delete a role with attached policies); a role already gone is done.
func (s *EKSService) DeleteIAMRoles(ctx context.Context) error {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return err
	}
	for _, r := range eksRoles {
		name := s.roleName(r)
		role, err := s.getRole(ctx, name)
		if err != nil {
			return err
		}
		if role != nil && (s.ours(tagMap(role.Tags)) || idx[r.key].ID == name) {
			if err := s.deleteRole(ctx, name); err != nil {
				return err
			}
		}
		if e, ok := idx[r.key]; ok && e.State != StateDeleted {
			if err := s.record(ctx, idx, domain.Resource{Type: e.Type, ID: e.ID, Key: e.Key, State: StateDeleted}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *EKSService) deleteRole(ctx context.Context, name string) error {
	p := iam.NewListAttachedRolePoliciesPaginator(s.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if iamNoSuchEntity(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list the policies of IAM role %s: %w", name, err)
		}
		for _, ap := range page.AttachedPolicies {
			_, err := s.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: ap.PolicyArn})
			if err != nil && !iamNoSuchEntity(err) {
				return fmt.Errorf("detach %s from IAM role %s: %w", aws.ToString(ap.PolicyArn), name, err)
			}
		}
	}
	_, err := s.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	switch {
	case err == nil, iamNoSuchEntity(err):
		return nil
	case ErrorCode(err) == "DeleteConflict":
		// EKS still holds an instance profile or a policy is attaching.
		return fmt.Errorf("delete IAM role %s: %w: %w", name, ErrDependencyViolation, err)
	}
	return fmt.Errorf("delete IAM role %s: %w", name, err)
}

// roleLeftovers are our roles still in the account.
func (s *EKSService) roleLeftovers(ctx context.Context) ([]Leftover, error) {
	var out []Leftover
	for _, r := range eksRoles {
		name := s.roleName(r)
		role, err := s.getRole(ctx, name)
		if err != nil {
			return nil, err
		}
		if role != nil && s.ours(tagMap(role.Tags)) {
			out = append(out, Leftover{Type: string(domain.ResIAMRole), ID: name, Region: "global", Reason: ReasonTagged})
		}
	}
	return out, nil
}
