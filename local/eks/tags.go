package eks

import (
	"net/http"
	"strings"
)

// taggable finds the tags of the resource an ARN names: a cluster, node
// group or Fargate profile of this account and the caller's region.
func (s *Service) taggable(r *request, arn string) (*map[string]string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "eks" {
		return nil, errBadRequest("%s is not a valid EKS resource ARN", arn)
	}
	region, account, resource := parts[3], parts[4], strings.Split(parts[5], "/")
	notFound := errTagTargetNotFound("Resource %s was not found", arn)
	if account != s.cfg.AccountID || region != r.region() || len(resource) < 2 {
		return nil, notFound
	}
	cl, ok := s.clusters[clusterKey(region, resource[1])]
	if !ok {
		return nil, notFound
	}
	switch {
	case resource[0] == "cluster" && len(resource) == 2:
		return &cl.tags, nil
	case resource[0] == "nodegroup" && len(resource) == 4:
		if ng, ok := cl.nodegroups[resource[2]]; ok && ng.arn == arn {
			return &ng.tags, nil
		}
	case resource[0] == "fargateprofile" && len(resource) == 4:
		if fp, ok := cl.fargate[resource[2]]; ok && fp.arn == arn {
			return &fp.tags, nil
		}
	}
	return nil, notFound
}

func (s *Service) listTagsForResource(w http.ResponseWriter, r *request) error {
	tags, err := s.taggable(r, r.params[0])
	if err != nil {
		return err
	}
	return writeJSON(w, r, map[string]any{"tags": copyTags(*tags)})
}

func (s *Service) tagResource(w http.ResponseWriter, r *request) error {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := r.decode(&in); err != nil {
		return err
	}
	tags, err := s.taggable(r, r.params[0])
	if err != nil {
		return err
	}
	if len(in.Tags) == 0 {
		return errBadRequest("tags must not be empty")
	}
	merged := copyTags(*tags)
	for k, v := range in.Tags {
		merged[k] = v
	}
	if err := checkTags(merged, errBadRequest); err != nil {
		return err
	}
	*tags = merged
	return writeJSON(w, r, map[string]any{})
}

func (s *Service) untagResource(w http.ResponseWriter, r *request) error {
	tags, err := s.taggable(r, r.params[0])
	if err != nil {
		return err
	}
	keys := r.http.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return errBadRequest("tagKeys must not be empty")
	}
	for _, k := range keys {
		delete(*tags, k)
	}
	return writeJSON(w, r, map[string]any{})
}
