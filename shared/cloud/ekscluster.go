package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// describeCluster returns the EKS cluster of the cluster's name, or nil.
func (s *EKSService) describeCluster(ctx context.Context) (*ekstypes.Cluster, error) {
	out, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(s.clusterName())})
	if eksNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe EKS cluster %s: %w", s.clusterName(), err)
	}
	return out.Cluster, nil
}

// notOurCluster is the permanent error for a name someone else's cluster has.
func (s *EKSService) notOurCluster() error {
	return fmt.Errorf("an EKS cluster named %s already exists in the account and is not this cluster's: %w", s.clusterName(), ErrNotOurs)
}

// ReconcileCluster makes sure the EKS cluster exists: found by name (it
// must carry our cluster-id tag), created otherwise in the public and
// private subnets of all the cluster's AZs. It does not wait: ClusterReady
// reports CREATING → ACTIVE.
func (s *EKSService) ReconcileCluster(ctx context.Context, net NetworkIDs) error {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return err
	}
	found, err := s.describeCluster(ctx)
	if err != nil {
		return err
	}
	if found != nil {
		return s.recordCluster(ctx, idx, found)
	}
	roleARN, err := s.roleARN(ctx, domain.KeyClusterRole)
	if err != nil {
		return err
	}
	subnets, err := s.clusterSubnets(net)
	if err != nil {
		return err
	}
	out, err := s.eks.CreateCluster(ctx, s.createClusterInput(subnets, roleARN))
	switch {
	case err == nil:
		return s.recordCluster(ctx, idx, out.Cluster)
	case ErrorCode(err) == "InvalidParameterException" && strings.Contains(err.Error(), "assumed"):
		// "Role ... cannot be assumed by EKS": IAM has not propagated the
		// role we just created to EKS yet.
		return notYet("create EKS cluster "+s.clusterName(), err)
	case eksInUse(err):
		// Created concurrently (a lost response): the next turn finds it.
		return notYet("create EKS cluster "+s.clusterName(), err)
	}
	return fmt.Errorf("create EKS cluster %s: %w", s.clusterName(), err)
}

// clusterSubnets are the plan's subnets of the EKS cluster; without a
// plan entry, the public and private subnets of every AZ (and with static
// placement the control-plane subnets, where EKS puts its interfaces).
func (s *EKSService) clusterSubnets(net NetworkIDs) ([]string, error) {
	if ids, ok, err := s.plannedSubnets(domain.KeyEKSCluster, net); ok || err != nil {
		return ids, err
	}
	set := map[string]bool{}
	for _, m := range []map[string]string{net.PublicSubnets, net.PrivateSubnets, net.ControlPlaneSubnets} {
		for _, id := range m {
			set[id] = true
		}
	}
	return sortedKeys(set), nil
}

func (s *EKSService) createClusterInput(subnets []string, roleARN string) *eks.CreateClusterInput {
	e := s.eksSpec()
	vpc := &ekstypes.VpcConfigRequest{
		SubnetIds:             subnets,
		EndpointPublicAccess:  aws.Bool(e.EndpointAccess.IsPublic()),
		EndpointPrivateAccess: aws.Bool(e.EndpointAccess.IsPrivate()),
	}
	if e.EndpointAccess.IsPublic() && len(e.EndpointAccess.PublicCIDRs) > 0 {
		vpc.PublicAccessCidrs = slices.Clone(e.EndpointAccess.PublicCIDRs)
	}
	in := &eks.CreateClusterInput{
		Name:               aws.String(s.clusterName()),
		RoleArn:            aws.String(roleARN),
		ResourcesVpcConfig: vpc,
		Tags:               s.scope.Tags(domain.KeyEKSCluster),
		ClientRequestToken: aws.String(s.scope.ClientToken(domain.KeyEKSCluster)),
	}
	if e.KubernetesVersion != "" {
		in.Version = aws.String(e.KubernetesVersion)
	}
	if e.SecretsEncryptionKeyARN != "" {
		in.EncryptionConfig = []ekstypes.EncryptionConfig{{
			Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String(e.SecretsEncryptionKeyARN)},
		}}
	}
	if len(e.Logging) > 0 {
		types := make([]ekstypes.LogType, len(e.Logging))
		for i, t := range e.Logging {
			types[i] = ekstypes.LogType(t)
		}
		in.Logging = &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Types: types, Enabled: aws.Bool(true)}}}
	}
	return in
}

// recordCluster checks ownership and records the cluster in the ledger.
func (s *EKSService) recordCluster(ctx context.Context, idx ledgerIndex, c *ekstypes.Cluster) error {
	if !s.ours(c.Tags) {
		return s.notOurCluster()
	}
	return s.record(ctx, idx, domain.Resource{Type: string(domain.ResEKSCluster), ID: aws.ToString(c.Name),
		Key: domain.KeyEKSCluster, State: string(c.Status)})
}

// ClusterReady reports the EKS cluster's status: ready when ACTIVE; FAILED
// is a permanent failure with EKS's health issues.
func (s *EKSService) ClusterReady(ctx context.Context) (Progress, error) {
	c, err := s.describeCluster(ctx)
	if err != nil {
		return Progress{}, err
	}
	if c == nil {
		return Progress{}, fmt.Errorf("EKS cluster %s: %w: not found", s.clusterName(), ErrNotYet)
	}
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	if err := s.recordCluster(ctx, idx, c); err != nil {
		return Progress{}, err
	}
	switch c.Status {
	case ekstypes.ClusterStatusActive:
		return Progress{Ready: true, Done: 1, Total: 1, Message: fmt.Sprintf("EKS cluster %s ACTIVE (Kubernetes %s)", s.clusterName(), aws.ToString(c.Version))}, nil
	case ekstypes.ClusterStatusFailed:
		return Progress{}, fmt.Errorf("EKS cluster %s FAILED: %s: %w", s.clusterName(), clusterIssues(c), ErrResourceFailed)
	case ekstypes.ClusterStatusDeleting:
		return Progress{}, fmt.Errorf("EKS cluster %s is DELETING: %w", s.clusterName(), ErrResourceFailed)
	}
	return Progress{Total: 1, Message: fmt.Sprintf("EKS cluster %s %s", s.clusterName(), c.Status)}, nil
}

func clusterIssues(c *ekstypes.Cluster) string {
	if c.Health == nil {
		return "no reason given"
	}
	return issues(c.Health.Issues, func(i ekstypes.ClusterIssue) (string, string) { return string(i.Code), aws.ToString(i.Message) })
}

// DeleteCluster deletes our EKS cluster; one already deleting or gone is
// done, someone else's of the same name is left alone. EKS refuses while
// node groups or Fargate profiles remain: that is a dependency violation
// the state machine retries.
func (s *EKSService) DeleteCluster(ctx context.Context) error {
	c, err := s.describeCluster(ctx)
	if err != nil || c == nil || !s.ours(c.Tags) || c.Status == ekstypes.ClusterStatusDeleting {
		return err
	}
	_, err = s.eks.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(s.clusterName())})
	switch {
	case err == nil, eksNotFound(err):
		return nil
	case eksInUse(err):
		return fmt.Errorf("delete EKS cluster %s: %w: %w", s.clusterName(), ErrDependencyViolation, err)
	}
	return fmt.Errorf("delete EKS cluster %s: %w", s.clusterName(), err)
}

// ClusterDeleted reports whether our EKS cluster is gone.
func (s *EKSService) ClusterDeleted(ctx context.Context) (Progress, error) {
	c, err := s.describeCluster(ctx)
	if err != nil {
		return Progress{}, err
	}
	if c == nil || !s.ours(c.Tags) {
		idx, err := s.ledgerIndex(ctx)
		if err != nil {
			return Progress{}, err
		}
		if e, ok := idx[domain.KeyEKSCluster]; ok && e.State != StateDeleted {
			if err := s.record(ctx, idx, domain.Resource{Type: e.Type, ID: e.ID, Key: e.Key, State: StateDeleted}); err != nil {
				return Progress{}, err
			}
		}
		return Progress{Ready: true, Done: 1, Total: 1, Message: "EKS cluster deleted"}, nil
	}
	if c.Status != ekstypes.ClusterStatusDeleting {
		// Not deleting: the delete call's answer was lost, or EKS refused
		// it while node groups were leaving. Ask again.
		if err := s.DeleteCluster(ctx); err != nil {
			return Progress{}, err
		}
		return Progress{Total: 1, Message: fmt.Sprintf("EKS cluster %s %s, deletion requested", s.clusterName(), c.Status)}, nil
	}
	return Progress{Total: 1, Message: fmt.Sprintf("EKS cluster %s DELETING", s.clusterName())}, nil
}
