package ec2

import (
	"net/http"
	"net/netip"
	"strconv"
)

func init() {
	register(map[string]actionHandler{
		"CreateVpc":            (*Service).createVpc,
		"DeleteVpc":            (*Service).deleteVpc,
		"DescribeVpcs":         (*Service).describeVpcs,
		"ModifyVpcAttribute":   (*Service).modifyVpcAttribute,
		"DescribeVpcAttribute": (*Service).describeVpcAttribute,
	})
}

type vpc struct {
	meta
	cidr            netip.Prefix
	cidrAssociation string
	tenancy         string
	dnsSupport      bool
	dnsHostnames    bool
	mainRouteTable  string
	defaultGroup    string
}

var vpcNotFound = notFoundFunc("InvalidVpcID.NotFound", "vpc ID")

func (s *Service) createVpc(w http.ResponseWriter, r *request) error {
	raw, err := required(r.form, "CidrBlock")
	if err != nil {
		return err
	}
	cidr, err := parseCIDR("CidrBlock", raw)
	if err != nil {
		return err
	}
	if cidr.Bits() < 16 || cidr.Bits() > 28 {
		return errBadRequest("InvalidVpc.Range", "The CIDR '%s' is invalid.", raw)
	}
	if len(inRegion(s.vpcs, r.region())) >= s.quota(r.region(), quotaVPCsPerRegion) {
		return errBadRequest("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
	}
	v := &vpc{meta: s.newMeta("vpc", r), cidr: cidr, cidrAssociation: newID("vpc-cidr-assoc"),
		tenancy: orDefault(r.form.Get("InstanceTenancy"), "default"), dnsSupport: true}
	if err := s.tagOnCreate(r, "vpc", v.id); err != nil {
		return err
	}
	s.vpcs[v.id] = v
	// AWS creates the main route table and the default security group with the VPC.
	v.mainRouteTable = s.newRouteTable(r, v, true).id
	v.defaultGroup = s.newSecurityGroup(r, v.id, "default", "default VPC security group").id
	return respond(w, r, struct {
		Vpc vpcXML `xml:"vpc"`
	}{s.vpcXML(v)})
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Service) deleteVpc(w http.ResponseWriter, r *request) error {
	id, err := required(r.form, "VpcId")
	if err != nil {
		return err
	}
	v, err := lookup(s.vpcs, r, id, vpcNotFound)
	if err != nil {
		return err
	}
	if s.vpcHasDependencies(v) {
		return errDependency("The vpc '%s' has dependencies and cannot be deleted.", id)
	}
	forget(s, s.routeTables, v.mainRouteTable)
	forget(s, s.securityGroups, v.defaultGroup)
	forget(s, s.vpcs, id)
	return respondTrue(w, r)
}

// forget removes a resource and its tags.
func forget[T any](s *Service, all map[string]T, id string) {
	delete(all, id)
	delete(s.tags, id)
}

func (s *Service) vpcHasDependencies(v *vpc) bool {
	for _, sn := range s.subnets {
		if sn.vpcID == v.id {
			return true
		}
	}
	for _, gw := range s.internetGWs {
		if gw.attachedVPC == v.id {
			return true
		}
	}
	for _, sg := range s.securityGroups {
		if sg.vpcID == v.id && sg.id != v.defaultGroup {
			return true
		}
	}
	for _, rt := range s.routeTables {
		if rt.vpcID == v.id && rt.id != v.mainRouteTable {
			return true
		}
	}
	for _, eni := range s.enis {
		if eni.vpcID == v.id {
			return true
		}
	}
	return false
}

type cidrAssociationXML struct {
	AssociationID string `xml:"associationId"`
	CidrBlock     string `xml:"cidrBlock"`
	State         string `xml:"cidrBlockState>state"`
}

type vpcXML struct {
	VpcID           string               `xml:"vpcId"`
	OwnerID         string               `xml:"ownerId"`
	State           string               `xml:"state"`
	CidrBlock       string               `xml:"cidrBlock"`
	CidrAssociation []cidrAssociationXML `xml:"cidrBlockAssociationSet>item"`
	DhcpOptionsID   string               `xml:"dhcpOptionsId"`
	InstanceTenancy string               `xml:"instanceTenancy"`
	IsDefault       bool                 `xml:"isDefault"`
	Tags            []tagXML             `xml:"tagSet>item"`
}

func (s *Service) vpcXML(v *vpc) vpcXML {
	return vpcXML{
		VpcID: v.id, OwnerID: s.cfg.AccountID, State: "available", CidrBlock: v.cidr.String(),
		CidrAssociation: []cidrAssociationXML{{v.cidrAssociation, v.cidr.String(), "associated"}},
		DhcpOptionsID:   "default", InstanceTenancy: v.tenancy, Tags: s.tagSet(v.id),
	}
}

func (s *Service) vpcAttr(v *vpc, name string) ([]string, bool) {
	switch name {
	case "vpc-id":
		return one(v.id), true
	case "cidr", "cidr-block-association.cidr-block":
		return one(v.cidr.String()), true
	case "cidr-block-association.association-id":
		return one(v.cidrAssociation), true
	case "cidr-block-association.state":
		return one("associated"), true
	case "state":
		return one("available"), true
	case "is-default":
		return one("false"), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	case "dhcp-options-id":
		return one("default"), true
	}
	return nil, false
}

func (s *Service) describeVpcs(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.vpcs, describeSpec[*vpc]{"VpcId", vpcNotFound, s.vpcAttr}, "vpcSet", s.vpcXML)
}

func (s *Service) modifyVpcAttribute(w http.ResponseWriter, r *request) error {
	v, err := lookup(s.vpcs, r, r.form.Get("VpcId"), vpcNotFound)
	if err != nil {
		return err
	}
	if on, set := boolParam(r.form, "EnableDnsSupport.Value"); set {
		v.dnsSupport = on
	}
	if on, set := boolParam(r.form, "EnableDnsHostnames.Value"); set {
		if on && !v.dnsSupport {
			return errBadRequest("InvalidParameterValue", "Cannot enable DNS hostnames while DNS support is disabled.")
		}
		v.dnsHostnames = on
	}
	return respondTrue(w, r)
}

func (s *Service) describeVpcAttribute(w http.ResponseWriter, r *request) error {
	v, err := lookup(s.vpcs, r, r.form.Get("VpcId"), vpcNotFound)
	if err != nil {
		return err
	}
	body := struct {
		VpcID        string        `xml:"vpcId"`
		DNSSupport   *boolValueXML `xml:"enableDnsSupport,omitempty"`
		DNSHostnames *boolValueXML `xml:"enableDnsHostnames,omitempty"`
	}{VpcID: v.id}
	switch attr := r.form.Get("Attribute"); attr {
	case "enableDnsSupport":
		body.DNSSupport = &boolValueXML{v.dnsSupport}
	case "enableDnsHostnames":
		body.DNSHostnames = &boolValueXML{v.dnsHostnames}
	default:
		return errBadRequest("InvalidParameterValue", "Value (%s) for parameter attribute is invalid.", strconv.Quote(attr))
	}
	return respond(w, r, body)
}
