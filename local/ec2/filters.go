package ec2

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
)

// filter is one Filter.N of a Describe call: the resource matches when the
// named attribute has any of the values (values may hold * and ? wildcards).
type filter struct {
	name   string
	values []*regexp.Regexp
}

func parseFilters(r *request) []filter {
	var out []filter
	for _, f := range structList(r.form, "Filter") {
		flt := filter{name: f.Get("Name")}
		for _, v := range listParam(f, "Value") {
			flt.values = append(flt.values, wildcard(v))
		}
		out = append(out, flt)
	}
	return out
}

// wildcard compiles an EC2 filter value: * is any run of characters, ? one.
func wildcard(v string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, c := range v {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// attrFunc returns the values a resource has for one filter name; false
// means the filter name is not valid for the resource kind.
type attrFunc[T any] func(item T, name string) ([]string, bool)

// describeSpec is what describe needs to know about one resource kind.
type describeSpec[T record] struct {
	idParam  string // e.g. VpcId: the list parameter naming resources
	notFound func(id string) error
	attr     attrFunc[T]
}

// describe selects the caller's region's resources named by the id list
// (every one must exist) and matching every filter.
func describe[T record](s *Service, r *request, all map[string]T, spec describeSpec[T]) ([]T, error) {
	items := inRegion(all, r.region())
	if ids := listParam(r.form, spec.idParam); len(ids) > 0 {
		wanted := map[string]bool{}
		for _, id := range ids {
			if _, err := lookup(all, r, id, spec.notFound); err != nil {
				return nil, err
			}
			wanted[id] = true
		}
		items = keep(items, func(v T) bool { return wanted[v.base().id] })
	}
	filters := parseFilters(r)
	var out []T
	for _, item := range items {
		ok, err := matches(s, item, filters, spec.attr)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, item)
		}
	}
	return out, nil
}

func matches[T record](s *Service, item T, filters []filter, attr attrFunc[T]) (bool, error) {
	for _, f := range filters {
		values, ok := s.tagFilterValues(item.base().id, f.name)
		if !ok {
			values, ok = attr(item, f.name)
		}
		if !ok {
			return false, errBadRequest("InvalidParameterValue", "The filter '%s' is invalid", f.name)
		}
		if !anyMatch(f.values, values) {
			return false, nil
		}
	}
	return true, nil
}

// tagFilterValues answers the tag:<key>, tag-key and tag-value filters,
// which every resource kind supports.
func (s *Service) tagFilterValues(id, name string) ([]string, bool) {
	tags := s.tags[id]
	switch {
	case strings.HasPrefix(name, "tag:"):
		if v, ok := tags[name[len("tag:"):]]; ok {
			return []string{v}, true
		}
		return nil, true
	case name == "tag-key", name == "tag-value":
		var out []string
		for k, v := range tags {
			if name == "tag-key" {
				out = append(out, k)
			} else {
				out = append(out, v)
			}
		}
		return out, true
	}
	return nil, false
}

func anyMatch(patterns []*regexp.Regexp, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if p.MatchString(v) {
				return true
			}
		}
	}
	return false
}

func keep[T any](items []T, pred func(T) bool) []T {
	var out []T
	for _, v := range items {
		if pred(v) {
			out = append(out, v)
		}
	}
	return out
}

// one wraps a single attribute value; empty values match nothing.
func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// paginate applies MaxResults/NextToken; the token is the opaque offset.
func paginate[T any](r *request, items []T) ([]T, string, error) {
	start := 0
	if tok := r.form.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		n, convErr := strconv.Atoi(string(raw))
		if err != nil || convErr != nil || n < 0 || n > len(items) {
			return nil, "", errBadRequest("InvalidNextToken", "The token '%s' is invalid.", tok)
		}
		start = n
	}
	max, err := intParam(r.form, "MaxResults", 0)
	if err != nil {
		return nil, "", err
	}
	items = items[start:]
	if max <= 0 || max >= len(items) {
		return items, "", nil
	}
	next := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(start + max)))
	return items[:max], next, nil
}
