package ec2

import (
	"net/http"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

func init() {
	register(map[string]actionHandler{
		"CreateNatGateway":    (*Service).createNatGateway,
		"DeleteNatGateway":    (*Service).deleteNatGateway,
		"DescribeNatGateways": (*Service).describeNatGateways,
	})
}

const (
	natPending   = "pending"
	natAvailable = "available"
	natFailed    = "failed"
	natDeleting  = "deleting"
	natDeleted   = "deleted"
)

type natGateway struct {
	meta
	subnetID     string
	vpcID        string
	az           string
	allocationID string
	eniID        string
	state        string
	// failure decided at creation, shown once the gateway leaves pending
	failureCode    string
	failureMessage string
	deleteStarted  time.Time
	deleted        time.Time
}

var natGatewayNotFound = func(id string) error {
	return errBadRequest("NatGatewayNotFound", "The Nat Gateway %s was not found", id)
}

func (s *Service) createNatGateway(w http.ResponseWriter, r *request) error {
	if id, ok := s.idempotent(r); ok {
		return s.respondNatGateway(w, r, s.natGateways[id])
	}
	sn, err := lookup(s.subnets, r, r.form.Get("SubnetId"), subnetNotFound)
	if err != nil {
		return err
	}
	if ct := r.form.Get("ConnectivityType"); ct != "" && ct != "public" {
		return errBadRequest("InvalidParameterValue", "ConnectivityType %s is not supported by the local EC2", ct)
	}
	allocationID, err := required(r.form, "AllocationId")
	if err != nil {
		return err
	}
	eip, err := lookup(s.addresses, r, allocationID, allocationNotFound)
	if err != nil {
		return err
	}
	if s.activeNATsInZone(r.region(), sn.az) >= s.quota(r.region(), quotaNATGatewaysPerAZ) {
		return errBadRequest("NatGatewayLimitExceeded", "Performing this operation would exceed the limit of %d NAT gateways", s.quota(r.region(), quotaNATGatewaysPerAZ))
	}
	nat := &natGateway{meta: s.newMeta("nat", r), subnetID: sn.id, vpcID: sn.vpcID, az: sn.az, allocationID: eip.id, state: natPending}
	if err := s.tagOnCreate(r, "natgateway", nat.id); err != nil {
		return err
	}
	eni, err := s.newNetworkInterface(r, sn, []string{}, "", "Interface for NAT Gateway "+nat.id)
	if err != nil {
		return err
	}
	eni.groups, eni.requesterManaged, eni.interfaceType = nil, true, "nat_gateway"
	nat.eniID = eni.id
	// AWS accepts the request and fails the gateway asynchronously.
	switch {
	case s.vpcInternetGateway(sn.vpcID) == nil:
		nat.failureCode = "Gateway.NotAttached"
		nat.failureMessage = "Network " + sn.vpcID + " has no Internet gateway attached"
	case eip.associationID != "":
		nat.failureCode = "Resource.AlreadyAssociated"
		nat.failureMessage = "Elastic IP address [" + eip.id + "] is already associated"
	default:
		s.mapAddress(eip, eni)
	}
	s.natGateways[nat.id] = nat
	s.rememberToken(r, nat.id)
	return s.respondNatGateway(w, r, nat)
}

func (s *Service) respondNatGateway(w http.ResponseWriter, r *request, nat *natGateway) error {
	return respond(w, r, struct {
		ClientToken string        `xml:"clientToken,omitempty"`
		NatGateway  natGatewayXML `xml:"natGateway"`
	}{r.form.Get("ClientToken"), s.natGatewayXML(nat)})
}

func (s *Service) activeNATsInZone(region, az string) int {
	n := 0
	for _, nat := range inRegion(s.natGateways, region) {
		if nat.az == az && (nat.state == natPending || nat.state == natAvailable) {
			n++
		}
	}
	return n
}

// advanceNATGateways moves gateways along pending → available|failed and
// deleting → deleted once the modelled latency has passed.
func (s *Service) advanceNATGateways(now time.Time) {
	for _, nat := range s.natGateways {
		switch {
		case nat.state == natPending && !now.Before(nat.created.Add(s.cfg.Latency.Wall(latency.NATGatewayAvailable))):
			if nat.failureCode != "" {
				nat.state = natFailed
				s.releaseNATInterface(nat)
			} else {
				nat.state = natAvailable
			}
		case nat.state == natDeleting && !now.Before(nat.deleteStarted.Add(s.cfg.Latency.Wall(latency.NATGatewayDeleted))):
			nat.state, nat.deleted = natDeleted, now
			s.releaseNATInterface(nat)
		}
	}
}

// releaseNATInterface frees the gateway's ENI, which also unmaps its Elastic IP.
func (s *Service) releaseNATInterface(nat *natGateway) {
	if eni, ok := s.enis[nat.eniID]; ok {
		s.removeNetworkInterface(eni)
	}
}

func (s *Service) deleteNatGateway(w http.ResponseWriter, r *request) error {
	nat, err := lookup(s.natGateways, r, r.form.Get("NatGatewayId"), natGatewayNotFound)
	if err != nil {
		return err
	}
	switch nat.state {
	case natPending, natAvailable:
		nat.state, nat.deleteStarted = natDeleting, r.now
	case natFailed:
		nat.state, nat.deleted = natDeleted, r.now
	}
	return respond(w, r, struct {
		NatGatewayID string `xml:"natGatewayId"`
	}{nat.id})
}

type natGatewayAddressXML struct {
	AllocationID       string `xml:"allocationId"`
	NetworkInterfaceID string `xml:"networkInterfaceId,omitempty"`
	PrivateIP          string `xml:"privateIp,omitempty"`
	PublicIP           string `xml:"publicIp,omitempty"`
	AssociationID      string `xml:"associationId,omitempty"`
	IsPrimary          bool   `xml:"isPrimary"`
	Status             string `xml:"status"`
}

type natGatewayXML struct {
	NatGatewayID     string                 `xml:"natGatewayId"`
	SubnetID         string                 `xml:"subnetId"`
	VpcID            string                 `xml:"vpcId"`
	State            string                 `xml:"state"`
	ConnectivityType string                 `xml:"connectivityType"`
	CreateTime       string                 `xml:"createTime"`
	DeleteTime       string                 `xml:"deleteTime,omitempty"`
	FailureCode      string                 `xml:"failureCode,omitempty"`
	FailureMessage   string                 `xml:"failureMessage,omitempty"`
	Addresses        []natGatewayAddressXML `xml:"natGatewayAddressSet>item"`
	Tags             []tagXML               `xml:"tagSet>item"`
}

func (s *Service) natGatewayXML(nat *natGateway) natGatewayXML {
	out := natGatewayXML{NatGatewayID: nat.id, SubnetID: nat.subnetID, VpcID: nat.vpcID, State: nat.state,
		ConnectivityType: "public", CreateTime: isoTime(nat.created), DeleteTime: isoTime(nat.deleted), Tags: s.tagSet(nat.id)}
	if nat.state == natFailed {
		out.FailureCode, out.FailureMessage = nat.failureCode, nat.failureMessage
	}
	addr := natGatewayAddressXML{AllocationID: nat.allocationID, IsPrimary: true, Status: "succeeded"}
	switch nat.state {
	case natPending:
		addr.Status = "associating"
	case natDeleting:
		addr.Status = "disassociating"
	case natFailed:
		addr.Status = "failed"
	}
	if eni, ok := s.enis[nat.eniID]; ok {
		addr.NetworkInterfaceID, addr.PrivateIP = eni.id, eni.privateIP
		if eni.allocationID == nat.allocationID {
			addr.PublicIP, addr.AssociationID = eni.publicIP, s.addresses[eni.allocationID].associationID
		}
	}
	out.Addresses = []natGatewayAddressXML{addr}
	return out
}

func (s *Service) natGatewayAttr(nat *natGateway, name string) ([]string, bool) {
	switch name {
	case "nat-gateway-id":
		return one(nat.id), true
	case "state":
		return one(nat.state), true
	case "subnet-id":
		return one(nat.subnetID), true
	case "vpc-id":
		return one(nat.vpcID), true
	}
	return nil, false
}

func (s *Service) describeNatGateways(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.natGateways, describeSpec[*natGateway]{"NatGatewayId", natGatewayNotFound, s.natGatewayAttr}, "natGatewaySet", s.natGatewayXML)
}
