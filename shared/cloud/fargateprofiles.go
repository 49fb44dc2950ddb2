package cloud

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// EKS creates and deletes one Fargate profile of a cluster at a time: while
// one is CREATING or DELETING it refuses the next with
// ResourceInUseException. So both loops below act on one profile per turn
// and only when none is in transition; the state machine's Wait loop calls
// them again.

// fargateProfiles are our Fargate profiles of the EKS cluster by name; none
// when the cluster does not exist.
func (s *EKSService) fargateProfiles(ctx context.Context) (map[string]ekstypes.FargateProfile, error) {
	var names []string
	p := eks.NewListFargateProfilesPaginator(s.eks, &eks.ListFargateProfilesInput{ClusterName: aws.String(s.clusterName())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if eksNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the Fargate profiles of EKS cluster %s: %w", s.clusterName(), err)
		}
		names = append(names, page.FargateProfileNames...)
	}
	out := map[string]ekstypes.FargateProfile{}
	for _, name := range names {
		d, err := s.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{
			ClusterName: aws.String(s.clusterName()), FargateProfileName: aws.String(name),
		})
		if eksNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe Fargate profile %s: %w", name, err)
		}
		if fp := d.FargateProfile; fp != nil && s.ours(fp.Tags) {
			out[name] = *fp
		}
	}
	return out, nil
}

func inTransition(fp ekstypes.FargateProfile) bool {
	return fp.Status == ekstypes.FargateProfileStatusCreating || fp.Status == ekstypes.FargateProfileStatusDeleting
}

func profileFailure(fp ekstypes.FargateProfile) error {
	if fp.Status != ekstypes.FargateProfileStatusCreateFailed && fp.Status != ekstypes.FargateProfileStatusDeleteFailed {
		return nil
	}
	var why string
	if fp.Health != nil {
		why = issues(fp.Health.Issues, func(i ekstypes.FargateProfileIssue) (string, string) { return string(i.Code), aws.ToString(i.Message) })
	}
	return fmt.Errorf("Fargate profile %s %s: %s: %w", aws.ToString(fp.FargateProfileName), fp.Status, why, ErrResourceFailed)
}

// ReconcileFargateProfiles is one turn of the Fargate loop: record what
// exists, and create the next missing profile when no profile is in
// transition. Ready when every profile of the spec is ACTIVE.
func (s *EKSService) ReconcileFargateProfiles(ctx context.Context, net NetworkIDs) (Progress, error) {
	want := s.eksSpec().FargateProfiles
	if len(want) == 0 {
		return Progress{Ready: true, Message: "no Fargate profiles"}, nil
	}
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	have, err := s.fargateProfiles(ctx)
	if err != nil {
		return Progress{}, err
	}
	p, busy := Progress{Total: len(want)}, false
	var missing []domain.FargateProfileSpec
	for _, spec := range want {
		fp, ok := have[spec.Name]
		if !ok {
			missing = append(missing, spec)
			continue
		}
		if err := profileFailure(fp); err != nil {
			return Progress{}, err
		}
		if err := s.recordProfile(ctx, idx, fp); err != nil {
			return Progress{}, err
		}
		busy = busy || inTransition(fp)
		if fp.Status == ekstypes.FargateProfileStatusActive {
			p.Done++
		}
	}
	for _, fp := range have {
		busy = busy || inTransition(fp) // a profile of ours the spec lost, still deleting
	}
	if len(missing) > 0 && !busy {
		if err := s.createProfile(ctx, idx, net, missing[0]); err != nil {
			return Progress{}, err
		}
	}
	p.Ready = p.Done == p.Total
	p.Message = fmt.Sprintf("%d/%d Fargate profiles active", p.Done, p.Total)
	return p, nil
}

func (s *EKSService) createProfile(ctx context.Context, idx ledgerIndex, net NetworkIDs, spec domain.FargateProfileSpec) error {
	roleARN, err := s.roleARN(ctx, domain.KeyPodExecutionRole)
	if err != nil {
		return err
	}
	// AWS refuses public subnets for Fargate: the plan's private subnets,
	// else every private subnet.
	key := domain.FargateProfileKey(spec.Name)
	subnets, planned, err := s.plannedSubnets(key, net)
	if err != nil {
		return err
	}
	if !planned {
		for _, az := range sortedKeys(net.PrivateSubnets) {
			subnets = append(subnets, net.PrivateSubnets[az])
		}
	}
	selectors := make([]ekstypes.FargateProfileSelector, len(spec.Selectors))
	for i, sel := range spec.Selectors {
		selectors[i] = ekstypes.FargateProfileSelector{Namespace: aws.String(sel.Namespace), Labels: maps.Clone(sel.Labels)}
	}
	out, err := s.eks.CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{
		ClusterName: aws.String(s.clusterName()), FargateProfileName: aws.String(spec.Name),
		PodExecutionRoleArn: aws.String(roleARN), Subnets: subnets, Selectors: selectors,
		Tags: s.scope.Tags(key), ClientRequestToken: aws.String(s.scope.ClientToken(key)),
	})
	switch {
	case err == nil:
		return s.recordProfile(ctx, idx, *out.FargateProfile)
	case eksInUse(err):
		// Another profile is in transition after all (or this one exists):
		// the next turn sees which.
		return nil
	case ErrorCode(err) == "InvalidParameterException" && strings.Contains(err.Error(), "assumed"):
		return notYet("create Fargate profile "+spec.Name, err)
	}
	return fmt.Errorf("create Fargate profile %s: %w", spec.Name, err)
}

func (s *EKSService) recordProfile(ctx context.Context, idx ledgerIndex, fp ekstypes.FargateProfile) error {
	name := aws.ToString(fp.FargateProfileName)
	return s.record(ctx, idx, domain.Resource{Type: string(domain.ResFargateProfile), ID: name,
		Key: domain.FargateProfileKey(name), State: string(fp.Status)})
}

// DeleteFargateProfiles is one turn of the deletion loop: delete the next
// profile of ours when none is in transition. Ready when none is left.
func (s *EKSService) DeleteFargateProfiles(ctx context.Context) (Progress, error) {
	idx, err := s.ledgerIndex(ctx)
	if err != nil {
		return Progress{}, err
	}
	have, err := s.fargateProfiles(ctx)
	if err != nil {
		return Progress{}, err
	}
	p, inLedger := Progress{}, map[string]bool{}
	for _, r := range idx {
		if r.Type != string(domain.ResFargateProfile) {
			continue
		}
		inLedger[r.ID] = true
		p.Total++
		if _, live := have[r.ID]; live {
			continue
		}
		p.Done++
		if r.State != StateDeleted {
			if err := s.record(ctx, idx, domain.Resource{Type: r.Type, ID: r.ID, Key: r.Key, State: StateDeleted}); err != nil {
				return Progress{}, err
			}
		}
	}
	busy := false
	var next string
	for _, name := range sortedKeys(have) {
		fp := have[name]
		if !inLedger[name] {
			p.Total++
		}
		if fp.Status == ekstypes.FargateProfileStatusDeleteFailed {
			return Progress{}, profileFailure(fp)
		}
		busy = busy || inTransition(fp)
		if next == "" && !inTransition(fp) {
			next = name
		}
	}
	if next != "" && !busy {
		_, err := s.eks.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{
			ClusterName: aws.String(s.clusterName()), FargateProfileName: aws.String(next),
		})
		if err != nil && !eksNotFound(err) && !eksInUse(err) {
			return Progress{}, fmt.Errorf("delete Fargate profile %s: %w", next, err)
		}
	}
	p.Ready = len(have) == 0
	p.Message = fmt.Sprintf("%d/%d Fargate profiles deleted", p.Done, p.Total)
	return p, nil
}
