package eks

import (
	"sort"
	"time"

	"github.com/clusterforge/clusterforge/local/ec2"
)

// Inventory lists the account's clusters, node groups and Fargate
// profiles, all regions, in the shape of EC2's inventory (type ekscluster,
// nodegroup or fargateprofile; the ARN as id; the EKS status as state).
func (s *Service) Inventory() []ec2.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(time.Now())
	var out []ec2.Resource
	for _, cl := range s.clusters {
		out = append(out, ec2.Resource{Type: "ekscluster", ID: cl.arn, Region: cl.region, State: cl.status, Tags: copyTags(cl.tags)})
		for _, ng := range cl.nodegroups {
			out = append(out, ec2.Resource{Type: "nodegroup", ID: ng.arn, Region: cl.region, State: ng.status, Tags: copyTags(ng.tags)})
		}
		for _, fp := range cl.fargate {
			out = append(out, ec2.Resource{Type: "fargateprofile", ID: fp.arn, Region: cl.region, State: fp.status, Tags: copyTags(fp.tags)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
