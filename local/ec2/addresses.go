package ec2

import (
	"net/http"
)

func init() {
	register(map[string]actionHandler{
		"AllocateAddress":     (*Service).allocateAddress,
		"AssociateAddress":    (*Service).associateAddress,
		"DisassociateAddress": (*Service).disassociateAddressAction,
		"ReleaseAddress":      (*Service).releaseAddress,
		"DescribeAddresses":   (*Service).describeAddresses,
	})
}

// address is an Elastic IP (VPC domain only: EC2-Classic is gone).
type address struct {
	meta
	publicIP      string
	associationID string
	eniID         string
}

var allocationNotFound = notFoundFunc("InvalidAllocationID.NotFound", "allocation ID")

func (s *Service) allocateAddress(w http.ResponseWriter, r *request) error {
	if d := r.form.Get("Domain"); d != "" && d != "vpc" {
		return errBadRequest("InvalidParameterValue", "Value (%s) for parameter domain is invalid. Only vpc is supported.", d)
	}
	if len(inRegion(s.addresses, r.region())) >= s.quota(r.region(), quotaElasticIPs) {
		return errBadRequest("AddressLimitExceeded", "The maximum number of addresses has been reached.")
	}
	a := &address{meta: s.newMeta("eipalloc", r), publicIP: s.allocatePublicIP()}
	if err := s.tagOnCreate(r, "elastic-ip", a.id); err != nil {
		return err
	}
	s.addresses[a.id] = a
	return respond(w, r, struct {
		PublicIP           string `xml:"publicIp"`
		AllocationID       string `xml:"allocationId"`
		Domain             string `xml:"domain"`
		PublicIpv4Pool     string `xml:"publicIpv4Pool"`
		NetworkBorderGroup string `xml:"networkBorderGroup"`
	}{a.publicIP, a.id, "vpc", "amazon", a.region})
}

// addressFromForm finds the address named by AllocationId or PublicIp.
func (s *Service) addressFromForm(r *request) (*address, error) {
	if id := r.form.Get("AllocationId"); id != "" {
		return lookup(s.addresses, r, id, allocationNotFound)
	}
	ip := r.form.Get("PublicIp")
	if ip == "" {
		return nil, errMissing("AllocationId")
	}
	for _, a := range inRegion(s.addresses, r.region()) {
		if a.publicIP == ip {
			return a, nil
		}
	}
	return nil, errBadRequest("AuthFailure", "The address '%s' does not belong to you.", ip)
}

func (s *Service) associateAddress(w http.ResponseWriter, r *request) error {
	a, err := s.addressFromForm(r)
	if err != nil {
		return err
	}
	eni, err := s.associationTarget(r)
	if err != nil {
		return err
	}
	if s.vpcInternetGateway(eni.vpcID) == nil {
		return errBadRequest("Gateway.NotAttached", "Network %s is not attached to any internet gateway", eni.vpcID)
	}
	if a.associationID != "" {
		if allow, _ := boolParam(r.form, "AllowReassociation"); !allow && a.eniID != eni.id {
			return errBadRequest("Resource.AlreadyAssociated", "resource %s is already associated with associate-id %s", a.id, a.associationID)
		}
		s.disassociateAddress(a)
	}
	if previous, ok := s.addresses[eni.allocationID]; ok {
		s.disassociateAddress(previous)
	}
	s.mapAddress(a, eni)
	return respond(w, r, struct {
		Return        bool   `xml:"return"`
		AssociationID string `xml:"associationId"`
	}{true, a.associationID})
}

// associationTarget resolves InstanceId (its primary ENI) or NetworkInterfaceId.
func (s *Service) associationTarget(r *request) (*networkInterface, error) {
	if id := r.form.Get("InstanceId"); id != "" {
		inst, err := lookup(s.instances, r, id, instanceNotFound)
		if err != nil {
			return nil, err
		}
		if inst.state() != stateRunning {
			return nil, errBadRequest("IncorrectInstanceState", "The %s instance '%s' is not in a valid state for this operation.", inst.state(), inst.id)
		}
		return s.enis[inst.eniID], nil
	}
	if id := r.form.Get("NetworkInterfaceId"); id != "" {
		return lookup(s.enis, r, id, networkInterfaceNotFound)
	}
	return nil, errMissing("InstanceId or NetworkInterfaceId")
}

// mapAddress associates the Elastic IP with the ENI, replacing any
// auto-assigned public IP.
func (s *Service) mapAddress(a *address, eni *networkInterface) {
	a.associationID = newID("eipassoc")
	a.eniID = eni.id
	eni.publicIP, eni.allocationID = a.publicIP, a.id
}

func (s *Service) disassociateAddress(a *address) {
	if eni, ok := s.enis[a.eniID]; ok && eni.allocationID == a.id {
		eni.publicIP, eni.allocationID = "", ""
	}
	a.associationID, a.eniID = "", ""
}

func (s *Service) disassociateAddressAction(w http.ResponseWriter, r *request) error {
	if assoc := r.form.Get("AssociationId"); assoc != "" {
		for _, a := range inRegion(s.addresses, r.region()) {
			if a.associationID == assoc {
				s.disassociateAddress(a)
				return respondTrue(w, r)
			}
		}
		return errBadRequest("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", assoc)
	}
	a, err := s.addressFromForm(r)
	if err != nil {
		return err
	}
	s.disassociateAddress(a)
	return respondTrue(w, r)
}

func (s *Service) releaseAddress(w http.ResponseWriter, r *request) error {
	a, err := s.addressFromForm(r)
	if err != nil {
		return err
	}
	if a.associationID != "" {
		return errBadRequest("InvalidIPAddress.InUse", "The address with allocation id [%s] is in use.", a.id)
	}
	forget(s, s.addresses, a.id)
	return respondTrue(w, r)
}

type addressXML struct {
	PublicIP                string   `xml:"publicIp"`
	AllocationID            string   `xml:"allocationId"`
	Domain                  string   `xml:"domain"`
	InstanceID              string   `xml:"instanceId,omitempty"`
	AssociationID           string   `xml:"associationId,omitempty"`
	NetworkInterfaceID      string   `xml:"networkInterfaceId,omitempty"`
	NetworkInterfaceOwnerID string   `xml:"networkInterfaceOwnerId,omitempty"`
	PrivateIPAddress        string   `xml:"privateIpAddress,omitempty"`
	PublicIpv4Pool          string   `xml:"publicIpv4Pool"`
	NetworkBorderGroup      string   `xml:"networkBorderGroup"`
	Tags                    []tagXML `xml:"tagSet>item"`
}

func (s *Service) addressXML(a *address) addressXML {
	out := addressXML{PublicIP: a.publicIP, AllocationID: a.id, Domain: "vpc", AssociationID: a.associationID,
		PublicIpv4Pool: "amazon", NetworkBorderGroup: a.region, Tags: s.tagSet(a.id)}
	if eni, ok := s.enis[a.eniID]; ok {
		out.NetworkInterfaceID, out.NetworkInterfaceOwnerID = eni.id, s.cfg.AccountID
		out.PrivateIPAddress, out.InstanceID = eni.privateIP, eni.instanceID
	}
	return out
}

func (s *Service) addressAttr(a *address, name string) ([]string, bool) {
	x := s.addressXML(a)
	switch name {
	case "allocation-id":
		return one(a.id), true
	case "association-id":
		return one(a.associationID), true
	case "domain":
		return one("vpc"), true
	case "public-ip":
		return one(a.publicIP), true
	case "instance-id":
		return one(x.InstanceID), true
	case "network-interface-id":
		return one(x.NetworkInterfaceID), true
	case "network-interface-owner-id":
		return one(x.NetworkInterfaceOwnerID), true
	case "private-ip-address":
		return one(x.PrivateIPAddress), true
	case "network-border-group":
		return one(a.region), true
	}
	return nil, false
}

func (s *Service) describeAddresses(w http.ResponseWriter, r *request) error {
	items, err := describe(s, r, s.addresses, describeSpec[*address]{"AllocationId", allocationNotFound, s.addressAttr})
	if err != nil {
		return err
	}
	if ips := listParam(r.form, "PublicIp"); len(ips) > 0 {
		wanted := map[string]bool{}
		for _, ip := range ips {
			wanted[ip] = true
		}
		items = keep(items, func(a *address) bool { return wanted[a.publicIP] })
		if len(items) < len(wanted) {
			return errBadRequest("InvalidAddress.NotFound", "Address %v not found.", ips)
		}
	}
	out := make([]addressXML, len(items))
	for i, a := range items {
		out[i] = s.addressXML(a)
	}
	return respond(w, r, itemSet[addressXML]{setName: "addressesSet", items: out})
}
