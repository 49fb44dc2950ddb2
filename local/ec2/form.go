package ec2

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// EC2's query dialect flattens lists as Name.N and structures as
// Name.N.Member; these helpers turn that back into slices so handlers never
// count indexes themselves.

// listParam returns the values of Name.1, Name.2, … in index order.
func listParam(form url.Values, name string) []string {
	type entry struct {
		n int
		v string
	}
	var entries []entry
	prefix := name + "."
	for k, vs := range form {
		if !strings.HasPrefix(k, prefix) || len(vs) == 0 {
			continue
		}
		n, err := strconv.Atoi(k[len(prefix):])
		if err != nil {
			continue
		}
		entries = append(entries, entry{n, vs[0]})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].n < entries[j].n })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.v
	}
	return out
}

// structList returns one sub-form per Name.N.*, keyed by the part after N.
func structList(form url.Values, name string) []url.Values {
	groups := map[int]url.Values{}
	prefix := name + "."
	for k, vs := range form {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:dot])
		if err != nil {
			continue
		}
		if groups[n] == nil {
			groups[n] = url.Values{}
		}
		groups[n][rest[dot+1:]] = vs
	}
	keys := make([]int, 0, len(groups))
	for n := range groups {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	out := make([]url.Values, len(keys))
	for i, n := range keys {
		out[i] = groups[n]
	}
	return out
}

// subStruct returns the members of Name.* as a form of their own.
func subStruct(form url.Values, name string) url.Values {
	out := url.Values{}
	prefix := name + "."
	for k, vs := range form {
		if strings.HasPrefix(k, prefix) {
			out[k[len(prefix):]] = vs
		}
	}
	return out
}

// boolParam reads a boolean; set is false when the parameter is absent.
func boolParam(form url.Values, name string) (value, set bool) {
	v := form.Get(name)
	if v == "" {
		return false, false
	}
	return strings.EqualFold(v, "true"), true
}

// intParam reads an integer, def when absent.
func intParam(form url.Values, name string, def int) (int, error) {
	v := form.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errBadRequest("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected an integer.", v, name)
	}
	return n, nil
}
