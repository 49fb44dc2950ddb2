package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// Leftovers lists the cluster's EKS side still in the account: our EKS
// cluster, its node groups and Fargate profiles, and our IAM roles.
func (s *EKSService) Leftovers(ctx context.Context) ([]Leftover, error) {
	var out []Leftover
	c, err := s.describeCluster(ctx)
	if err != nil {
		return nil, err
	}
	if c != nil && s.ours(c.Tags) {
		out = append(out, Leftover{Type: string(domain.ResEKSCluster), ID: aws.ToString(c.Name), Region: s.scope.Region,
			State: string(c.Status), Reason: ReasonTagged})
		groups, err := s.nodeGroups(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			out = append(out, Leftover{Type: string(domain.ResNodeGroup), ID: aws.ToString(g.NodegroupName), Region: s.scope.Region,
				State: string(g.Status), Reason: ReasonTagged})
		}
		profiles, err := s.fargateProfiles(ctx)
		if err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(profiles) {
			out = append(out, Leftover{Type: string(domain.ResFargateProfile), ID: name, Region: s.scope.Region,
				State: string(profiles[name].Status), Reason: ReasonTagged})
		}
	}
	roles, err := s.roleLeftovers(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan IAM roles: %w", err)
	}
	return append(out, roles...), nil
}

// EKSLeftoverFinder adapts an EKS service to FindLeftovers' extra finders.
func EKSLeftoverFinder(e EKS) LeftoverFinder {
	return func(ctx context.Context, _ *ClusterScope) ([]Leftover, error) { return e.Leftovers(ctx) }
}
