package eks

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/clusterforge/clusterforge/local/ec2"
)

// reconcileInstances does what a managed node group's Auto Scaling group
// does: launch or terminate instances until target are running, spread
// over the subnets' zones (new instances go to the zone with the fewest,
// scale-in takes the newest instance of the zone with the most).
func (s *Service) reconcileInstances(cl *cluster, ng *nodegroup, target int) {
	zoneOf := ng.instanceZones
	var subnets []ec2.SubnetInfo
	for _, id := range ng.subnetIDs {
		if sn, ok := s.cfg.Network.Subnet(cl.region, id); ok {
			subnets = append(subnets, sn)
		}
	}
	var stop []string
	for len(ng.instances) > target {
		victim := newestInBusiestZone(ng.instances, zoneOf)
		stop = append(stop, victim)
		ng.instances = slices.DeleteFunc(ng.instances, func(id string) bool { return id == victim })
		delete(zoneOf, victim)
	}
	if len(stop) > 0 {
		s.cfg.Network.TerminateServiceInstances(cl.region, stop)
	}
	ng.issues = nil
	for len(ng.instances) < target && len(subnets) > 0 {
		sn := quietestSubnet(subnets, ng.instances, zoneOf)
		id, err := s.cfg.Network.LaunchServiceInstance(ec2.ServiceInstance{Region: cl.region, SubnetID: sn.ID,
			InstanceType: ng.instanceTypes[0], ImageID: nodeImage(ng), Groups: []string{cl.clusterSG},
			Spot: ng.capacityType == "SPOT", DiskGiB: ng.diskSize, Tags: map[string]string{
				"eks:cluster-name": cl.name, "eks:nodegroup-name": ng.name,
				"kubernetes.io/cluster/" + cl.name: "owned", "aws:autoscaling:groupName": ng.asgName}})
		if err != nil {
			ng.issues = []issue{{Code: "AsgInstanceLaunchFailures", Message: err.Error(), ResourceIDs: []string{ng.asgName}}}
			return
		}
		ng.instances = append(ng.instances, id)
		zoneOf[id] = sn.AZ
	}
}

func zoneCounts(instances []string, zoneOf map[string]string) map[string]int {
	n := map[string]int{}
	for _, id := range instances {
		n[zoneOf[id]]++
	}
	return n
}

func newestInBusiestZone(instances []string, zoneOf map[string]string) string {
	counts := zoneCounts(instances, zoneOf)
	victim := instances[len(instances)-1]
	for i := len(instances) - 1; i >= 0; i-- {
		if counts[zoneOf[instances[i]]] > counts[zoneOf[victim]] {
			victim = instances[i]
		}
	}
	return victim
}

func quietestSubnet(subnets []ec2.SubnetInfo, instances []string, zoneOf map[string]string) ec2.SubnetInfo {
	counts := zoneCounts(instances, zoneOf)
	best := subnets[0]
	for _, sn := range subnets[1:] {
		if counts[sn.AZ] < counts[best.AZ] {
			best = sn
		}
	}
	return best
}

// nodeImage is a stable AMI id standing for the EKS optimized image of the
// node group's AMI type and version.
func nodeImage(ng *nodegroup) string {
	sum := sha256.Sum256([]byte(ng.amiType + "/" + ng.version))
	return "ami-" + hex.EncodeToString(sum[:])[:17]
}
