package ec2

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
)

func init() {
	register(map[string]actionHandler{
		"CreateSubnet":          (*Service).createSubnet,
		"DeleteSubnet":          (*Service).deleteSubnet,
		"DescribeSubnets":       (*Service).describeSubnets,
		"ModifySubnetAttribute": (*Service).modifySubnetAttribute,
	})
}

type subnet struct {
	meta
	vpcID        string
	cidr         netip.Prefix
	az           string
	mapPublicIPs bool
	usedIPs      map[netip.Addr]bool
}

var subnetNotFound = notFoundFunc("InvalidSubnetID.NotFound", "subnet ID")

func (s *Service) createSubnet(w http.ResponseWriter, r *request) error {
	v, err := lookup(s.vpcs, r, r.form.Get("VpcId"), vpcNotFound)
	if err != nil {
		return err
	}
	raw, err := required(r.form, "CidrBlock")
	if err != nil {
		return err
	}
	cidr, err := parseCIDR("CidrBlock", raw)
	if err != nil {
		return err
	}
	if !prefixWithin(cidr, v.cidr) || cidr.Bits() > 28 {
		return errBadRequest("InvalidSubnet.Range", "The CIDR '%s' is invalid.", raw)
	}
	for _, other := range s.subnets {
		if other.vpcID == v.id && other.cidr.Overlaps(cidr) {
			return errBadRequest("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", raw)
		}
	}
	az, err := s.subnetZone(r)
	if err != nil {
		return err
	}
	sn := &subnet{meta: s.newMeta("subnet", r), vpcID: v.id, cidr: cidr, az: az, usedIPs: map[netip.Addr]bool{}}
	if err := s.tagOnCreate(r, "subnet", sn.id); err != nil {
		return err
	}
	s.subnets[sn.id] = sn
	return respond(w, r, struct {
		Subnet subnetXML `xml:"subnet"`
	}{s.subnetXML(sn)})
}

// subnetZone resolves AvailabilityZone or AvailabilityZoneId; AWS picks a
// zone when neither is given.
func (s *Service) subnetZone(r *request) (string, error) {
	zones := s.zones(r.region())
	az, zoneID := r.form.Get("AvailabilityZone"), r.form.Get("AvailabilityZoneId")
	switch {
	case az != "":
		if !slices.Contains(zones, az) {
			return "", errBadRequest("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %v.", az, zones)
		}
		return az, nil
	case zoneID != "":
		for _, z := range zones {
			if s.cfg.Catalog.ZoneID(r.region(), z) == zoneID {
				return z, nil
			}
		}
		return "", errBadRequest("InvalidParameterValue", "Value (%s) for parameter availabilityZoneId is invalid.", zoneID)
	case len(zones) > 0:
		return zones[0], nil
	}
	return "", errBadRequest("InvalidParameterValue", "Region %s has no availability zones.", r.region())
}

func (s *Service) zones(region string) []string {
	if s.cfg.Catalog == nil {
		return nil
	}
	return s.cfg.Catalog.AZs(region)
}

func (s *Service) zoneID(region, az string) string {
	if s.cfg.Catalog == nil {
		return ""
	}
	return s.cfg.Catalog.ZoneID(region, az)
}

func (s *Service) deleteSubnet(w http.ResponseWriter, r *request) error {
	sn, err := lookup(s.subnets, r, r.form.Get("SubnetId"), subnetNotFound)
	if err != nil {
		return err
	}
	for _, eni := range s.enis {
		if eni.subnetID == sn.id {
			return errDependency("The subnet '%s' has dependencies and cannot be deleted.", sn.id)
		}
	}
	for _, rt := range s.routeTables {
		rt.dropSubnetAssociation(sn.id)
	}
	forget(s, s.subnets, sn.id)
	return respondTrue(w, r)
}

type subnetXML struct {
	SubnetID                string   `xml:"subnetId"`
	SubnetArn               string   `xml:"subnetArn"`
	State                   string   `xml:"state"`
	VpcID                   string   `xml:"vpcId"`
	OwnerID                 string   `xml:"ownerId"`
	CidrBlock               string   `xml:"cidrBlock"`
	AvailableIPAddressCount int      `xml:"availableIpAddressCount"`
	AvailabilityZone        string   `xml:"availabilityZone"`
	AvailabilityZoneID      string   `xml:"availabilityZoneId,omitempty"`
	DefaultForAz            bool     `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool     `xml:"mapPublicIpOnLaunch"`
	AssignIpv6OnCreation    bool     `xml:"assignIpv6AddressOnCreation"`
	Tags                    []tagXML `xml:"tagSet>item"`
}

func (s *Service) subnetXML(sn *subnet) subnetXML {
	return subnetXML{
		SubnetID: sn.id, State: "available", VpcID: sn.vpcID, OwnerID: s.cfg.AccountID,
		SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", sn.region, s.cfg.AccountID, sn.id),
		CidrBlock: sn.cidr.String(), AvailableIPAddressCount: sn.availableIPs(),
		AvailabilityZone: sn.az, AvailabilityZoneID: s.zoneID(sn.region, sn.az),
		MapPublicIPOnLaunch: sn.mapPublicIPs, Tags: s.tagSet(sn.id),
	}
}

func (s *Service) subnetAttr(sn *subnet, name string) ([]string, bool) {
	switch name {
	case "subnet-id":
		return one(sn.id), true
	case "vpc-id":
		return one(sn.vpcID), true
	case "cidr", "cidr-block", "cidrBlock", "cidr-block-association.cidr-block":
		return one(sn.cidr.String()), true
	case "availability-zone", "availabilityZone":
		return one(sn.az), true
	case "availability-zone-id":
		return one(s.zoneID(sn.region, sn.az)), true
	case "state":
		return one("available"), true
	case "map-public-ip-on-launch":
		return one(strconv.FormatBool(sn.mapPublicIPs)), true
	case "default-for-az", "defaultForAz":
		return one("false"), true
	case "available-ip-address-count":
		return one(strconv.Itoa(sn.availableIPs())), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	}
	return nil, false
}

func (s *Service) describeSubnets(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.subnets, describeSpec[*subnet]{"SubnetId", subnetNotFound, s.subnetAttr}, "subnetSet", s.subnetXML)
}

func (s *Service) modifySubnetAttribute(w http.ResponseWriter, r *request) error {
	sn, err := lookup(s.subnets, r, r.form.Get("SubnetId"), subnetNotFound)
	if err != nil {
		return err
	}
	if on, set := boolParam(r.form, "MapPublicIpOnLaunch.Value"); set {
		sn.mapPublicIPs = on
	}
	return respondTrue(w, r)
}
