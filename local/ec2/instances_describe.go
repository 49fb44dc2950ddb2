package ec2

import (
	"net/http"
	"strconv"
)

func init() {
	register(map[string]actionHandler{
		"DescribeInstances":         (*Service).describeInstances,
		"DescribeInstanceAttribute": (*Service).describeInstanceAttribute,
		"ModifyInstanceAttribute":   (*Service).modifyInstanceAttribute,
	})
}

type instanceStateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type instanceBlockDeviceXML struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		VolumeID            string `xml:"volumeId"`
		Status              string `xml:"status"`
		AttachTime          string `xml:"attachTime"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"ebs"`
}

type instanceNetworkInterfaceXML struct {
	NetworkInterfaceID string             `xml:"networkInterfaceId"`
	SubnetID           string             `xml:"subnetId"`
	VpcID              string             `xml:"vpcId"`
	OwnerID            string             `xml:"ownerId"`
	Status             string             `xml:"status"`
	MacAddress         string             `xml:"macAddress"`
	PrivateIP          string             `xml:"privateIpAddress"`
	SourceDestCheck    bool               `xml:"sourceDestCheck"`
	Groups             []groupXML         `xml:"groupSet>item"`
	Attachment         eniAttachmentXML   `xml:"attachment"`
	Association        *eniAssociationXML `xml:"association,omitempty"`
	InterfaceType      string             `xml:"interfaceType"`
}

type instanceXML struct {
	InstanceID        string                        `xml:"instanceId"`
	ImageID           string                        `xml:"imageId"`
	State             instanceStateXML              `xml:"instanceState"`
	PrivateDNSName    string                        `xml:"privateDnsName"`
	DNSName           string                        `xml:"dnsName"`
	KeyName           string                        `xml:"keyName,omitempty"`
	AmiLaunchIndex    int                           `xml:"amiLaunchIndex"`
	InstanceType      string                        `xml:"instanceType"`
	LaunchTime        string                        `xml:"launchTime"`
	AvailabilityZone  string                        `xml:"placement>availabilityZone"`
	Tenancy           string                        `xml:"placement>tenancy"`
	Monitoring        string                        `xml:"monitoring>state"`
	SubnetID          string                        `xml:"subnetId"`
	VpcID             string                        `xml:"vpcId"`
	PrivateIP         string                        `xml:"privateIpAddress"`
	PublicIP          string                        `xml:"ipAddress,omitempty"`
	SourceDestCheck   bool                          `xml:"sourceDestCheck"`
	Groups            []groupXML                    `xml:"groupSet>item"`
	Architecture      string                        `xml:"architecture"`
	RootDeviceType    string                        `xml:"rootDeviceType"`
	RootDeviceName    string                        `xml:"rootDeviceName"`
	BlockDevices      []instanceBlockDeviceXML      `xml:"blockDeviceMapping>item"`
	InstanceLifecycle string                        `xml:"instanceLifecycle,omitempty"`
	SpotRequestID     string                        `xml:"spotInstanceRequestId,omitempty"`
	VirtualizationTyp string                        `xml:"virtualizationType"`
	ClientToken       string                        `xml:"clientToken,omitempty"`
	Tags              []tagXML                      `xml:"tagSet>item"`
	Hypervisor        string                        `xml:"hypervisor"`
	NetworkInterfaces []instanceNetworkInterfaceXML `xml:"networkInterfaceSet>item"`
	IamProfileArn     string                        `xml:"iamInstanceProfile>arn,omitempty"`
}

type reservationXML struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Groups        []groupXML    `xml:"groupSet>item"`
	Instances     []instanceXML `xml:"instancesSet>item"`
}

func (s *Service) instanceXML(inst *instance) instanceXML {
	out := instanceXML{InstanceID: inst.id, ImageID: inst.imageID, State: instanceStateXML{stateCodes[inst.st], inst.st},
		KeyName: inst.keyName, AmiLaunchIndex: inst.launchIndex, InstanceType: inst.instanceType, LaunchTime: isoTime(inst.created),
		AvailabilityZone: inst.az, Tenancy: "default", Monitoring: "disabled", Architecture: "x86_64", RootDeviceType: "ebs",
		RootDeviceName: inst.rootDevice, VirtualizationTyp: "hvm", ClientToken: inst.clientToken, Tags: s.tagSet(inst.id),
		Hypervisor: "xen", IamProfileArn: inst.iamProfileArn, SourceDestCheck: true, SpotRequestID: inst.spotRequestID}
	if inst.spot {
		out.InstanceLifecycle = "spot"
	}
	if inst.st != stateTerminated {
		out.SubnetID, out.VpcID, out.PrivateIP = inst.subnetID, inst.vpcID, inst.privateIP
		out.PrivateDNSName = privateDNSName(inst.region, inst.privateIP)
	}
	if eni, ok := s.enis[inst.eniID]; ok {
		out.PublicIP = eni.publicIP
		out.Groups = s.groupSet(eni.groups)
		assoc := s.eniAssociationXML(eni)
		out.NetworkInterfaces = []instanceNetworkInterfaceXML{{eni.id, eni.subnetID, eni.vpcID, s.cfg.AccountID, eni.status(),
			eni.macAddress, eni.privateIP, true, out.Groups,
			eniAttachmentXML{eni.attachmentID, inst.id, s.cfg.AccountID, 0, "attached", isoTime(eni.attachTime), true}, assoc, "interface"}}
	}
	for _, id := range inst.volumeIDs {
		if v, ok := s.volumes[id]; ok && v.instanceID == inst.id {
			var bd instanceBlockDeviceXML
			bd.DeviceName, bd.Ebs.VolumeID, bd.Ebs.Status = v.device, v.id, "attached"
			bd.Ebs.AttachTime, bd.Ebs.DeleteOnTermination = isoTime(v.created), v.deleteOnTermination
			out.BlockDevices = append(out.BlockDevices, bd)
		}
	}
	return out
}

func (s *Service) instanceAttr(inst *instance, name string) ([]string, bool) {
	x := s.instanceXML(inst)
	switch name {
	case "instance-id":
		return one(inst.id), true
	case "instance-state-name":
		return one(inst.st), true
	case "instance-state-code":
		return one(strconv.Itoa(stateCodes[inst.st])), true
	case "instance-type":
		return one(inst.instanceType), true
	case "image-id":
		return one(inst.imageID), true
	case "subnet-id", "network-interface.subnet-id":
		return one(x.SubnetID), true
	case "vpc-id", "network-interface.vpc-id":
		return one(x.VpcID), true
	case "availability-zone":
		return one(inst.az), true
	case "private-ip-address", "network-interface.addresses.private-ip-address":
		return one(x.PrivateIP), true
	case "ip-address", "network-interface.addresses.association.public-ip":
		return one(x.PublicIP), true
	case "private-dns-name":
		return one(x.PrivateDNSName), true
	case "key-name":
		return one(inst.keyName), true
	case "instance-lifecycle":
		return one(x.InstanceLifecycle), true
	case "reservation-id":
		return one(inst.reservationID), true
	case "client-token":
		return one(inst.clientToken), true
	case "launch-index":
		return one(strconv.Itoa(inst.launchIndex)), true
	case "iam-instance-profile.arn":
		return one(inst.iamProfileArn), true
	case "network-interface.network-interface-id":
		if x.NetworkInterfaces != nil {
			return one(inst.eniID), true
		}
		return nil, true
	case "instance.group-id", "group-id", "network-interface.group-id":
		return groupValues(x.Groups, func(g groupXML) string { return g.GroupID }), true
	case "instance.group-name", "group-name", "network-interface.group-name":
		return groupValues(x.Groups, func(g groupXML) string { return g.GroupName }), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	}
	return nil, false
}

func groupValues(groups []groupXML, attr func(groupXML) string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, attr(g))
	}
	return out
}

func (s *Service) describeInstances(w http.ResponseWriter, r *request) error {
	items, err := describe(s, r, s.instances, describeSpec[*instance]{"InstanceId", instanceNotFound, s.instanceAttr})
	if err != nil {
		return err
	}
	page, next, err := paginate(r, items)
	if err != nil {
		return err
	}
	// Instances are listed per reservation, in the order of their first instance.
	var reservations []reservationXML
	index := map[string]int{}
	for _, inst := range page {
		i, ok := index[inst.reservationID]
		if !ok {
			reservations = append(reservations, reservationXML{ReservationID: inst.reservationID, OwnerID: s.cfg.AccountID})
			i = len(reservations) - 1
			index[inst.reservationID] = i
		}
		reservations[i].Instances = append(reservations[i].Instances, s.instanceXML(inst))
	}
	return respond(w, r, itemSet[reservationXML]{"reservationSet", reservations, next})
}

func (s *Service) describeInstanceAttribute(w http.ResponseWriter, r *request) error {
	inst, err := lookup(s.instances, r, r.form.Get("InstanceId"), instanceNotFound)
	if err != nil {
		return err
	}
	body := struct {
		InstanceID       string        `xml:"instanceId"`
		UserData         *valueXML     `xml:"userData,omitempty"`
		InstanceType     *valueXML     `xml:"instanceType,omitempty"`
		RootDeviceName   *valueXML     `xml:"rootDeviceName,omitempty"`
		DisableTerminate *boolValueXML `xml:"disableApiTermination,omitempty"`
		SourceDestCheck  *boolValueXML `xml:"sourceDestCheck,omitempty"`
		Groups           []groupXML    `xml:"groupSet>item,omitempty"`
	}{InstanceID: inst.id}
	x := s.instanceXML(inst)
	switch attr := r.form.Get("Attribute"); attr {
	case "userData":
		body.UserData = &valueXML{inst.userData}
	case "instanceType":
		body.InstanceType = &valueXML{inst.instanceType}
	case "rootDeviceName":
		body.RootDeviceName = &valueXML{inst.rootDevice}
	case "disableApiTermination":
		body.DisableTerminate = &boolValueXML{inst.disableTerminate}
	case "sourceDestCheck":
		body.SourceDestCheck = &boolValueXML{true}
	case "groupSet":
		body.Groups = x.Groups
	default:
		return errBadRequest("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	return respond(w, r, body)
}

// modifyInstanceAttribute supports what a running instance allows: the
// termination protection and its security groups. Type and user data need
// a stopped instance, which the local EC2 does not model.
func (s *Service) modifyInstanceAttribute(w http.ResponseWriter, r *request) error {
	inst, err := lookup(s.instances, r, r.form.Get("InstanceId"), instanceNotFound)
	if err != nil {
		return err
	}
	if v, set := boolParam(r.form, "DisableApiTermination.Value"); set {
		inst.disableTerminate = v
	}
	if groups := listParam(r.form, "GroupId"); len(groups) > 0 {
		eni, ok := s.enis[inst.eniID]
		if !ok {
			return errBadRequest("IncorrectInstanceState", "The instance '%s' is not in a valid state for this operation.", inst.id)
		}
		if err := s.checkGroups(r, inst.vpcID, groups); err != nil {
			return err
		}
		eni.groups = groups
	}
	if r.form.Get("InstanceType.Value") != "" || r.form.Get("UserData.Value") != "" {
		return errBadRequest("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", inst.id)
	}
	return respondTrue(w, r)
}
