package ec2

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

func init() {
	register(map[string]actionHandler{
		"CreateNetworkInterface":    (*Service).createNetworkInterface,
		"DeleteNetworkInterface":    (*Service).deleteNetworkInterface,
		"DescribeNetworkInterfaces": (*Service).describeNetworkInterfaces,
	})
}

// networkInterface is an ENI. Instances and NAT gateways own one each; public
// addresses (an instance's auto-assigned IP or an Elastic IP) are mapped on it.
type networkInterface struct {
	meta
	subnetID         string
	vpcID            string
	az               string
	privateIP        string
	macAddress       string
	description      string
	groups           []string
	interfaceType    string // interface or nat_gateway
	requesterManaged bool
	// attachment to an instance
	instanceID          string
	attachmentID        string
	attachTime          time.Time
	deleteOnTermination bool
	// public address mapped on the ENI
	publicIP     string
	allocationID string // set when publicIP is an Elastic IP
}

var networkInterfaceNotFound = notFoundFunc("InvalidNetworkInterfaceID.NotFound", "networkInterface ID")

func (eni *networkInterface) status() string {
	if eni.instanceID != "" || eni.requesterManaged {
		return "in-use"
	}
	return "available"
}

// newNetworkInterface creates an ENI in the subnet with the given groups
// (the VPC's default group when none).
func (s *Service) newNetworkInterface(r *request, sn *subnet, groups []string, privateIP, description string) (*networkInterface, error) {
	if len(groups) == 0 {
		groups = []string{s.vpcs[sn.vpcID].defaultGroup}
	}
	if err := s.checkGroups(r, sn.vpcID, groups); err != nil {
		return nil, err
	}
	ip, err := sn.allocatePrivateIP(privateIP)
	if err != nil {
		return nil, err
	}
	m := s.newMeta("eni", r)
	eni := &networkInterface{meta: m, subnetID: sn.id, vpcID: sn.vpcID, az: sn.az, privateIP: ip,
		macAddress:  fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", byte(m.seq>>32), byte(m.seq>>24), byte(m.seq>>16), byte(m.seq>>8), byte(m.seq)),
		description: description, groups: groups, interfaceType: "interface"}
	s.enis[eni.id] = eni
	return eni, nil
}

// removeNetworkInterface frees the ENI's private IP and unmaps its public
// address (an Elastic IP stays allocated, just unassociated).
func (s *Service) removeNetworkInterface(eni *networkInterface) {
	if sn, ok := s.subnets[eni.subnetID]; ok {
		sn.releasePrivateIP(eni.privateIP)
	}
	if a, ok := s.addresses[eni.allocationID]; ok {
		s.disassociateAddress(a)
	}
	forget(s, s.enis, eni.id)
}

func (s *Service) createNetworkInterface(w http.ResponseWriter, r *request) error {
	sn, err := lookup(s.subnets, r, r.form.Get("SubnetId"), subnetNotFound)
	if err != nil {
		return err
	}
	eni, err := s.newNetworkInterface(r, sn, listParam(r.form, "SecurityGroupId"), r.form.Get("PrivateIpAddress"), r.form.Get("Description"))
	if err != nil {
		return err
	}
	if err := s.tagOnCreate(r, "network-interface", eni.id); err != nil {
		s.removeNetworkInterface(eni)
		return err
	}
	return respond(w, r, struct {
		NetworkInterface networkInterfaceXML `xml:"networkInterface"`
	}{s.networkInterfaceXML(eni)})
}

func (s *Service) deleteNetworkInterface(w http.ResponseWriter, r *request) error {
	eni, err := lookup(s.enis, r, r.form.Get("NetworkInterfaceId"), networkInterfaceNotFound)
	if err != nil {
		return err
	}
	if eni.status() == "in-use" {
		return errBadRequest("InvalidNetworkInterface.InUse", "The network interface '%s' is currently in use.", eni.id)
	}
	s.removeNetworkInterface(eni)
	return respondTrue(w, r)
}

type eniAttachmentXML struct {
	AttachmentID        string `xml:"attachmentId"`
	InstanceID          string `xml:"instanceId"`
	InstanceOwnerID     string `xml:"instanceOwnerId"`
	DeviceIndex         int    `xml:"deviceIndex"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type eniAssociationXML struct {
	PublicIP      string `xml:"publicIp"`
	PublicDNSName string `xml:"publicDnsName"`
	IPOwnerID     string `xml:"ipOwnerId"`
	AllocationID  string `xml:"allocationId,omitempty"`
	AssociationID string `xml:"associationId,omitempty"`
}

type eniPrivateIPXML struct {
	PrivateIP   string             `xml:"privateIpAddress"`
	Primary     bool               `xml:"primary"`
	Association *eniAssociationXML `xml:"association,omitempty"`
}

type networkInterfaceXML struct {
	NetworkInterfaceID string             `xml:"networkInterfaceId"`
	SubnetID           string             `xml:"subnetId"`
	VpcID              string             `xml:"vpcId"`
	AvailabilityZone   string             `xml:"availabilityZone"`
	Description        string             `xml:"description"`
	OwnerID            string             `xml:"ownerId"`
	RequesterID        string             `xml:"requesterId,omitempty"`
	RequesterManaged   bool               `xml:"requesterManaged"`
	Status             string             `xml:"status"`
	MacAddress         string             `xml:"macAddress"`
	PrivateIP          string             `xml:"privateIpAddress"`
	SourceDestCheck    bool               `xml:"sourceDestCheck"`
	InterfaceType      string             `xml:"interfaceType"`
	Groups             []groupXML         `xml:"groupSet>item"`
	Attachment         *eniAttachmentXML  `xml:"attachment,omitempty"`
	Association        *eniAssociationXML `xml:"association,omitempty"`
	Tags               []tagXML           `xml:"tagSet>item"`
	PrivateIPs         []eniPrivateIPXML  `xml:"privateIpAddressesSet>item"`
}

func (s *Service) eniAssociationXML(eni *networkInterface) *eniAssociationXML {
	if eni.publicIP == "" {
		return nil
	}
	assoc := &eniAssociationXML{PublicIP: eni.publicIP, IPOwnerID: "amazon", AllocationID: eni.allocationID}
	if a, ok := s.addresses[eni.allocationID]; ok {
		assoc.IPOwnerID, assoc.AssociationID = s.cfg.AccountID, a.associationID
	}
	return assoc
}

func (s *Service) networkInterfaceXML(eni *networkInterface) networkInterfaceXML {
	out := networkInterfaceXML{
		NetworkInterfaceID: eni.id, SubnetID: eni.subnetID, VpcID: eni.vpcID, AvailabilityZone: eni.az,
		Description: eni.description, OwnerID: s.cfg.AccountID, RequesterManaged: eni.requesterManaged,
		Status: eni.status(), MacAddress: eni.macAddress, PrivateIP: eni.privateIP, SourceDestCheck: true,
		InterfaceType: eni.interfaceType, Groups: s.groupSet(eni.groups), Association: s.eniAssociationXML(eni),
		Tags: s.tagSet(eni.id),
	}
	if eni.requesterManaged {
		out.RequesterID = "AWS"
	}
	if eni.instanceID != "" {
		out.Attachment = &eniAttachmentXML{eni.attachmentID, eni.instanceID, s.cfg.AccountID, 0, "attached", isoTime(eni.attachTime), eni.deleteOnTermination}
	}
	out.PrivateIPs = []eniPrivateIPXML{{eni.privateIP, true, out.Association}}
	return out
}

func (s *Service) networkInterfaceAttr(eni *networkInterface, name string) ([]string, bool) {
	switch name {
	case "network-interface-id":
		return one(eni.id), true
	case "subnet-id":
		return one(eni.subnetID), true
	case "vpc-id":
		return one(eni.vpcID), true
	case "availability-zone":
		return one(eni.az), true
	case "status":
		return one(eni.status()), true
	case "requester-managed":
		return one(strconv.FormatBool(eni.requesterManaged)), true
	case "description":
		return one(eni.description), true
	case "interface-type":
		return one(eni.interfaceType), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	case "mac-address":
		return one(eni.macAddress), true
	case "group-id":
		return eni.groups, true
	case "group-name":
		return s.groupNames(eni.groups), true
	case "attachment.instance-id":
		return one(eni.instanceID), true
	case "attachment.attachment-id":
		return one(eni.attachmentID), true
	case "private-ip-address", "addresses.private-ip-address":
		return one(eni.privateIP), true
	case "association.public-ip", "addresses.association.public-ip":
		return one(eni.publicIP), true
	case "association.allocation-id":
		return one(eni.allocationID), true
	}
	return nil, false
}

func (s *Service) describeNetworkInterfaces(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.enis, describeSpec[*networkInterface]{"NetworkInterfaceId", networkInterfaceNotFound, s.networkInterfaceAttr}, "networkInterfaceSet", s.networkInterfaceXML)
}
