package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

type internetGatewayAPI interface {
	CreateInternetGateway(context.Context, *ec2.CreateInternetGatewayInput, ...func(*ec2.Options)) (*ec2.CreateInternetGatewayOutput, error)
	AttachInternetGateway(context.Context, *ec2.AttachInternetGatewayInput, ...func(*ec2.Options)) (*ec2.AttachInternetGatewayOutput, error)
	DetachInternetGateway(context.Context, *ec2.DetachInternetGatewayInput, ...func(*ec2.Options)) (*ec2.DetachInternetGatewayOutput, error)
	DeleteInternetGateway(context.Context, *ec2.DeleteInternetGatewayInput, ...func(*ec2.Options)) (*ec2.DeleteInternetGatewayOutput, error)
}

// ReconcileInternetGateway makes sure the VPC has its internet gateway
// attached and the public route table sends 0.0.0.0/0 to it from every
// public subnet.
func (s *NetworkService) ReconcileInternetGateway(ctx context.Context) error {
	if err := s.requireDynamic("reconcile internet gateway"); err != nil {
		return err
	}
	vpcID, err := s.vpcID(ctx)
	if err != nil {
		return err
	}
	idx, err := s.ledger(ctx)
	if err != nil {
		return err
	}
	igwID, err := s.ensureInternetGateway(ctx, idx, vpcID)
	if err != nil {
		return err
	}
	return s.reconcileRouteTable(ctx, idx, vpcID, domain.KeyPublicRoutes, routeTarget{gateway: aws.String(igwID)})
}

func (s *NetworkService) ensureInternetGateway(ctx context.Context, idx ledgerIndex, vpcID string) (string, error) {
	gws, err := describeInternetGateways(ctx, s.ec2, s.ownedFilters(domain.KeyInternetGateway))
	if err != nil {
		return "", fmt.Errorf("look up the internet gateway of cluster %s: %w", s.scope.ClusterID, err)
	}
	gw, ok := byResourceKey(gws, igwTags, nil)[domain.KeyInternetGateway]
	if !ok {
		out, err := s.ec2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{
			TagSpecifications: s.tagSpec(types.ResourceTypeInternetGateway, domain.KeyInternetGateway),
		}, sendOnce)
		if err != nil {
			return "", fmt.Errorf("create internet gateway: %w", err)
		}
		gw = *out.InternetGateway
	}
	id := aws.ToString(gw.InternetGatewayId)
	if err := s.record(ctx, idx, ledgerEntry(domain.ResInternetGateway, domain.KeyInternetGateway, id, "", "attached")); err != nil {
		return "", err
	}
	for _, a := range gw.Attachments {
		if aws.ToString(a.VpcId) == vpcID {
			return id, nil
		}
	}
	_, err = s.ec2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{
		InternetGatewayId: aws.String(id), VpcId: aws.String(vpcID),
	})
	// Resource.AlreadyAssociated: the SDK resent an attach whose answer was
	// lost, and the first one took effect. The gateway was created for this
	// VPC (tags, ledger) and is attached to nothing else.
	if err != nil && ErrorCode(err) != "Resource.AlreadyAssociated" {
		return "", fmt.Errorf("attach internet gateway %s to VPC %s: %w", id, vpcID, err)
	}
	return id, nil
}

func describeInternetGateways(ctx context.Context, c EC2ReadAPI, filters []types.Filter) ([]types.InternetGateway, error) {
	return drain(ctx, ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{Filters: filters}),
		func(o *ec2.DescribeInternetGatewaysOutput) []types.InternetGateway { return o.InternetGateways })
}

func igwTags(gw types.InternetGateway) []types.Tag { return gw.Tags }
func igwIDOf(gw types.InternetGateway) *string     { return gw.InternetGatewayId }

// DeleteInternetGateway detaches the cluster's internet gateway and deletes
// it. AWS refuses to detach while public addresses are mapped in the VPC
// (DependencyViolation until the NAT gateways and EIPs are gone).
func (s *NetworkService) DeleteInternetGateway(ctx context.Context) error {
	idx, targets, err := findDeleteTargets(ctx, s, domain.ResInternetGateway, "internet gateways", describeInternetGateways, igwIDOf, igwTags)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	// One Describe for the attachments of every target; a filter, unlike
	// InternetGatewayIds, does not fail on one that is already gone.
	gws, err := describeInternetGateways(ctx, s.ec2, []types.Filter{ec2Filter("internet-gateway-id", targetIDs(targets)...)})
	if err != nil {
		return fmt.Errorf("describe internet gateways %v: %w", targetIDs(targets), err)
	}
	attached := map[string][]string{}
	for _, gw := range gws {
		for _, a := range gw.Attachments {
			attached[aws.ToString(gw.InternetGatewayId)] = append(attached[aws.ToString(gw.InternetGatewayId)], aws.ToString(a.VpcId))
		}
	}
	return s.deleteEach(ctx, idx, domain.ResInternetGateway, targets, func(ctx context.Context, t deleteTarget) error {
		for _, vpc := range attached[t.id] {
			_, err := s.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(t.id), VpcId: aws.String(vpc)})
			// Already detached, or the gateway or VPC gone: on to the delete,
			// which tells which.
			if err != nil && ErrorCode(err) != "Gateway.NotAttached" && !isGone(err) {
				return fmt.Errorf("detach from VPC %s: %w", vpc, err)
			}
		}
		_, err := s.ec2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(t.id)})
		return err
	})
}
