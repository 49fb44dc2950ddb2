package ec2

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func init() {
	register(map[string]actionHandler{
		"CreateSecurityGroup":           (*Service).createSecurityGroup,
		"DeleteSecurityGroup":           (*Service).deleteSecurityGroup,
		"DescribeSecurityGroups":        (*Service).describeSecurityGroups,
		"AuthorizeSecurityGroupIngress": func(s *Service, w http.ResponseWriter, r *request) error { return s.changeRules(w, r, false, true) },
		"AuthorizeSecurityGroupEgress":  func(s *Service, w http.ResponseWriter, r *request) error { return s.changeRules(w, r, true, true) },
		"RevokeSecurityGroupIngress":    func(s *Service, w http.ResponseWriter, r *request) error { return s.changeRules(w, r, false, false) },
		"RevokeSecurityGroupEgress":     func(s *Service, w http.ResponseWriter, r *request) error { return s.changeRules(w, r, true, false) },
	})
}

// sgRule is one normalised permission: one protocol/port range and one peer
// (a CIDR or a group). IpPermissions are split into these and regrouped
// when rendered, which makes duplicate and revoke checks exact.
type sgRule struct {
	id          string
	protocol    string // tcp, udp, icmp or -1
	fromPort    int
	toPort      int
	cidr        string
	peerGroupID string
	description string
}

func (r sgRule) sameAs(o sgRule) bool {
	return r.protocol == o.protocol && r.fromPort == o.fromPort && r.toPort == o.toPort && r.cidr == o.cidr && r.peerGroupID == o.peerGroupID
}

type securityGroup struct {
	meta
	vpcID       string
	name        string
	description string
	ingress     []sgRule
	egress      []sgRule
}

var securityGroupNotFound = notFoundFunc("InvalidGroup.NotFound", "security group")

func (s *Service) newSecurityGroup(r *request, vpcID, name, description string) *securityGroup {
	sg := &securityGroup{meta: s.newMeta("sg", r), vpcID: vpcID, name: name, description: description,
		egress: []sgRule{{id: newID("sgr"), protocol: "-1", fromPort: -1, toPort: -1, cidr: "0.0.0.0/0"}}}
	s.securityGroups[sg.id] = sg
	return sg
}

func (s *Service) createSecurityGroup(w http.ResponseWriter, r *request) error {
	name, err := required(r.form, "GroupName")
	if err != nil {
		return err
	}
	description, err := required(r.form, "GroupDescription")
	if err != nil {
		return err
	}
	vpcID := r.form.Get("VpcId")
	if vpcID == "" {
		return errBadRequest("VPCIdNotSpecified", "No default VPC for this user")
	}
	if _, err := lookup(s.vpcs, r, vpcID, vpcNotFound); err != nil {
		return err
	}
	if strings.HasPrefix(name, "sg-") {
		return errBadRequest("InvalidParameterValue", "Group names may not be in the format sg-*")
	}
	for _, other := range s.securityGroups {
		if other.vpcID == vpcID && other.name == name {
			return errBadRequest("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
		}
	}
	sg := s.newSecurityGroup(r, vpcID, name, description)
	if err := s.tagOnCreate(r, "security-group", sg.id); err != nil {
		forget(s, s.securityGroups, sg.id)
		return err
	}
	return respond(w, r, struct {
		Return bool     `xml:"return"`
		ID     string   `xml:"groupId"`
		Arn    string   `xml:"securityGroupArn"`
		Tags   []tagXML `xml:"tagSet>item"`
	}{true, sg.id, s.securityGroupArn(sg), s.tagSet(sg.id)})
}

func (s *Service) securityGroupArn(sg *securityGroup) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", sg.region, s.cfg.AccountID, sg.id)
}

// groupFromForm resolves GroupId, or GroupName within the region.
func (s *Service) groupFromForm(r *request) (*securityGroup, error) {
	if id := r.form.Get("GroupId"); id != "" {
		return lookup(s.securityGroups, r, id, securityGroupNotFound)
	}
	name := r.form.Get("GroupName")
	if name == "" {
		return nil, errMissing("GroupId")
	}
	for _, sg := range inRegion(s.securityGroups, r.region()) {
		if sg.name == name {
			return sg, nil
		}
	}
	return nil, securityGroupNotFound(name)
}

func (s *Service) deleteSecurityGroup(w http.ResponseWriter, r *request) error {
	sg, err := s.groupFromForm(r)
	if err != nil {
		return err
	}
	if v, ok := s.vpcs[sg.vpcID]; ok && v.defaultGroup == sg.id {
		return errBadRequest("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", sg.id)
	}
	if s.groupInUse(sg.id) {
		return errDependency("resource %s has a dependent object", sg.id)
	}
	forget(s, s.securityGroups, sg.id)
	return respondTrue(w, r)
}

// groupInUse reports whether an ENI uses the group or another group's rule
// references it.
func (s *Service) groupInUse(id string) bool {
	for _, eni := range s.enis {
		for _, g := range eni.groups {
			if g == id {
				return true
			}
		}
	}
	for _, other := range s.securityGroups {
		if other.id == id {
			continue
		}
		for _, rule := range append(append([]sgRule{}, other.ingress...), other.egress...) {
			if rule.peerGroupID == id {
				return true
			}
		}
	}
	return false
}

// checkGroups verifies that every group exists in the VPC.
func (s *Service) checkGroups(r *request, vpcID string, ids []string) error {
	for _, id := range ids {
		sg, err := lookup(s.securityGroups, r, id, securityGroupNotFound)
		if err != nil {
			return err
		}
		if sg.vpcID != vpcID {
			return errBadRequest("InvalidParameter", "Security group %s and subnet belong to different networks.", id)
		}
	}
	return nil
}

func (s *Service) groupNames(ids []string) []string {
	var out []string
	for _, g := range s.groupSet(ids) {
		out = append(out, g.GroupName)
	}
	return out
}

// parsePermissions expands IpPermissions.N (or the legacy top-level
// IpProtocol/CidrIp form) into normalised rules.
func (s *Service) parsePermissions(r *request) ([]sgRule, error) {
	perms := structList(r.form, "IpPermissions")
	if len(perms) == 0 && r.form.Get("IpProtocol") != "" {
		legacy := url.Values{"IpProtocol": r.form["IpProtocol"], "FromPort": r.form["FromPort"], "ToPort": r.form["ToPort"], "IpRanges.1.CidrIp": r.form["CidrIp"]}
		perms = []url.Values{legacy}
	}
	var rules []sgRule
	for _, p := range perms {
		base, err := permissionBase(p)
		if err != nil {
			return nil, err
		}
		for _, ipr := range structList(p, "IpRanges") {
			rule := base
			cidr, err := parseCIDR("CidrIp", ipr.Get("CidrIp"))
			if err != nil {
				return nil, err
			}
			rule.cidr, rule.description = cidr.String(), ipr.Get("Description")
			rules = append(rules, rule)
		}
		for _, pair := range structList(p, "Groups") {
			rule := base
			if _, err := lookup(s.securityGroups, r, pair.Get("GroupId"), securityGroupNotFound); err != nil {
				return nil, err
			}
			rule.peerGroupID, rule.description = pair.Get("GroupId"), pair.Get("Description")
			rules = append(rules, rule)
		}
	}
	if len(rules) == 0 {
		return nil, errMissing("IpPermissions")
	}
	return rules, nil
}

func permissionBase(p url.Values) (sgRule, error) {
	protocols := map[string]string{"-1": "-1", "all": "-1", "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp"}
	raw := strings.ToLower(p.Get("IpProtocol"))
	proto, ok := protocols[raw]
	if n, err := strconv.Atoi(raw); !ok && err == nil && n >= 0 && n <= 255 {
		// AWS takes any IP protocol number (e.g. 4, IP-in-IP for CNIs);
		// ports do not apply to those.
		return sgRule{protocol: raw, fromPort: -1, toPort: -1}, nil
	}
	if !ok {
		return sgRule{}, errBadRequest("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", p.Get("IpProtocol"))
	}
	if proto == "-1" {
		return sgRule{protocol: proto, fromPort: -1, toPort: -1}, nil
	}
	from, err := intParam(p, "FromPort", -1)
	if err != nil {
		return sgRule{}, err
	}
	to, err := intParam(p, "ToPort", -1)
	if err != nil {
		return sgRule{}, err
	}
	return sgRule{protocol: proto, fromPort: from, toPort: to}, nil
}

func (r sgRule) String() string {
	peer := r.cidr
	if peer == "" {
		peer = r.peerGroupID
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, strings.ToUpper(r.protocol), r.fromPort, r.toPort)
}

// changeRules authorizes (add) or revokes rules of one direction.
func (s *Service) changeRules(w http.ResponseWriter, r *request, egress, add bool) error {
	sg, err := s.groupFromForm(r)
	if err != nil {
		return err
	}
	rules, err := s.parsePermissions(r)
	if err != nil {
		return err
	}
	target := &sg.ingress
	if egress {
		target = &sg.egress
	}
	for _, rule := range rules {
		found := indexOfRule(*target, rule) >= 0
		if add && found {
			return errBadRequest("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", rule)
		}
		if !add && !found {
			return errBadRequest("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		}
	}
	var created []securityGroupRuleXML
	for _, rule := range rules {
		if add {
			rule.id = newID("sgr")
			*target = append(*target, rule)
			created = append(created, s.securityGroupRuleXML(sg, rule, egress))
		} else {
			i := indexOfRule(*target, rule)
			*target = append((*target)[:i], (*target)[i+1:]...)
		}
	}
	return respond(w, r, struct {
		Return bool                   `xml:"return"`
		Rules  []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
	}{true, created})
}

func indexOfRule(rules []sgRule, rule sgRule) int {
	for i, existing := range rules {
		if existing.sameAs(rule) {
			return i
		}
	}
	return -1
}
