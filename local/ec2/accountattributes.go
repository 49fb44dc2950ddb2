package ec2

import (
	"net/http"
	"strconv"
)

func init() {
	register(map[string]actionHandler{"DescribeAccountAttributes": (*Service).describeAccountAttributes})
}

type accountAttributeXML struct {
	Name   string   `xml:"attributeName"`
	Values []string `xml:"attributeValueSet>item>attributeValue"`
}

func (s *Service) describeAccountAttributes(w http.ResponseWriter, r *request) error {
	eips := strconv.Itoa(s.quota(r.region(), quotaElasticIPs))
	all := []accountAttributeXML{
		{"supported-platforms", []string{"VPC"}},
		{"default-vpc", []string{"none"}},
		{attributeMaxElasticIPs, []string{eips}},
		{"vpc-max-elastic-ips", []string{eips}},
		{"max-instances", []string{strconv.Itoa(s.quota(r.region(), quotaOnDemandStdVCPUs))}},
		{"vpc-max-security-groups-per-interface", []string{"5"}},
	}
	if names := listParam(r.form, "AttributeName"); len(names) > 0 {
		wanted := map[string]bool{}
		for _, n := range names {
			wanted[n] = true
		}
		all = keep(all, func(a accountAttributeXML) bool { return wanted[a.Name] })
	}
	return respond(w, r, itemSet[accountAttributeXML]{setName: "accountAttributeSet", items: all})
}
