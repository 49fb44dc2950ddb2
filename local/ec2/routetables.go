package ec2

import (
	"net/http"
	"strconv"
)

func init() {
	register(map[string]actionHandler{
		"CreateRouteTable":       (*Service).createRouteTable,
		"DeleteRouteTable":       (*Service).deleteRouteTable,
		"DescribeRouteTables":    (*Service).describeRouteTables,
		"CreateRoute":            (*Service).createRoute,
		"ReplaceRoute":           (*Service).replaceRoute,
		"DeleteRoute":            (*Service).deleteRoute,
		"AssociateRouteTable":    (*Service).associateRouteTable,
		"DisassociateRouteTable": (*Service).disassociateRouteTable,
	})
}

type route struct {
	destination  string
	gatewayID    string // "local" for the VPC's own CIDR
	natGatewayID string
	origin       string // CreateRouteTable (implicit) or CreateRoute
}

type routeTableAssociation struct {
	id       string
	subnetID string
	main     bool
}

type routeTable struct {
	meta
	vpcID        string
	routes       []route
	associations []routeTableAssociation
}

var routeTableNotFound = notFoundFunc("InvalidRouteTableID.NotFound", "routeTable ID")

// newRouteTable creates a table with the VPC's local route; the main table
// carries the VPC's implicit main association.
func (s *Service) newRouteTable(r *request, v *vpc, main bool) *routeTable {
	rt := &routeTable{meta: s.newMeta("rtb", r), vpcID: v.id,
		routes: []route{{destination: v.cidr.String(), gatewayID: "local", origin: "CreateRouteTable"}}}
	if main {
		rt.associations = []routeTableAssociation{{id: newID("rtbassoc"), main: true}}
	}
	s.routeTables[rt.id] = rt
	return rt
}

func (s *Service) createRouteTable(w http.ResponseWriter, r *request) error {
	// CreateRouteTable takes a ClientToken on AWS: a resend after a lost
	// answer returns the first table instead of making a second one.
	if id, ok := s.idempotent(r); ok && s.routeTables[id] != nil {
		return s.respondRouteTable(w, r, s.routeTables[id])
	}
	v, err := lookup(s.vpcs, r, r.form.Get("VpcId"), vpcNotFound)
	if err != nil {
		return err
	}
	rt := s.newRouteTable(r, v, false)
	if err := s.tagOnCreate(r, "route-table", rt.id); err != nil {
		forget(s, s.routeTables, rt.id)
		return err
	}
	s.rememberToken(r, rt.id)
	return s.respondRouteTable(w, r, rt)
}

func (s *Service) respondRouteTable(w http.ResponseWriter, r *request, rt *routeTable) error {
	return respond(w, r, struct {
		RouteTable routeTableXML `xml:"routeTable"`
	}{s.routeTableXML(rt)})
}

func (s *Service) deleteRouteTable(w http.ResponseWriter, r *request) error {
	rt, err := lookup(s.routeTables, r, r.form.Get("RouteTableId"), routeTableNotFound)
	if err != nil {
		return err
	}
	if len(rt.associations) > 0 { // the main table always has its main association
		return errDependency("The routeTable '%s' has dependencies and cannot be deleted.", rt.id)
	}
	forget(s, s.routeTables, rt.id)
	return respondTrue(w, r)
}

// routeTarget reads and validates the target of CreateRoute/ReplaceRoute.
func (s *Service) routeTarget(r *request, rt *routeTable) (route, error) {
	rte := route{destination: r.form.Get("DestinationCidrBlock"), origin: "CreateRoute"}
	if rte.destination == "" {
		return route{}, errMissing("DestinationCidrBlock")
	}
	if _, err := parseCIDR("DestinationCidrBlock", rte.destination); err != nil {
		return route{}, err
	}
	switch {
	case r.form.Get("GatewayId") != "":
		gw, err := lookup(s.internetGWs, r, r.form.Get("GatewayId"), internetGatewayNotFound)
		if err != nil {
			return route{}, err
		}
		if gw.attachedVPC != rt.vpcID {
			return route{}, errBadRequest("InvalidParameterValue", "route table %s and network gateway %s belong to different networks", rt.id, gw.id)
		}
		rte.gatewayID = gw.id
	case r.form.Get("NatGatewayId") != "":
		nat, err := lookup(s.natGateways, r, r.form.Get("NatGatewayId"), natGatewayNotFound)
		if err != nil {
			return route{}, err
		}
		if nat.vpcID != rt.vpcID {
			return route{}, errBadRequest("InvalidParameterValue", "route table %s and NAT gateway %s belong to different networks", rt.id, nat.id)
		}
		rte.natGatewayID = nat.id
	default:
		return route{}, errMissing("GatewayId or NatGatewayId")
	}
	return rte, nil
}

func (rt *routeTable) routeIndex(destination string) int {
	for i, rte := range rt.routes {
		if rte.destination == destination {
			return i
		}
	}
	return -1
}

func errNoRoute(rt *routeTable, destination string) error {
	return errBadRequest("InvalidRoute.NotFound", "There is no route defined for '%s' in the route table %s", destination, rt.id)
}

func (s *Service) createRoute(w http.ResponseWriter, r *request) error {
	rt, err := lookup(s.routeTables, r, r.form.Get("RouteTableId"), routeTableNotFound)
	if err != nil {
		return err
	}
	rte, err := s.routeTarget(r, rt)
	if err != nil {
		return err
	}
	if rt.routeIndex(rte.destination) >= 0 {
		return errBadRequest("RouteAlreadyExists", "The route identified by %s already exists.", rte.destination)
	}
	rt.routes = append(rt.routes, rte)
	return respondTrue(w, r)
}

func (s *Service) replaceRoute(w http.ResponseWriter, r *request) error {
	rt, err := lookup(s.routeTables, r, r.form.Get("RouteTableId"), routeTableNotFound)
	if err != nil {
		return err
	}
	rte, err := s.routeTarget(r, rt)
	if err != nil {
		return err
	}
	i := rt.routeIndex(rte.destination)
	if i < 0 || rt.routes[i].gatewayID == "local" {
		return errNoRoute(rt, rte.destination)
	}
	rt.routes[i] = rte
	return respondTrue(w, r)
}

func (s *Service) deleteRoute(w http.ResponseWriter, r *request) error {
	rt, err := lookup(s.routeTables, r, r.form.Get("RouteTableId"), routeTableNotFound)
	if err != nil {
		return err
	}
	dest := r.form.Get("DestinationCidrBlock")
	i := rt.routeIndex(dest)
	if i < 0 {
		return errNoRoute(rt, dest)
	}
	if rt.routes[i].gatewayID == "local" {
		return errBadRequest("InvalidParameterValue", "cannot remove local route %s in route table %s", dest, rt.id)
	}
	rt.routes = append(rt.routes[:i], rt.routes[i+1:]...)
	return respondTrue(w, r)
}

func (s *Service) associateRouteTable(w http.ResponseWriter, r *request) error {
	rt, err := lookup(s.routeTables, r, r.form.Get("RouteTableId"), routeTableNotFound)
	if err != nil {
		return err
	}
	sn, err := lookup(s.subnets, r, r.form.Get("SubnetId"), subnetNotFound)
	if err != nil {
		return err
	}
	if sn.vpcID != rt.vpcID {
		return errBadRequest("InvalidParameterValue", "Route table %s and subnet %s belong to different networks", rt.id, sn.id)
	}
	for _, other := range s.routeTables {
		for _, a := range other.associations {
			if a.subnetID == sn.id {
				return errBadRequest("Resource.AlreadyAssociated", "the specified association for route table %s conflicts with an existing association", rt.id)
			}
		}
	}
	assoc := routeTableAssociation{id: newID("rtbassoc"), subnetID: sn.id}
	rt.associations = append(rt.associations, assoc)
	return respond(w, r, struct {
		AssociationID string `xml:"associationId"`
		State         string `xml:"associationState>state"`
	}{assoc.id, "associated"})
}

func (s *Service) disassociateRouteTable(w http.ResponseWriter, r *request) error {
	id := r.form.Get("AssociationId")
	for _, rt := range s.routeTables {
		if rt.region != r.region() {
			continue
		}
		for i, a := range rt.associations {
			if a.id != id {
				continue
			}
			if a.main {
				return errBadRequest("InvalidParameterValue", "cannot disassociate the main route table association %s", id)
			}
			rt.associations = append(rt.associations[:i], rt.associations[i+1:]...)
			return respondTrue(w, r)
		}
	}
	return errBadRequest("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

// dropSubnetAssociation forgets a deleted subnet's association.
func (rt *routeTable) dropSubnetAssociation(subnetID string) {
	rt.associations = keep(rt.associations, func(a routeTableAssociation) bool { return a.subnetID != subnetID })
}

// routeState is blackhole when the target is gone: a detached or deleted
// gateway, a deleted or failed NAT gateway.
func (s *Service) routeState(rt *routeTable, rte route) string {
	switch {
	case rte.gatewayID == "local":
		return "active"
	case rte.gatewayID != "":
		if gw, ok := s.internetGWs[rte.gatewayID]; ok && gw.attachedVPC == rt.vpcID {
			return "active"
		}
	case rte.natGatewayID != "":
		if nat, ok := s.natGateways[rte.natGatewayID]; ok && (nat.state == natPending || nat.state == natAvailable) {
			return "active"
		}
	}
	return "blackhole"
}

type routeXML struct {
	DestinationCidrBlock string `xml:"destinationCidrBlock"`
	GatewayID            string `xml:"gatewayId,omitempty"`
	NatGatewayID         string `xml:"natGatewayId,omitempty"`
	State                string `xml:"state"`
	Origin               string `xml:"origin"`
}

type routeTableAssociationXML struct {
	AssociationID string `xml:"routeTableAssociationId"`
	RouteTableID  string `xml:"routeTableId"`
	SubnetID      string `xml:"subnetId,omitempty"`
	Main          bool   `xml:"main"`
	State         string `xml:"associationState>state"`
}

type routeTableXML struct {
	RouteTableID string                     `xml:"routeTableId"`
	VpcID        string                     `xml:"vpcId"`
	OwnerID      string                     `xml:"ownerId"`
	Routes       []routeXML                 `xml:"routeSet>item"`
	Associations []routeTableAssociationXML `xml:"associationSet>item"`
	Tags         []tagXML                   `xml:"tagSet>item"`
}

func (s *Service) routeTableXML(rt *routeTable) routeTableXML {
	out := routeTableXML{RouteTableID: rt.id, VpcID: rt.vpcID, OwnerID: s.cfg.AccountID, Tags: s.tagSet(rt.id)}
	for _, rte := range rt.routes {
		out.Routes = append(out.Routes, routeXML{rte.destination, rte.gatewayID, rte.natGatewayID, s.routeState(rt, rte), rte.origin})
	}
	for _, a := range rt.associations {
		out.Associations = append(out.Associations, routeTableAssociationXML{a.id, rt.id, a.subnetID, a.main, "associated"})
	}
	return out
}

func (s *Service) routeTableAttr(rt *routeTable, name string) ([]string, bool) {
	var values []string
	switch name {
	case "route-table-id":
		return one(rt.id), true
	case "vpc-id":
		return one(rt.vpcID), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	case "association.route-table-id":
		if len(rt.associations) > 0 {
			return one(rt.id), true
		}
		return nil, true
	case "association.subnet-id", "association.route-table-association-id", "association.main":
		for _, a := range rt.associations {
			switch name {
			case "association.subnet-id":
				values = append(values, a.subnetID)
			case "association.route-table-association-id":
				values = append(values, a.id)
			default:
				values = append(values, strconv.FormatBool(a.main))
			}
		}
		return values, true
	case "route.destination-cidr-block", "route.gateway-id", "route.nat-gateway-id", "route.state", "route.origin":
		for _, rte := range rt.routes {
			values = append(values, map[string]string{
				"route.destination-cidr-block": rte.destination, "route.gateway-id": rte.gatewayID,
				"route.nat-gateway-id": rte.natGatewayID, "route.state": s.routeState(rt, rte), "route.origin": rte.origin,
			}[name])
		}
		return values, true
	}
	return nil, false
}

func (s *Service) describeRouteTables(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.routeTables, describeSpec[*routeTable]{"RouteTableId", routeTableNotFound, s.routeTableAttr}, "routeTableSet", s.routeTableXML)
}
