package ec2

import (
	"sort"
	"time"
)

// Resource is one entry of Inventory: enough to find leaks after a test or
// a force delete.
type Resource struct {
	Type   string // EC2 resource type: vpc, subnet, natgateway, instance, …
	ID     string
	Region string
	State  string
	Tags   map[string]string
}

// Inventory lists every resource of the account, all regions, including
// deleted NAT gateways and terminated instances (AWS keeps showing them).
func (s *Service) Inventory() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(time.Now())
	var out []Resource
	add := func(m *meta, state string) {
		tags := map[string]string{}
		for k, v := range s.tags[m.id] {
			tags[k] = v
		}
		out = append(out, Resource{resourceTypeOf(m.id), m.id, m.region, state, tags})
	}
	for _, v := range s.vpcs {
		add(&v.meta, "available")
	}
	for _, v := range s.subnets {
		add(&v.meta, "available")
	}
	for _, v := range s.internetGWs {
		add(&v.meta, map[bool]string{true: "attached", false: "detached"}[v.attachedVPC != ""])
	}
	for _, v := range s.routeTables {
		add(&v.meta, "available")
	}
	for _, v := range s.addresses {
		add(&v.meta, map[bool]string{true: "associated", false: "allocated"}[v.associationID != ""])
	}
	for _, v := range s.natGateways {
		add(&v.meta, v.state)
	}
	for _, v := range s.securityGroups {
		add(&v.meta, "available")
	}
	for _, v := range s.enis {
		add(&v.meta, v.status())
	}
	for _, v := range s.instances {
		add(&v.meta, v.st)
	}
	for _, v := range s.volumes {
		add(&v.meta, v.status())
	}
	for _, v := range s.keyPairs {
		add(&v.meta, "available")
	}
	for _, v := range s.launchTemplates {
		add(&v.meta, "available")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// InstanceState is the instance's current state name ("" if unknown), so
// load balancer target health can follow it.
func (s *Service) InstanceState(region, instanceID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(time.Now())
	in, ok := s.instances[instanceID]
	if !ok || in.region != region {
		return ""
	}
	return in.st
}
