package ec2

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// This file is the in-process face EC2 shows other emulated AWS services
// (local/eks): they validate subnets against it and create, in the
// customer's account, the security groups, network interfaces and
// instances AWS services create there on the customer's behalf. Those
// resources then block deleting their subnets and VPC exactly as on AWS.

// SubnetInfo describes a subnet as a service placing resources in it sees it.
type SubnetInfo struct {
	ID    string
	VpcID string
	AZ    string
	// Public is true when the subnet's route table (its explicit one, else
	// the VPC's main table) sends 0.0.0.0/0 to an internet gateway.
	Public bool
}

// serviceRequest is the request context of an internal call: the region,
// and the current time after due transitions have been applied.
func (s *Service) serviceRequest(region string) *request {
	now := time.Now()
	s.advance(now)
	return &request{call: awsproto.Call{Region: region}, form: url.Values{}, now: now}
}

// Subnet describes a subnet of the region; false if it does not exist.
func (s *Service) Subnet(region, id string) (SubnetInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.subnets[id]
	if !ok || sn.region != region {
		return SubnetInfo{}, false
	}
	return SubnetInfo{ID: sn.id, VpcID: sn.vpcID, AZ: sn.az, Public: s.subnetIsPublic(sn)}, true
}

func (s *Service) subnetIsPublic(sn *subnet) bool {
	var table *routeTable
	for _, rt := range s.routeTables {
		for _, a := range rt.associations {
			if a.subnetID == sn.id {
				table = rt
			}
		}
	}
	if table == nil {
		table = s.routeTables[s.vpcs[sn.vpcID].mainRouteTable]
	}
	if table == nil {
		return false
	}
	for _, rte := range table.routes {
		if rte.destination == "0.0.0.0/0" && strings.HasPrefix(rte.gatewayID, "igw-") {
			return true
		}
	}
	return false
}

// InstanceTypeKnown reports whether the catalogue knows the instance type.
func (s *Service) InstanceTypeKnown(instanceType string) bool {
	if s.cfg.Catalog == nil {
		return false
	}
	_, ok := s.cfg.Catalog.InstanceTypeVCPUs(instanceType)
	return ok
}

// CreateServiceSecurityGroup creates a group the way an AWS service does:
// tags may use the reserved "aws:" prefix, and the group lets its members
// talk to each other (EKS's cluster security group).
func (s *Service) CreateServiceSecurityGroup(region, vpcID, name, description string, tags map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.serviceRequest(region)
	if _, err := lookup(s.vpcs, r, vpcID, vpcNotFound); err != nil {
		return "", err
	}
	sg := s.newSecurityGroup(r, vpcID, name, description)
	sg.ingress = append(sg.ingress, sgRule{id: newID("sgr"), protocol: "-1", fromPort: -1, toPort: -1, peerGroupID: sg.id})
	s.setServiceTags(sg.id, tags)
	return sg.id, nil
}

// CreateServiceInterface creates a requester-managed ENI (the customer can
// neither detach nor delete it), as EKS does for its control plane.
func (s *Service) CreateServiceInterface(region, subnetID, description string, groups []string, tags map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.serviceRequest(region)
	sn, err := lookup(s.subnets, r, subnetID, subnetNotFound)
	if err != nil {
		return "", err
	}
	eni, err := s.newNetworkInterface(r, sn, groups, "", description)
	if err != nil {
		return "", err
	}
	eni.requesterManaged = true
	s.setServiceTags(eni.id, tags)
	return eni.id, nil
}

// DeleteServiceResources removes network interfaces first, then security
// groups, that a service created; unknown ids are skipped, so a retried
// cleanup is harmless.
func (s *Service) DeleteServiceResources(region string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(time.Now())
	sort.SliceStable(ids, func(i, j int) bool {
		return resourceTypeOf(ids[i]) == "network-interface" && resourceTypeOf(ids[j]) != "network-interface"
	})
	for _, id := range ids {
		if eni, ok := s.enis[id]; ok && eni.region == region {
			s.removeNetworkInterface(eni)
		}
		if sg, ok := s.securityGroups[id]; ok && sg.region == region {
			forget(s, s.securityGroups, id)
		}
	}
}

// ServiceInstance is one instance a service (an EKS managed node group's
// Auto Scaling group) launches in the customer's account.
type ServiceInstance struct {
	Region       string
	SubnetID     string
	InstanceType string
	ImageID      string
	Groups       []string
	Spot         bool
	DiskGiB      int
	Tags         map[string]string
}

// LaunchServiceInstance starts one instance (pending → running with the
// usual latency) and returns its id. On-demand instances count against the
// account's vCPU quota like RunInstances; spot instances are priced at the
// zone's current spot price, as an Auto Scaling group's requests are.
func (s *Service) LaunchServiceInstance(spec ServiceInstance) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.serviceRequest(spec.Region)
	sn, err := lookup(s.subnets, r, spec.SubnetID, subnetNotFound)
	if err != nil {
		return "", err
	}
	vcpus, known := 0, false
	if s.cfg.Catalog != nil {
		vcpus, known = s.cfg.Catalog.InstanceTypeVCPUs(spec.InstanceType)
	}
	if !known {
		return "", errBadRequest("InvalidParameterValue", "Invalid value '%s' for InstanceType.", spec.InstanceType)
	}
	if limit := s.quota(spec.Region, quotaOnDemandStdVCPUs); !spec.Spot && s.runningVCPUs(spec.Region)+vcpus > limit {
		return "", errBadRequest("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of %d allows for the instance bucket that the specified instance type belongs to.", limit)
	}
	disk := spec.DiskGiB
	if disk <= 0 {
		disk = 20
	}
	ls := &launchSpec{imageID: spec.ImageID, instanceType: spec.InstanceType, vcpus: vcpus, subnet: sn, groups: spec.Groups,
		publicIP: sn.mapPublicIPs, spot: spec.Spot,
		blockDevices: []blockDevice{{device: "/dev/xvda", sizeGiB: disk, volumeType: "gp3", deleteOnTermination: true}}}
	if spec.Spot {
		ls.spotPrice = s.cfg.Catalog.SpotPrice(spec.Region, sn.az, spec.InstanceType, r.now)
	}
	reservationID := newID("r")
	inst, err := s.launchOne(r, ls, reservationID, 0)
	if err != nil {
		s.rollbackReservation(reservationID)
		return "", err
	}
	s.setServiceTags(inst.id, spec.Tags)
	return inst.id, nil
}

// TerminateServiceInstances moves the instances to shutting-down; they
// become terminated (and free their ENIs) after the usual latency.
func (s *Service) TerminateServiceInstances(region string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.serviceRequest(region)
	for _, id := range ids {
		inst, ok := s.instances[id]
		if ok && inst.region == region && (inst.st == statePending || inst.st == stateRunning) {
			inst.st, inst.terminateStarted = stateShuttingDown, r.now
		}
	}
}

// setServiceTags tags a resource without the "aws:" prefix check: AWS
// services may use their reserved keys.
func (s *Service) setServiceTags(id string, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	if s.tags[id] == nil {
		s.tags[id] = map[string]string{}
	}
	for k, v := range tags {
		s.tags[id][k] = v
	}
}
