package ec2

import (
	"net/http"
	"strconv"
)

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type groupPairXML struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type ipPermissionXML struct {
	IPProtocol string         `xml:"ipProtocol"`
	FromPort   *int           `xml:"fromPort,omitempty"`
	ToPort     *int           `xml:"toPort,omitempty"`
	Groups     []groupPairXML `xml:"groups>item"`
	IPRanges   []ipRangeXML   `xml:"ipRanges>item"`
}

type securityGroupXML struct {
	OwnerID          string            `xml:"ownerId"`
	GroupID          string            `xml:"groupId"`
	GroupName        string            `xml:"groupName"`
	GroupDescription string            `xml:"groupDescription"`
	VpcID            string            `xml:"vpcId"`
	Arn              string            `xml:"securityGroupArn"`
	Ingress          []ipPermissionXML `xml:"ipPermissions>item"`
	Egress           []ipPermissionXML `xml:"ipPermissionsEgress>item"`
	Tags             []tagXML          `xml:"tagSet>item"`
}

type securityGroupRuleXML struct {
	RuleID          string `xml:"securityGroupRuleId"`
	GroupID         string `xml:"groupId"`
	GroupOwnerID    string `xml:"groupOwnerId"`
	IsEgress        bool   `xml:"isEgress"`
	IPProtocol      string `xml:"ipProtocol"`
	FromPort        int    `xml:"fromPort"`
	ToPort          int    `xml:"toPort"`
	CidrIPv4        string `xml:"cidrIpv4,omitempty"`
	ReferencedGroup string `xml:"referencedGroupInfo>groupId,omitempty"`
	Description     string `xml:"description,omitempty"`
}

func (s *Service) securityGroupRuleXML(sg *securityGroup, rule sgRule, egress bool) securityGroupRuleXML {
	return securityGroupRuleXML{rule.id, sg.id, s.cfg.AccountID, egress, rule.protocol, rule.fromPort, rule.toPort, rule.cidr, rule.peerGroupID, rule.description}
}

// permissionsXML regroups normalised rules into IpPermissions, one per
// protocol and port range, in first-seen order.
func (s *Service) permissionsXML(rules []sgRule) []ipPermissionXML {
	var out []ipPermissionXML
	index := map[[3]string]int{}
	for _, rule := range rules {
		key := [3]string{rule.protocol, strconv.Itoa(rule.fromPort), strconv.Itoa(rule.toPort)}
		i, ok := index[key]
		if !ok {
			perm := ipPermissionXML{IPProtocol: rule.protocol}
			if rule.protocol != "-1" {
				from, to := rule.fromPort, rule.toPort
				perm.FromPort, perm.ToPort = &from, &to
			}
			out = append(out, perm)
			i = len(out) - 1
			index[key] = i
		}
		if rule.cidr != "" {
			out[i].IPRanges = append(out[i].IPRanges, ipRangeXML{rule.cidr, rule.description})
		} else {
			out[i].Groups = append(out[i].Groups, groupPairXML{s.cfg.AccountID, rule.peerGroupID, rule.description})
		}
	}
	return out
}

func (s *Service) securityGroupXML(sg *securityGroup) securityGroupXML {
	return securityGroupXML{OwnerID: s.cfg.AccountID, GroupID: sg.id, GroupName: sg.name, GroupDescription: sg.description,
		VpcID: sg.vpcID, Arn: s.securityGroupArn(sg), Ingress: s.permissionsXML(sg.ingress), Egress: s.permissionsXML(sg.egress),
		Tags: s.tagSet(sg.id)}
}

// ruleValues lists one attribute over a rule set, for ip-permission.* filters.
func ruleValues(rules []sgRule, attr func(sgRule) string) []string {
	var out []string
	for _, rule := range rules {
		out = append(out, attr(rule))
	}
	return out
}

func (s *Service) securityGroupAttr(sg *securityGroup, name string) ([]string, bool) {
	ruleAttrs := map[string]func(sgRule) string{
		"cidr":      func(r sgRule) string { return r.cidr },
		"from-port": func(r sgRule) string { return strconv.Itoa(r.fromPort) },
		"to-port":   func(r sgRule) string { return strconv.Itoa(r.toPort) },
		"protocol":  func(r sgRule) string { return r.protocol },
		"group-id":  func(r sgRule) string { return r.peerGroupID },
	}
	for suffix, attr := range ruleAttrs {
		switch name {
		case "ip-permission." + suffix:
			return ruleValues(sg.ingress, attr), true
		case "egress.ip-permission." + suffix:
			return ruleValues(sg.egress, attr), true
		}
	}
	switch name {
	case "group-id":
		return one(sg.id), true
	case "group-name":
		return one(sg.name), true
	case "vpc-id":
		return one(sg.vpcID), true
	case "description":
		return one(sg.description), true
	case "owner-id":
		return one(s.cfg.AccountID), true
	}
	return nil, false
}

func (s *Service) describeSecurityGroups(w http.ResponseWriter, r *request) error {
	if names := listParam(r.form, "GroupName"); len(names) > 0 {
		// Names are resolved to ids so that describe's NotFound check applies.
		for i, name := range names {
			r.form.Set("GroupName", name)
			sg, err := s.groupFromForm(r)
			if err != nil {
				return err
			}
			r.form.Set("GroupId."+strconv.Itoa(1000+i), sg.id)
		}
	}
	return describeList(s, w, r, s.securityGroups, describeSpec[*securityGroup]{"GroupId", securityGroupNotFound, s.securityGroupAttr}, "securityGroupInfo", s.securityGroupXML)
}
