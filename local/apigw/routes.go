package apigw

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultRouteKey is the catch-all route API Gateway uses when no route
// matches.
const DefaultRouteKey = "$default"

// segment kinds, ordered by how specific API Gateway considers them: a
// literal beats a {param}, which beats a greedy {proxy+}.
const (
	segLiteral = iota
	segParam
	segGreedy
)

type segment struct {
	kind  int
	value string // literal text, or the parameter name
}

// route is one parsed route key such as "GET /v1/clusters/{id}".
type route struct {
	key    string
	method string // upper case, or "ANY"
	segs   []segment
}

func parseRoute(key string) (route, error) {
	method, path, ok := strings.Cut(strings.TrimSpace(key), " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return route{}, fmt.Errorf("route %q: want \"METHOD /path\"", key)
	}
	r := route{key: key, method: strings.ToUpper(method)}
	parts := splitPath(path)
	for n, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			if n != len(parts)-1 {
				return route{}, fmt.Errorf("route %q: greedy parameter must be last", key)
			}
			r.segs = append(r.segs, segment{segGreedy, p[1 : len(p)-2]})
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			r.segs = append(r.segs, segment{segParam, p[1 : len(p)-1]})
		default:
			r.segs = append(r.segs, segment{segLiteral, p})
		}
	}
	return r, nil
}

// splitPath splits a path into segments; "/" has none.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match reports whether method and escaped path hit the route, and the
// decoded path parameters if so.
func (r route) match(method, escapedPath string) (map[string]string, bool) {
	if r.method != "ANY" && r.method != method {
		return nil, false
	}
	parts := splitPath(escapedPath)
	params := map[string]string{}
	for n, s := range r.segs {
		if s.kind == segGreedy {
			if n >= len(parts) {
				return nil, false // a greedy parameter needs at least one segment
			}
			params[s.value] = unescape(strings.Join(parts[n:], "/"))
			return params, true
		}
		if n >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case segLiteral:
			if unescape(parts[n]) != s.value {
				return nil, false
			}
		case segParam:
			params[s.value] = unescape(parts[n])
		}
	}
	if len(parts) != len(r.segs) {
		return nil, false
	}
	return params, true
}

// moreSpecific orders two matching routes as API Gateway does: segment by
// segment, literal over parameter over greedy; then a method over ANY.
func (r route) moreSpecific(o route) bool {
	for n := 0; n < len(r.segs) && n < len(o.segs); n++ {
		if r.segs[n].kind != o.segs[n].kind {
			return r.segs[n].kind < o.segs[n].kind
		}
	}
	if len(r.segs) != len(o.segs) {
		return len(r.segs) > len(o.segs)
	}
	return r.method != "ANY" && o.method == "ANY"
}

// routeTable resolves a request to its route key and path parameters.
type routeTable []route

func newRouteTable(keys ...[]string) (routeTable, error) {
	var t routeTable
	seen := map[string]bool{}
	for _, list := range keys {
		for _, k := range list {
			if seen[k] {
				continue
			}
			seen[k] = true
			r, err := parseRoute(k)
			if err != nil {
				return nil, err
			}
			t = append(t, r)
		}
	}
	return t, nil
}

// lookup returns the best matching route key, or DefaultRouteKey with no
// parameters.
func (t routeTable) lookup(method, escapedPath string) (string, map[string]string) {
	var best *route
	var bestParams map[string]string
	for i := range t {
		params, ok := t[i].match(method, escapedPath)
		if ok && (best == nil || t[i].moreSpecific(*best)) {
			best, bestParams = &t[i], params
		}
	}
	if best == nil {
		return DefaultRouteKey, nil
	}
	if len(bestParams) == 0 {
		bestParams = nil // API Gateway omits pathParameters when there are none
	}
	return best.key, bestParams
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s // API Gateway passes malformed escapes through unchanged
}
