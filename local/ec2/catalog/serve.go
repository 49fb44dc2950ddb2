package catalog

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// ec2Namespace is the XML namespace of every EC2 response.
const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// reply is what an action answers: one list (EC2 wraps each element in
// <item>) under setName, and a token when more pages remain.
type reply struct {
	setName   string
	items     any // a slice of XML item structs
	nextToken string
}

type action func(*Catalog, *request) (reply, error)

// actions are the read-only catalogue actions ServeAction answers.
var actions = map[string]action{
	"DescribeRegions":               (*Catalog).describeRegions,
	"DescribeAvailabilityZones":     (*Catalog).describeAvailabilityZones,
	"DescribeImages":                (*Catalog).describeImages,
	"DescribeInstanceTypes":         (*Catalog).describeInstanceTypes,
	"DescribeInstanceTypeOfferings": (*Catalog).describeInstanceTypeOfferings,
	"DescribeSpotPriceHistory":      (*Catalog).describeSpotPriceHistory,
}

// ServeAction answers a read-only catalog action; false if action is not one.
// Spot prices are read at call.Time (the router's request time), or now.
func (c *Catalog) ServeAction(w http.ResponseWriter, call awsproto.Call, form url.Values) bool {
	act, ok := actions[call.Action]
	if !ok {
		return false
	}
	if call.Protocol == "" {
		call.Protocol = awsproto.ProtocolEC2Query // errors must use EC2's shape
	}
	if call.RequestID == "" {
		call.RequestID = awsproto.NewRequestID()
	}
	if form.Get("DryRun") == "true" {
		// What EC2 answers when the caller may perform the action; IAM
		// enforcement happens in the router before we are reached.
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusPreconditionFailed, "DryRunOperation",
			"Request would have succeeded, but DryRun flag is set."))
		return true
	}
	rep, err := act(c, &request{call: call, form: form})
	if err != nil {
		awsproto.WriteError(w, call, fmt.Errorf("%s: %w", call.Action, err))
		return true
	}
	w.Header().Set("X-Amzn-RequestId", call.RequestID)
	awsproto.WriteXML(w, listResponse{
		XMLName:   xml.Name{Local: call.Action + "Response"},
		Xmlns:     ec2Namespace,
		RequestID: call.RequestID,
		Set:       itemSet{XMLName: xml.Name{Local: rep.setName}, Items: rep.items},
		NextToken: rep.nextToken,
	})
	return true
}

type listResponse struct {
	XMLName   xml.Name
	Xmlns     string  `xml:"xmlns,attr"`
	RequestID string  `xml:"requestId"`
	Set       itemSet // named by its XMLName
	NextToken string  `xml:"nextToken,omitempty"`
}

type itemSet struct {
	XMLName xml.Name
	Items   any `xml:"item"`
}

// request wraps the form of one call with EC2 query-parameter readers.
type request struct {
	call awsproto.Call
	form url.Values
}

func invalidParam(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

// region is the region the request was signed for; catalogue actions other
// than DescribeRegions only make sense in one of ours.
func (c *Catalog) region(rq *request) (*region, error) {
	if r := c.regions[rq.call.Region]; r != nil {
		return r, nil
	}
	return nil, invalidParam("The region '%s' is not served by the local cloud (regions: %s).",
		rq.call.Region, strings.Join(Regions(), ", "))
}

// now is the time spot prices are read at.
func (rq *request) now() time.Time {
	if rq.call.Time.IsZero() {
		return time.Now()
	}
	return rq.call.Time
}

// list reads an EC2 query list: Name.1, Name.2, … in index order.
func (rq *request) list(name string) []string {
	return indexed(rq.form, name+".", func(key string) (string, bool) {
		return rq.form.Get(key), true
	})
}

// indexed collects name.N[suffix] values ordered by N; each key may map to
// something other than a plain value (filters map to a Name and Values).
func indexed[T any](form url.Values, prefix string, get func(key string) (T, bool)) []T {
	type entry struct {
		n int
		v T
	}
	var entries []entry
	for key := range form {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(digits)
		if err != nil || slices.ContainsFunc(entries, func(e entry) bool { return e.n == n }) {
			continue
		}
		if v, ok := get(prefix + digits); ok {
			entries = append(entries, entry{n, v})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.n - b.n })
	out := make([]T, len(entries))
	for i, e := range entries {
		out[i] = e.v
	}
	return out
}

// filter is one Filter.N of a Describe call: it matches when any value
// matches (values may use EC2's * and ? wildcards).
type filter struct {
	name   string
	values []string
}

func (rq *request) filters() []filter {
	return indexed(rq.form, "Filter.", func(key string) (filter, bool) {
		name := rq.form.Get(key + ".Name")
		return filter{name: name, values: rq.list(key + ".Value")}, name != ""
	})
}

// filterSet names the filters an action supports and how to read each
// filter's attribute values from an item.
type filterSet[T any] map[string]func(T) []string

// apply keeps the items that match every filter (EC2 ANDs filters, ORs
// values). An unknown filter name is an error, as on EC2.
func (fs filterSet[T]) apply(items []T, filters []filter) ([]T, error) {
	for _, f := range filters {
		if fs[f.name] == nil {
			return nil, invalidParam("The filter '%s' is invalid", f.name)
		}
	}
	return slices.DeleteFunc(items, func(it T) bool {
		for _, f := range filters {
			if !anyMatch(f.values, fs[f.name](it)) {
				return true
			}
		}
		return false
	}), nil
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if wildcardMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch implements EC2 filter wildcards: * any run, ? one character,
// backslash escapes. Unlike path.Match, * crosses "/" (image names have them).
func wildcardMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

// page cuts one page out of items using MaxResults and NextToken; the token
// is an opaque offset, as opaque as EC2's.
func page[T any](rq *request, items []T, defaultMax int) ([]T, string, error) {
	maxResults := defaultMax
	if s := rq.form.Get("MaxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, "", invalidParam("Value (%s) for parameter maxResults is invalid.", s)
		}
		maxResults = n
	}
	offset := 0
	if tok := rq.form.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		digits, ok := strings.CutPrefix(string(raw), "offset:")
		n, convErr := strconv.Atoi(digits)
		if err != nil || !ok || convErr != nil || n < 0 || n > len(items) {
			return nil, "", awsproto.Errorf(http.StatusBadRequest, "InvalidNextToken", "The token '%s' is invalid.", tok)
		}
		offset = n
	}
	end := min(offset+maxResults, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[offset:end], next, nil
}

// timeParam reads an ISO 8601 timestamp (SDKs send RFC 3339, with or without
// fractional seconds); zero when absent.
func (rq *request) timeParam(name string) (time.Time, error) {
	s := rq.form.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil { // epoch seconds
		return time.Unix(0, int64(secs*1e9)).UTC(), nil
	}
	return time.Time{}, invalidParam("Value (%s) for parameter %s is invalid. Expected an ISO 8601 timestamp.", s, name)
}

// unknown reports the requested names that known does not contain.
func unknown(requested []string, known func(string) bool) []string {
	var out []string
	for _, r := range requested {
		if !known(r) {
			out = append(out, r)
		}
	}
	return out
}

func boolStr(b bool) string { return strconv.FormatBool(b) }
