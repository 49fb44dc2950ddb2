package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// route is one API operation.
type route struct {
	method, path string
	public       bool // no JWT authorizer (the OpenAPI document)
	minRole      Role
	idempotent   bool // honours Idempotency-Key (mutations)
	handle       func(h *Handler, ctx context.Context, r *request) (response, error)
}

func (rt *route) key() string { return rt.method + " " + rt.path }

// routeTable is the single list of operations: the handler routes with it,
// and API Gateway (local and CDK) registers Routes() from it.
var routeTable = []*route{
	{method: "GET", path: "/v1/openapi.json", public: true, handle: (*Handler).getOpenAPI},
	{method: "POST", path: "/v1/cloudaccounts", minRole: RoleProjectAdmin, idempotent: true, handle: (*Handler).createCloudAccount},
	{method: "GET", path: "/v1/cloudaccounts", minRole: RoleViewer, handle: (*Handler).listCloudAccounts},
	{method: "GET", path: "/v1/cloudaccounts/externalid", minRole: RoleViewer, handle: (*Handler).getExternalID},
	{method: "GET", path: "/v1/cloudaccounts/{id}", minRole: RoleViewer, handle: (*Handler).getCloudAccount},
	{method: "DELETE", path: "/v1/cloudaccounts/{id}", minRole: RoleProjectAdmin, idempotent: true, handle: (*Handler).deleteCloudAccount},
	{method: "POST", path: "/v1/cloudaccounts/{id}/validate", minRole: RoleProjectEditor, handle: (*Handler).validateCloudAccount},
	// Reads the customer's account with its access, as validate does: editors.
	{method: "GET", path: "/v1/cloudaccounts/{id}/vpcs", minRole: RoleProjectEditor, handle: (*Handler).listCloudAccountVPCs},
	{method: "POST", path: "/v1/clusterprofiles", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).createClusterProfile},
	{method: "GET", path: "/v1/clusterprofiles", minRole: RoleViewer, handle: (*Handler).listClusterProfiles},
	{method: "GET", path: "/v1/clusterprofiles/{id}", minRole: RoleViewer, handle: (*Handler).getClusterProfile},
	{method: "POST", path: "/v1/clusters", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).createCluster},
	{method: "GET", path: "/v1/clusters", minRole: RoleViewer, handle: (*Handler).listClusters},
	{method: "GET", path: "/v1/clusters/{id}", minRole: RoleViewer, handle: (*Handler).getCluster},
	{method: "DELETE", path: "/v1/clusters/{id}", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).deleteCluster},
	// Force delete abandons resources in the customer's account: admins only.
	{method: "POST", path: "/v1/clusters/{id}/forcedelete", minRole: RoleProjectAdmin, idempotent: true, handle: (*Handler).forceDeleteCluster},
	{method: "POST", path: "/v1/clusters/{id}/retry", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).retryCluster},
	// Node pools (nodepools.go): mutations carry the cluster version.
	{method: "GET", path: "/v1/clusters/{id}/nodepools", minRole: RoleViewer, handle: (*Handler).listNodePools},
	{method: "POST", path: "/v1/clusters/{id}/nodepools", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).addNodePool},
	{method: "PATCH", path: "/v1/clusters/{id}/nodepools", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).patchNodePools},
	{method: "PATCH", path: "/v1/clusters/{id}/nodepools/{name}", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).patchNodePool},
	{method: "DELETE", path: "/v1/clusters/{id}/nodepools/{name}", minRole: RoleProjectEditor, idempotent: true, handle: (*Handler).deleteNodePool},
}

// Routes returns the API Gateway route keys ("GET /v1/cloudaccounts/{id}")
// of every operation the handler serves.
func Routes() []string {
	keys := make([]string, len(routeTable))
	for i, rt := range routeTable {
		keys[i] = rt.key()
	}
	return keys
}

// IsPublic reports whether a route key is served without the JWT
// authorizer.
func IsPublic(routeKey string) bool {
	for _, rt := range routeTable {
		if rt.key() == routeKey {
			return rt.public
		}
	}
	return false
}

// match finds the route for an event: by RouteKey when API Gateway matched
// one, else by method and path (a $default route or a local gateway).
func match(ev *events.APIGatewayV2HTTPRequest) (*route, map[string]string, error) {
	for _, rt := range routeTable {
		if ev.RouteKey == rt.key() {
			if len(ev.PathParameters) > 0 {
				return rt, ev.PathParameters, nil
			}
			return rt, pathParams(rt.path, requestPath(ev)), nil
		}
	}
	method, path := ev.RequestContext.HTTP.Method, requestPath(ev)
	var best *route
	var bestParams map[string]string
	bestLiterals, pathMatched := -1, false
	for _, rt := range routeTable {
		params, literals, ok := matchPath(rt.path, path)
		if !ok {
			continue
		}
		pathMatched = true
		// A literal segment beats a parameter, as in API Gateway:
		// /cloudaccounts/externalid is not /cloudaccounts/{id}.
		if rt.method == method && literals > bestLiterals {
			best, bestParams, bestLiterals = rt, params, literals
		}
	}
	switch {
	case best != nil:
		return best, bestParams, nil
	case pathMatched:
		return nil, nil, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: method + " is not allowed on " + path}
	default:
		return nil, nil, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no route for " + method + " " + path}
	}
}

func requestPath(ev *events.APIGatewayV2HTTPRequest) string {
	if ev.RawPath != "" {
		return ev.RawPath
	}
	return ev.RequestContext.HTTP.Path
}

// matchPath matches a path against a template with {param} segments.
func matchPath(template, path string) (params map[string]string, literals int, ok bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, 0, false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return nil, 0, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[t[1:len(t)-1]] = ps[i]
			continue
		}
		if t != ps[i] {
			return nil, 0, false
		}
		literals++
	}
	return params, literals, true
}

func pathParams(template, path string) map[string]string {
	params, _, _ := matchPath(template, path)
	return params
}
