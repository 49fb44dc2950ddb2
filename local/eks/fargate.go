package eks

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

type fargateProfile struct {
	name, arn, clusterName string
	created                time.Time
	status                 string
	due                    time.Time
	podExecutionRoleArn    string
	subnetIDs              []string
	selectors              []selector
	tags                   map[string]string
}

type createFargateProfileInput struct {
	FargateProfileName  string            `json:"fargateProfileName"`
	PodExecutionRoleArn string            `json:"podExecutionRoleArn"`
	Subnets             []string          `json:"subnets"`
	Selectors           []selector        `json:"selectors"`
	ClientRequestToken  string            `json:"clientRequestToken"`
	Tags                map[string]string `json:"tags"`
}

// busyProfile returns a profile of the cluster that is CREATING or
// DELETING: EKS changes one Fargate profile of a cluster at a time.
func busyProfile(cl *cluster) *fargateProfile {
	for _, name := range sortedKeys(cl.fargate) {
		if fp := cl.fargate[name]; fp.status == statusCreating || fp.status == statusDeleting {
			return fp
		}
	}
	return nil
}

func (s *Service) createFargateProfile(w http.ResponseWriter, r *request) error {
	var in createFargateProfileInput
	if err := r.decode(&in); err != nil {
		return err
	}
	clusterName := r.params[0]
	if name, ok := s.idempotent(r, clusterName, in.ClientRequestToken); ok && name == in.FargateProfileName {
		if cl, err := s.clusterOf(r, clusterName); err == nil && cl.fargate[name] != nil {
			return writeJSON(w, r, map[string]any{"fargateProfile": profileJSON(cl.fargate[name])})
		}
	}
	cl, err := s.activeCluster(r, clusterName)
	if err != nil {
		return err
	}
	fp, err := s.newFargateProfile(r, cl, in)
	if err != nil {
		return err
	}
	if busy := busyProfile(cl); busy != nil {
		return errInUse("Cannot create Fargate Profile %s because cluster %s currently has Fargate profile %s in status %s",
			fp.name, cl.name, busy.name, busy.status)
	}
	cl.fargate[fp.name] = fp
	s.rememberToken(r, clusterName, in.ClientRequestToken, fp.name)
	s.schedule(fp.due)
	return writeJSON(w, r, map[string]any{"fargateProfile": profileJSON(fp)})
}

// newFargateProfile validates a CreateFargateProfile request as EKS does:
// private subnets of the cluster's VPC only (the cluster's private subnets
// when none are given), one to five selectors with a namespace each.
func (s *Service) newFargateProfile(r *request, cl *cluster, in createFargateProfileInput) (*fargateProfile, error) {
	if !childNameRE.MatchString(in.FargateProfileName) {
		return nil, errInvalidParameter("The Fargate profile name %q is invalid", in.FargateProfileName)
	}
	if _, exists := cl.fargate[in.FargateProfileName]; exists {
		return nil, errInUse("A Fargate Profile already exists with this name in the cluster.")
	}
	if err := s.checkRole("podExecutionRoleArn", in.PodExecutionRoleArn, principalFargate); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, errInvalidParameter); err != nil {
		return nil, err
	}
	if len(in.Selectors) == 0 || len(in.Selectors) > 5 {
		return nil, errInvalidParameter("A Fargate profile needs between 1 and 5 selectors")
	}
	for _, sel := range in.Selectors {
		if sel.Namespace == "" {
			return nil, errInvalidParameter("Each selector needs a namespace")
		}
		if len(sel.Labels) > 5 {
			return nil, errInvalidParameter("A selector can have at most 5 labels")
		}
	}
	subnetIDs := slices.Clone(in.Subnets)
	if len(subnetIDs) == 0 {
		for _, sn := range s.subnetsOf(cl) {
			if !sn.Public {
				subnetIDs = append(subnetIDs, sn.ID)
			}
		}
	}
	subnets, err := s.subnets(r.region(), subnetIDs)
	if err != nil {
		return nil, err
	}
	for _, sn := range subnets {
		if sn.VpcID != cl.vpcID {
			return nil, errInvalidParameter("Subnet %s is not in the VPC of cluster %s", sn.ID, cl.name)
		}
		if sn.Public {
			return nil, errInvalidParameter("Subnet %s provided in Fargate Profile is not a private subnet", sn.ID)
		}
	}
	fp := &fargateProfile{name: in.FargateProfileName, clusterName: cl.name, created: r.now, status: statusCreating,
		due: r.now.Add(s.cfg.Latency.Wall(latency.FargateActive)), podExecutionRoleArn: in.PodExecutionRoleArn,
		subnetIDs: subnetIDs, selectors: slices.Clone(in.Selectors), tags: copyTags(in.Tags)}
	fp.arn = fmt.Sprintf("arn:aws:eks:%s:%s:fargateprofile/%s/%s/%s", cl.region, s.cfg.AccountID, cl.name, fp.name, uuid())
	return fp, nil
}

func (s *Service) fargateProfileOf(r *request) (*cluster, *fargateProfile, error) {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return nil, nil, err
	}
	fp, ok := cl.fargate[r.params[1]]
	if !ok {
		return nil, nil, errNotFound("No Fargate Profile found with name: %s.", r.params[1])
	}
	return cl, fp, nil
}

func (s *Service) describeFargateProfile(w http.ResponseWriter, r *request) error {
	_, fp, err := s.fargateProfileOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, r, map[string]any{"fargateProfile": profileJSON(fp)})
}

func (s *Service) listFargateProfiles(w http.ResponseWriter, r *request) error {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return err
	}
	page, next, err := paginate(r, sortedKeys(cl.fargate))
	if err != nil {
		return err
	}
	return writeJSON(w, r, listAnswer("fargateProfileNames", page, next))
}

func (s *Service) deleteFargateProfile(w http.ResponseWriter, r *request) error {
	cl, fp, err := s.fargateProfileOf(r)
	if err != nil {
		return err
	}
	if fp.status != statusDeleting {
		if busy := busyProfile(cl); busy != nil {
			return errInUse("Cannot delete Fargate Profile %s because cluster %s currently has Fargate profile %s in status %s",
				fp.name, cl.name, busy.name, busy.status)
		}
		fp.status, fp.due = statusDeleting, r.now.Add(s.cfg.Latency.Wall(latency.FargateDeleted))
		s.schedule(fp.due)
	}
	return writeJSON(w, r, map[string]any{"fargateProfile": profileJSON(fp)})
}

func (s *Service) advanceFargateProfiles(cl *cluster, now time.Time) {
	for name, fp := range cl.fargate {
		if now.Before(fp.due) {
			continue
		}
		switch fp.status {
		case statusCreating:
			fp.status = statusActive
		case statusDeleting:
			delete(cl.fargate, name)
		}
	}
}

func profileJSON(fp *fargateProfile) fargateProfileJSON {
	return fargateProfileJSON{FargateProfileName: fp.name, FargateProfileArn: fp.arn, ClusterName: fp.clusterName,
		CreatedAt: epoch(fp.created), PodExecutionRoleArn: fp.podExecutionRoleArn, Subnets: fp.subnetIDs,
		Selectors: fp.selectors, Status: fp.status, Tags: fp.tags, Health: health{Issues: []issue{}}}
}
