package ec2

import (
	"net/http"
)

func init() {
	register(map[string]actionHandler{
		"CreateInternetGateway":    (*Service).createInternetGateway,
		"AttachInternetGateway":    (*Service).attachInternetGateway,
		"DetachInternetGateway":    (*Service).detachInternetGateway,
		"DeleteInternetGateway":    (*Service).deleteInternetGateway,
		"DescribeInternetGateways": (*Service).describeInternetGateways,
	})
}

type internetGateway struct {
	meta
	attachedVPC string
}

var internetGatewayNotFound = notFoundFunc("InvalidInternetGatewayID.NotFound", "internetGateway ID")

func (s *Service) createInternetGateway(w http.ResponseWriter, r *request) error {
	gw := &internetGateway{meta: s.newMeta("igw", r)}
	if err := s.tagOnCreate(r, "internet-gateway", gw.id); err != nil {
		return err
	}
	s.internetGWs[gw.id] = gw
	return respond(w, r, struct {
		InternetGateway internetGatewayXML `xml:"internetGateway"`
	}{s.internetGatewayXML(gw)})
}

func (s *Service) attachInternetGateway(w http.ResponseWriter, r *request) error {
	gw, err := lookup(s.internetGWs, r, r.form.Get("InternetGatewayId"), internetGatewayNotFound)
	if err != nil {
		return err
	}
	v, err := lookup(s.vpcs, r, r.form.Get("VpcId"), vpcNotFound)
	if err != nil {
		return err
	}
	if gw.attachedVPC != "" {
		return errBadRequest("Resource.AlreadyAssociated", "resource %s is already attached to network %s", gw.id, gw.attachedVPC)
	}
	if other := s.vpcInternetGateway(v.id); other != nil {
		return errBadRequest("Resource.AlreadyAssociated", "Network %s already has an internet gateway attached", v.id)
	}
	gw.attachedVPC = v.id
	return respondTrue(w, r)
}

// vpcInternetGateway returns the gateway attached to the VPC, if any.
func (s *Service) vpcInternetGateway(vpcID string) *internetGateway {
	for _, gw := range s.internetGWs {
		if gw.attachedVPC == vpcID {
			return gw
		}
	}
	return nil
}

func (s *Service) detachInternetGateway(w http.ResponseWriter, r *request) error {
	gw, err := lookup(s.internetGWs, r, r.form.Get("InternetGatewayId"), internetGatewayNotFound)
	if err != nil {
		return err
	}
	vpcID := r.form.Get("VpcId")
	if _, err := lookup(s.vpcs, r, vpcID, vpcNotFound); err != nil {
		return err
	}
	if gw.attachedVPC != vpcID {
		return errBadRequest("Gateway.NotAttached", "resource %s is not attached to network %s", gw.id, vpcID)
	}
	if s.vpcHasPublicAddresses(vpcID) {
		return errDependency("Network %s has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.", vpcID)
	}
	gw.attachedVPC = ""
	return respondTrue(w, r)
}

// vpcHasPublicAddresses reports whether any ENI of the VPC has a public
// address mapped (an associated Elastic IP or an instance's public IP).
func (s *Service) vpcHasPublicAddresses(vpcID string) bool {
	for _, eni := range s.enis {
		if eni.vpcID == vpcID && eni.publicIP != "" {
			return true
		}
	}
	return false
}

func (s *Service) deleteInternetGateway(w http.ResponseWriter, r *request) error {
	gw, err := lookup(s.internetGWs, r, r.form.Get("InternetGatewayId"), internetGatewayNotFound)
	if err != nil {
		return err
	}
	if gw.attachedVPC != "" {
		return errDependency("The internetGateway '%s' has dependencies and cannot be deleted.", gw.id)
	}
	forget(s, s.internetGWs, gw.id)
	return respondTrue(w, r)
}

type attachmentXML struct {
	VpcID string `xml:"vpcId"`
	State string `xml:"state"`
}

type internetGatewayXML struct {
	InternetGatewayID string          `xml:"internetGatewayId"`
	OwnerID           string          `xml:"ownerId"`
	Attachments       []attachmentXML `xml:"attachmentSet>item"`
	Tags              []tagXML        `xml:"tagSet>item"`
}

func (s *Service) internetGatewayXML(gw *internetGateway) internetGatewayXML {
	out := internetGatewayXML{InternetGatewayID: gw.id, OwnerID: s.cfg.AccountID, Tags: s.tagSet(gw.id)}
	if gw.attachedVPC != "" {
		out.Attachments = []attachmentXML{{gw.attachedVPC, "available"}}
	}
	return out
}

func (s *Service) internetGatewayAttr(gw *internetGateway, name string) ([]string, bool) {
	switch name {
	case "internet-gateway-id":
		return one(gw.id), true
	case "attachment.vpc-id":
		return one(gw.attachedVPC), true
	case "attachment.state":
		if gw.attachedVPC != "" {
			return one("available"), true
		}
		return nil, true
	case "owner-id":
		return one(s.cfg.AccountID), true
	}
	return nil, false
}

func (s *Service) describeInternetGateways(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.internetGWs, describeSpec[*internetGateway]{"InternetGatewayId", internetGatewayNotFound, s.internetGatewayAttr}, "internetGatewaySet", s.internetGatewayXML)
}
