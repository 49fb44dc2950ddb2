package ec2

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

func init() {
	register(map[string]actionHandler{
		"CreateTags":   (*Service).createTags,
		"DeleteTags":   (*Service).deleteTags,
		"DescribeTags": (*Service).describeTags,
	})
}

// resourceTypes maps id prefixes to EC2's resource-type names.
var resourceTypes = map[string]string{
	"vpc": "vpc", "subnet": "subnet", "igw": "internet-gateway", "rtb": "route-table",
	"eipalloc": "elastic-ip", "nat": "natgateway", "sg": "security-group",
	"eni": "network-interface", "i": "instance", "vol": "volume", "key": "key-pair",
	"lt": "launch-template",
}

func resourceTypeOf(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return resourceTypes[id[:i]]
	}
	return ""
}

// tagOnCreate applies the TagSpecification.N entries whose ResourceType is
// resourceType, as AWS does when tagging at creation.
func (s *Service) tagOnCreate(r *request, resourceType, id string) error {
	for _, spec := range structList(r.form, "TagSpecification") {
		if spec.Get("ResourceType") != resourceType {
			continue
		}
		if err := s.setTags(id, structList(spec, "Tag")); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) setTags(id string, tags []url.Values) error {
	for _, t := range tags {
		key := first(t["Key"])
		if key == "" {
			return errBadRequest("InvalidParameterValue", "Tag keys must not be empty")
		}
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return errBadRequest("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		}
		if s.tags[id] == nil {
			s.tags[id] = map[string]string{}
		}
		s.tags[id][key] = first(t["Value"])
	}
	return nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// exists reports whether id names a live resource of the caller's region.
func (s *Service) exists(r *request, id string) bool {
	var m *meta
	switch resourceTypeOf(id) {
	case "vpc":
		m = metaOf(s.vpcs, id)
	case "subnet":
		m = metaOf(s.subnets, id)
	case "internet-gateway":
		m = metaOf(s.internetGWs, id)
	case "route-table":
		m = metaOf(s.routeTables, id)
	case "elastic-ip":
		m = metaOf(s.addresses, id)
	case "natgateway":
		m = metaOf(s.natGateways, id)
	case "security-group":
		m = metaOf(s.securityGroups, id)
	case "network-interface":
		m = metaOf(s.enis, id)
	case "instance":
		m = metaOf(s.instances, id)
	case "volume":
		m = metaOf(s.volumes, id)
	case "key-pair":
		m = metaOf(s.keyPairs, id)
	case "launch-template":
		m = metaOf(s.launchTemplates, id)
	}
	return m != nil && m.region == r.region()
}

func metaOf[T record](all map[string]T, id string) *meta {
	if v, ok := all[id]; ok {
		return v.base()
	}
	return nil
}

func (s *Service) createTags(w http.ResponseWriter, r *request) error {
	ids := listParam(r.form, "ResourceId")
	if len(ids) == 0 {
		return errMissing("ResourceId")
	}
	for _, id := range ids {
		if !s.exists(r, id) {
			return errBadRequest("InvalidID", "The ID '%s' is not valid", id)
		}
	}
	for _, id := range ids {
		if err := s.setTags(id, structList(r.form, "Tag")); err != nil {
			return err
		}
	}
	return respondTrue(w, r)
}

func (s *Service) deleteTags(w http.ResponseWriter, r *request) error {
	ids := listParam(r.form, "ResourceId")
	if len(ids) == 0 {
		return errMissing("ResourceId")
	}
	tags := structList(r.form, "Tag")
	for _, id := range ids {
		if len(tags) == 0 { // no Tag list: delete every tag
			delete(s.tags, id)
			continue
		}
		for _, t := range tags {
			key, value := first(t["Key"]), t["Value"]
			// A given value deletes the tag only when it matches.
			if len(value) == 0 || s.tags[id][key] == value[0] {
				delete(s.tags[id], key)
			}
		}
	}
	return respondTrue(w, r)
}

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

func (s *Service) describeTags(w http.ResponseWriter, r *request) error {
	var all []tagDescriptionXML
	for id, tags := range s.tags {
		if !s.exists(r, id) {
			continue
		}
		for k, v := range tags {
			all = append(all, tagDescriptionXML{id, resourceTypeOf(id), k, v})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].ResourceID != all[j].ResourceID {
			return all[i].ResourceID < all[j].ResourceID
		}
		return all[i].Key < all[j].Key
	})
	var out []tagDescriptionXML
	for _, t := range all {
		ok := true
		for _, f := range parseFilters(r) {
			var v string
			switch f.name {
			case "key":
				v = t.Key
			case "value":
				v = t.Value
			case "resource-id":
				v = t.ResourceID
			case "resource-type":
				v = t.ResourceType
			default:
				return errBadRequest("InvalidParameterValue", "The filter '%s' is invalid", f.name)
			}
			ok = ok && anyMatch(f.values, []string{v})
		}
		if ok {
			out = append(out, t)
		}
	}
	page, next, err := paginate(r, out)
	if err != nil {
		return err
	}
	return respond(w, r, struct {
		Tags      []tagDescriptionXML `xml:"tagSet>item"`
		NextToken string              `xml:"nextToken,omitempty"`
	}{page, next})
}
