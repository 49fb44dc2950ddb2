package api

import (
	"context"
	"fmt"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// SubnetChecker checks a static placement's subnets in the customer's
// account (cloud.CheckStaticSubnets); SessionSubnets implements it.
type SubnetChecker interface {
	CheckStaticSubnets(ctx context.Context, access cloud.Access, region, clusterName string, p domain.Placement) ([]domain.FieldError, error)
}

// SessionSubnets checks subnets with the process's session cache, sharing
// the account's request budget and assumed-role credentials.
type SessionSubnets struct{ Sessions *cloud.SessionCache }

// placementOwner names the role session of these checks in CloudTrail.
const placementOwner = "placement-check"

// CheckStaticSubnets reads the subnets with the customer's access.
func (s SessionSubnets) CheckStaticSubnets(ctx context.Context, access cloud.Access, region, clusterName string, p domain.Placement) ([]domain.FieldError, error) {
	sess, err := s.Sessions.Session(access, region, placementOwner)
	if err != nil {
		return nil, err
	}
	return cloud.CheckStaticSubnets(ctx, sess.EC2(), clusterName, p)
}

// checkStaticPlacement refuses, with 400 and the field of each subnet, a
// static placement whose subnets do not exist, lie outside the VPC or the
// AZs, or (public ones) lack the discovery tags — before anything is
// stored, as DESIGN §3 asks of validation. Without a checker configured the
// workflow's preflight is the only check.
func (h *Handler) checkStaticPlacement(ctx context.Context, scope domain.Scope, spec domain.ClusterSpec) error {
	if spec.Placement.Type != domain.PlacementStatic || h.deps.Subnets == nil {
		return nil
	}
	access, err := h.clusters.AccountAccess(ctx, scope, spec.CloudAccountID)
	if err != nil {
		return fmt.Errorf("cloud account access: %w", err)
	}
	problems, err := h.deps.Subnets.CheckStaticSubnets(ctx, access, spec.Region, spec.Name, spec.Placement)
	if err != nil {
		return fmt.Errorf("check static placement subnets: %w", err)
	}
	if len(problems) > 0 {
		return &domain.ValidationError{Errors: problems}
	}
	return nil
}
