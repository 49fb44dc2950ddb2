package eks

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

type nodegroup struct {
	name, arn, clusterName string
	created, modified      time.Time
	status                 string
	due                    time.Time
	version                string
	releaseVersion         string
	capacityType           string
	minSize, maxSize       int
	desiredSize            int
	instanceTypes          []string
	subnetIDs              []string
	amiType                string
	nodeRole               string
	diskSize               int
	labels                 map[string]string
	taints                 []taint
	maxUnavailable         *int
	maxUnavailablePct      *int
	remoteAccess           *remoteAccess
	launchTemplate         *launchTemplateSpec
	asgName                string
	tags                   map[string]string
	instances              []string          // EC2 instance ids the group keeps, oldest first
	instanceZones          map[string]string // instance id → zone
	issues                 []issue
	updates                map[string]*update
}

type createNodegroupInput struct {
	NodegroupName      string              `json:"nodegroupName"`
	ScalingConfig      *scalingConfig      `json:"scalingConfig"`
	DiskSize           *int                `json:"diskSize"`
	Subnets            []string            `json:"subnets"`
	InstanceTypes      []string            `json:"instanceTypes"`
	AmiType            string              `json:"amiType"`
	RemoteAccess       *remoteAccess       `json:"remoteAccess"`
	NodeRole           string              `json:"nodeRole"`
	Labels             map[string]string   `json:"labels"`
	Taints             []taint             `json:"taints"`
	Tags               map[string]string   `json:"tags"`
	ClientRequestToken string              `json:"clientRequestToken"`
	LaunchTemplate     *launchTemplateSpec `json:"launchTemplate"`
	UpdateConfig       *updateConfig       `json:"updateConfig"`
	CapacityType       string              `json:"capacityType"`
	Version            string              `json:"version"`
	ReleaseVersion     string              `json:"releaseVersion"`
}

// activeCluster finds a cluster that accepts node group and Fargate
// profile changes: only an ACTIVE one does.
func (s *Service) activeCluster(r *request, name string) (*cluster, error) {
	cl, err := s.clusterOf(r, name)
	if err != nil {
		return nil, err
	}
	if cl.status != statusActive {
		return nil, errInUse("Cluster '%s' is not in ACTIVE status", name)
	}
	return cl, nil
}

func (s *Service) nodegroupOf(r *request) (*cluster, *nodegroup, error) {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return nil, nil, err
	}
	ng, ok := cl.nodegroups[r.params[1]]
	if !ok {
		return nil, nil, errNotFound("No node group found for name: %s.", r.params[1])
	}
	return cl, ng, nil
}

func (s *Service) createNodegroup(w http.ResponseWriter, r *request) error {
	var in createNodegroupInput
	if err := r.decode(&in); err != nil {
		return err
	}
	clusterName := r.params[0]
	if name, ok := s.idempotent(r, clusterName, in.ClientRequestToken); ok && name == in.NodegroupName {
		if cl, err := s.clusterOf(r, clusterName); err == nil && cl.nodegroups[name] != nil {
			return writeJSON(w, r, map[string]any{"nodegroup": s.nodegroupJSON(cl.nodegroups[name])})
		}
	}
	cl, err := s.activeCluster(r, clusterName)
	if err != nil {
		return err
	}
	ng, err := s.newNodegroup(r, cl, in)
	if err != nil {
		return err
	}
	cl.nodegroups[ng.name] = ng
	s.rememberToken(r, clusterName, in.ClientRequestToken, ng.name)
	s.reconcileInstances(cl, ng, ng.desiredSize)
	s.schedule(ng.due)
	return writeJSON(w, r, map[string]any{"nodegroup": s.nodegroupJSON(ng)})
}

// newNodegroup validates a CreateNodegroup request as EKS does.
func (s *Service) newNodegroup(r *request, cl *cluster, in createNodegroupInput) (*nodegroup, error) {
	if !childNameRE.MatchString(in.NodegroupName) {
		return nil, errInvalidParameter("The node group name %q is invalid", in.NodegroupName)
	}
	if _, exists := cl.nodegroups[in.NodegroupName]; exists {
		return nil, errInUse("NodeGroup already exists with name %s and cluster name %s", in.NodegroupName, cl.name)
	}
	if err := s.checkRole("nodeRole", in.NodeRole, principalEC2); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, errInvalidParameter); err != nil {
		return nil, err
	}
	subnets, err := s.subnets(r.region(), in.Subnets)
	if err != nil {
		return nil, err
	}
	if subnets[0].VpcID != cl.vpcID {
		return nil, errInvalidParameter("Subnets are not in the same VPC as the cluster %s (%s)", cl.name, cl.vpcID)
	}
	ng := &nodegroup{name: in.NodegroupName, clusterName: cl.name, created: r.now, modified: r.now, status: statusCreating,
		due: r.now.Add(s.cfg.Latency.Wall(latency.EKSNodegroupActive)), version: cl.version,
		capacityType: "ON_DEMAND", minSize: 1, maxSize: 2, desiredSize: 2, instanceTypes: []string{"t3.medium"},
		subnetIDs: slices.Clone(in.Subnets), amiType: "AL2023_x86_64_STANDARD", nodeRole: in.NodeRole, diskSize: 20,
		labels: copyTags(in.Labels), remoteAccess: in.RemoteAccess, launchTemplate: in.LaunchTemplate,
		tags: copyTags(in.Tags), updates: map[string]*update{}, instanceZones: map[string]string{}}
	id := uuid()
	ng.arn = fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s", cl.region, s.cfg.AccountID, cl.name, ng.name, id)
	ng.asgName = "eks-" + ng.name + "-" + id
	if err := ng.applyCreateOptions(in, cl, s.cfg.Network.InstanceTypeKnown); err != nil {
		return nil, err
	}
	ng.releaseVersion = ng.version + ".0-20251120"
	return ng, nil
}

func (ng *nodegroup) applyCreateOptions(in createNodegroupInput, cl *cluster, knownType func(string) bool) error {
	if in.Version != "" {
		if err := validVersion(in.Version); err != nil {
			return err
		}
		if in.Version > cl.version {
			return errInvalidParameter("Requested Nodegroup version %s is newer than the cluster version %s", in.Version, cl.version)
		}
		ng.version = in.Version
	}
	if in.CapacityType != "" {
		if in.CapacityType != "ON_DEMAND" && in.CapacityType != "SPOT" {
			return errInvalidParameter("capacityType must be ON_DEMAND or SPOT, not %s", in.CapacityType)
		}
		ng.capacityType = in.CapacityType
	}
	if len(in.InstanceTypes) > 0 {
		ng.instanceTypes = slices.Clone(in.InstanceTypes)
	}
	for _, t := range ng.instanceTypes {
		if !knownType(t) {
			return errInvalidParameter("Instance type %s is not supported", t)
		}
	}
	if in.AmiType != "" {
		ng.amiType = in.AmiType
	}
	if err := checkAMIType(ng.amiType, ng.version); err != nil {
		return err
	}
	if in.DiskSize != nil {
		if in.LaunchTemplate != nil {
			return errInvalidParameter("Disk size must be specified within the launch template.")
		}
		ng.diskSize = *in.DiskSize
	}
	if in.ScalingConfig != nil {
		applyScaling(&ng.minSize, &ng.maxSize, &ng.desiredSize, *in.ScalingConfig)
	}
	if err := checkScaling(ng.minSize, ng.maxSize, ng.desiredSize); err != nil {
		return err
	}
	if err := checkTaints(in.Taints); err != nil {
		return err
	}
	ng.taints = slices.Clone(in.Taints)
	if err := checkLabels(in.Labels); err != nil {
		return err
	}
	one := 1
	ng.maxUnavailable = &one
	if in.UpdateConfig != nil {
		return ng.applyUpdateConfig(*in.UpdateConfig)
	}
	return nil
}

func applyScaling(minSize, maxSize, desired *int, sc scalingConfig) {
	if sc.MinSize != nil {
		*minSize = *sc.MinSize
	}
	if sc.MaxSize != nil {
		*maxSize = *sc.MaxSize
	}
	if sc.DesiredSize != nil {
		*desired = *sc.DesiredSize
	}
}

func checkScaling(minSize, maxSize, desired int) error {
	switch {
	case minSize < 0 || desired < 0:
		return errInvalidParameter("Sizes must be greater than or equal to 0")
	case maxSize < 1:
		return errInvalidParameter("Maximum capacity should be greater than or equal to 1")
	case minSize > desired:
		return errInvalidParameter("Minimum capacity %d can't be greater than desired size %d", minSize, desired)
	case desired > maxSize:
		return errInvalidParameter("Desired capacity %d can't be greater than max size %d", desired, maxSize)
	}
	return nil
}

func checkTaints(taints []taint) error {
	if len(taints) > 50 {
		return errInvalidParameter("A node group can have at most 50 taints")
	}
	for _, t := range taints {
		if t.Key == "" || len(t.Key) > 63 || len(t.Value) > 63 {
			return errInvalidParameter("Taint key %q or value %q is invalid", t.Key, t.Value)
		}
		if !slices.Contains(taintEffects, t.Effect) {
			return errInvalidParameter("Taint effect %q is invalid; valid effects are %v", t.Effect, taintEffects)
		}
	}
	return nil
}

func checkLabels(labels map[string]string) error {
	for k, v := range labels {
		if k == "" || len(k) > 63 || len(v) > 63 {
			return errInvalidParameter("Label key %q or value %q is invalid", k, v)
		}
	}
	return nil
}

func (ng *nodegroup) applyUpdateConfig(uc updateConfig) error {
	switch {
	case uc.MaxUnavailable != nil && uc.MaxUnavailablePercentage != nil:
		return errInvalidParameter("Only one of maxUnavailable and maxUnavailablePercentage may be set")
	case uc.MaxUnavailable != nil:
		if *uc.MaxUnavailable < 1 || *uc.MaxUnavailable > 100 {
			return errInvalidParameter("maxUnavailable must be between 1 and 100")
		}
		ng.maxUnavailable, ng.maxUnavailablePct = uc.MaxUnavailable, nil
	case uc.MaxUnavailablePercentage != nil:
		if *uc.MaxUnavailablePercentage < 1 || *uc.MaxUnavailablePercentage > 100 {
			return errInvalidParameter("maxUnavailablePercentage must be between 1 and 100")
		}
		ng.maxUnavailable, ng.maxUnavailablePct = nil, uc.MaxUnavailablePercentage
	}
	return nil
}

func (s *Service) describeNodegroup(w http.ResponseWriter, r *request) error {
	_, ng, err := s.nodegroupOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, r, map[string]any{"nodegroup": s.nodegroupJSON(ng)})
}

func (s *Service) listNodegroups(w http.ResponseWriter, r *request) error {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return err
	}
	page, next, err := paginate(r, sortedKeys(cl.nodegroups))
	if err != nil {
		return err
	}
	return writeJSON(w, r, listAnswer("nodegroups", page, next))
}

func (s *Service) deleteNodegroup(w http.ResponseWriter, r *request) error {
	cl, ng, err := s.nodegroupOf(r)
	if err != nil {
		return err
	}
	switch ng.status {
	case statusDeleting:
	case statusCreating, statusUpdating:
		return errInUse("Nodegroup %s is in %s status and cannot be deleted now", ng.name, ng.status)
	default:
		ng.status, ng.modified = statusDeleting, r.now
		ng.due = r.now.Add(s.cfg.Latency.Wall(latency.EKSNodegroupDeleted))
		s.reconcileInstances(cl, ng, 0)
		s.schedule(ng.due)
	}
	return writeJSON(w, r, map[string]any{"nodegroup": s.nodegroupJSON(ng)})
}

// advanceNodegroups completes due node group transitions.
func (s *Service) advanceNodegroups(cl *cluster, now time.Time) {
	for name, ng := range cl.nodegroups {
		if ng.due.IsZero() || now.Before(ng.due) {
			continue
		}
		switch ng.status {
		case statusCreating, statusUpdating:
			// An Auto Scaling group that could not launch leaves the group
			// CREATE_FAILED (a create) or DEGRADED (an update).
			next := statusActive
			switch {
			case len(ng.issues) > 0 && ng.status == statusCreating:
				next = statusCreateFailed
			case len(ng.issues) > 0:
				next = statusDegraded
			}
			ng.status, ng.due, ng.modified = next, time.Time{}, now
			for _, u := range ng.updates {
				if u.status == updateInProgress {
					u.finish(ng.issues)
				}
			}
		case statusDeleting:
			delete(cl.nodegroups, name)
		}
	}
}

func (s *Service) nodegroupJSON(ng *nodegroup) nodegroupJSON {
	minSize, maxSize, desired := ng.minSize, ng.maxSize, ng.desiredSize
	out := nodegroupJSON{NodegroupName: ng.name, NodegroupArn: ng.arn, ClusterName: ng.clusterName, Version: ng.version,
		ReleaseVersion: ng.releaseVersion, CreatedAt: epoch(ng.created), ModifiedAt: epoch(ng.modified), Status: ng.status,
		CapacityType: ng.capacityType, ScalingConfig: scalingConfig{MinSize: &minSize, MaxSize: &maxSize, DesiredSize: &desired},
		InstanceTypes: ng.instanceTypes, Subnets: ng.subnetIDs, RemoteAccess: ng.remoteAccess, AmiType: ng.amiType,
		NodeRole: ng.nodeRole, Labels: ng.labels, Taints: ng.taints, Health: health{Issues: append([]issue{}, ng.issues...)},
		UpdateConfig:   updateConfig{MaxUnavailable: ng.maxUnavailable, MaxUnavailablePercentage: ng.maxUnavailablePct},
		LaunchTemplate: ng.launchTemplate, Tags: ng.tags}
	if ng.launchTemplate == nil {
		out.DiskSize = ng.diskSize
	}
	out.Resources = &nodegroupResources{}
	out.Resources.AutoScalingGroups = append(out.Resources.AutoScalingGroups, struct {
		Name string `json:"name"`
	}{ng.asgName})
	return out
}
