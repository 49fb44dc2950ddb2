package ec2

import (
	"strconv"
	"strings"
)

// launchSpec is a validated RunInstances request (after the launch template
// has been merged in).
type launchSpec struct {
	imageID       string
	instanceType  string
	vcpus         int
	keyName       string
	subnet        *subnet
	groups        []string
	privateIP     string
	publicIP      bool
	userData      string
	iamProfileArn string
	spot          bool
	spotPrice     float64
	blockDevices  []blockDevice
}

type blockDevice struct {
	device              string
	sizeGiB             int
	volumeType          string
	iops                int
	encrypted           bool
	deleteOnTermination bool
}

func (s *Service) parseLaunchSpec(r *request) (*launchSpec, error) {
	f := r.form
	nic := subStruct(f, "NetworkInterface.1")
	spec := &launchSpec{imageID: f.Get("ImageId"), instanceType: orDefault(f.Get("InstanceType"), "m1.small"),
		keyName: f.Get("KeyName"), userData: f.Get("UserData"), iamProfileArn: s.iamProfileArn(f),
		privateIP: orDefault(f.Get("PrivateIpAddress"), nic.Get("PrivateIpAddress"))}
	if spec.imageID == "" {
		return nil, errMissing("ImageId")
	}
	if s.cfg.Catalog == nil || !s.cfg.Catalog.ImageExists(r.region(), spec.imageID) {
		return nil, errBadRequest("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", spec.imageID)
	}
	vcpus, known := s.cfg.Catalog.InstanceTypeVCPUs(spec.instanceType)
	if !known {
		return nil, errBadRequest("InvalidParameterValue", "Invalid value '%s' for InstanceType.", spec.instanceType)
	}
	spec.vcpus = vcpus
	if spec.keyName != "" && s.keyPairByName(r.region(), spec.keyName) == nil {
		return nil, keyPairNotFound(spec.keyName)
	}
	subnetID := orDefault(f.Get("SubnetId"), nic.Get("SubnetId"))
	if subnetID == "" {
		return nil, errBadRequest("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	sn, err := lookup(s.subnets, r, subnetID, subnetNotFound)
	if err != nil {
		return nil, err
	}
	spec.subnet = sn
	if !s.cfg.Catalog.Offered(r.region(), sn.az, spec.instanceType) {
		return nil, errBadRequest("Unsupported", "Your requested instance type (%s) is not supported in your requested Availability Zone (%s). Please retry your request by not specifying an Availability Zone or choosing another zone.", spec.instanceType, sn.az)
	}
	if spec.groups, err = s.launchGroups(r, sn, nic); err != nil {
		return nil, err
	}
	spec.publicIP = sn.mapPublicIPs
	if v, set := boolParam(nic, "AssociatePublicIpAddress"); set {
		spec.publicIP = v
	}
	if err := s.parseSpot(r, spec); err != nil {
		return nil, err
	}
	if spec.blockDevices, err = parseBlockDevices(r); err != nil {
		return nil, err
	}
	return spec, nil
}

// launchGroups collects SecurityGroupId.N, the interface's groups and
// SecurityGroup.N names resolved within the subnet's VPC.
func (s *Service) launchGroups(r *request, sn *subnet, nic map[string][]string) ([]string, error) {
	groups := append(listParam(r.form, "SecurityGroupId"), listParam(nic, "SecurityGroupId")...)
	for _, name := range listParam(r.form, "SecurityGroup") {
		found := ""
		for _, sg := range inRegion(s.securityGroups, r.region()) {
			if sg.vpcID == sn.vpcID && sg.name == name {
				found = sg.id
			}
		}
		if found == "" {
			return nil, errBadRequest("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", name, sn.vpcID)
		}
		groups = append(groups, found)
	}
	return groups, s.checkGroups(r, sn.vpcID, groups)
}

// parseSpot checks a spot request's MaxPrice against the current spot price
// of the subnet's zone, as EC2 does when it fulfils a one-time request.
func (s *Service) parseSpot(r *request, spec *launchSpec) error {
	market := subStruct(r.form, "InstanceMarketOptions")
	if market.Get("MarketType") != "spot" {
		return nil
	}
	price := s.cfg.Catalog.SpotPrice(r.region(), spec.subnet.az, spec.instanceType, r.now)
	if raw := market.Get("SpotOptions.MaxPrice"); raw != "" {
		maxPrice, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return errBadRequest("InvalidParameterValue", "Value (%s) for parameter MaxPrice is invalid.", raw)
		}
		if maxPrice < price {
			return errBadRequest("SpotMaxPriceTooLow", "Your Spot request price of %s is lower than the minimum required Spot request fulfillment price of %s.", raw, formatPrice(price))
		}
	}
	spec.spot, spec.spotPrice = true, price
	return nil
}

func parseBlockDevices(r *request) ([]blockDevice, error) {
	mappings := structList(r.form, "BlockDeviceMapping")
	var out []blockDevice
	for _, m := range mappings {
		if m.Get("NoDevice") != "" || m.Get("VirtualName") != "" {
			continue
		}
		size, err := intParam(m, "Ebs.VolumeSize", 8)
		if err != nil {
			return nil, err
		}
		iops, err := intParam(m, "Ebs.Iops", 0)
		if err != nil {
			return nil, err
		}
		deleteOnTermination, set := boolParam(m, "Ebs.DeleteOnTermination")
		encrypted, _ := boolParam(m, "Ebs.Encrypted")
		out = append(out, blockDevice{device: orDefault(m.Get("DeviceName"), "/dev/xvda"), sizeGiB: size,
			volumeType: orDefault(m.Get("Ebs.VolumeType"), "gp3"), iops: iops, encrypted: encrypted,
			deleteOnTermination: deleteOnTermination || !set})
	}
	if len(out) == 0 { // the AMI's root device
		out = []blockDevice{{device: "/dev/xvda", sizeGiB: 8, volumeType: "gp3", deleteOnTermination: true}}
	}
	return out, nil
}

// privateDNSName is EC2's internal host name for an address.
func privateDNSName(region, ip string) string {
	if ip == "" {
		return ""
	}
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}
