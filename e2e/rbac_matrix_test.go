package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
	"github.com/clusterforge/clusterforge/shared/api"
)

// Roles in rising order of power: a route admits its minimum and above.
var roleRank = map[string]int{"viewer": 1, "project-editor": 2, "project-admin": 3, "tenant-admin": 4}

// routeRule is the expected behaviour of one route: who may call it, what
// success answers, and whether success changes the object it names (then
// each allowed caller gets an object of its own).
type routeRule struct {
	minRole     string // "" for public routes
	ok          int
	consumes    bool
	foreignPost int // a create by another tenant/project naming the owner's objects
}

// rbacRules is the authorization contract, one row per route of
// api.Routes(); a new route fails the test until it has a row.
var rbacRules = map[string]routeRule{
	"GET /v1/openapi.json":                 {ok: http.StatusOK},
	"POST /v1/cloudaccounts":               {minRole: "project-admin", ok: http.StatusCreated},
	"GET /v1/cloudaccounts":                {minRole: "viewer", ok: http.StatusOK},
	"GET /v1/cloudaccounts/externalid":     {minRole: "viewer", ok: http.StatusOK},
	"GET /v1/cloudaccounts/{id}":           {minRole: "viewer", ok: http.StatusOK},
	"DELETE /v1/cloudaccounts/{id}":        {minRole: "project-admin", ok: http.StatusNoContent, consumes: true},
	"POST /v1/cloudaccounts/{id}/validate": {minRole: "project-editor", ok: http.StatusOK},
	"POST /v1/clusterprofiles":             {minRole: "project-editor", ok: http.StatusCreated},
	"GET /v1/clusterprofiles":              {minRole: "viewer", ok: http.StatusOK},
	"GET /v1/clusterprofiles/{id}":         {minRole: "viewer", ok: http.StatusOK},
	"POST /v1/clusters":                    {minRole: "project-editor", ok: http.StatusAccepted, foreignPost: http.StatusNotFound},
	"GET /v1/clusters":                     {minRole: "viewer", ok: http.StatusOK},
	"GET /v1/clusters/{id}":                {minRole: "viewer", ok: http.StatusOK},
	"DELETE /v1/clusters/{id}":             {minRole: "project-editor", ok: http.StatusAccepted, consumes: true},
	// A Failed cluster is not in a deletion: force delete is locked (409)
	// for admins and forbidden (403) for everyone else.
	"POST /v1/clusters/{id}/forcedelete": {minRole: "project-admin", ok: http.StatusConflict},
	"POST /v1/clusters/{id}/retry":       {minRole: "project-editor", ok: http.StatusAccepted, consumes: true},
	// Node pools change only on a Running cluster: on the Failed fixture a
	// caller who may change them gets the state conflict.
	"GET /v1/clusters/{id}/nodepools":           {minRole: "viewer", ok: http.StatusOK},
	"POST /v1/clusters/{id}/nodepools":          {minRole: "project-editor", ok: http.StatusConflict},
	"PATCH /v1/clusters/{id}/nodepools":         {minRole: "project-editor", ok: http.StatusConflict},
	"PATCH /v1/clusters/{id}/nodepools/{name}":  {minRole: "project-editor", ok: http.StatusConflict},
	"DELETE /v1/clusters/{id}/nodepools/{name}": {minRole: "project-editor", ok: http.StatusConflict},
	// Reads the customer's account like validate; without a region query an
	// allowed caller gets the validation error.
	"GET /v1/cloudaccounts/{id}/vpcs": {minRole: "project-editor", ok: http.StatusBadRequest},
}

// rbacCaller is one column of the matrix.
type rbacCaller struct {
	name    string
	token   string
	rank    int  // 0: not authenticated
	foreign bool // another tenant or project: the owner's objects do not exist for it
}

// expect is the status a caller gets from a route, by the API's rules:
// public routes answer everyone; then authentication (401); then the
// role (403); then another scope's objects are invisible (404).
func (r routeRule) expect(key string, c rbacCaller) int {
	switch {
	case r.minRole == "":
		return r.ok
	case c.rank == 0:
		return http.StatusUnauthorized
	case c.rank < roleRank[r.minRole]:
		return http.StatusForbidden
	case c.foreign && strings.Contains(key, "{id}"):
		return http.StatusNotFound
	case c.foreign && r.foreignPost != 0:
		return r.foreignPost
	}
	return r.ok
}

// rbacFixture owns what the routes name: an account whose customer has no
// `ops` key pair, so its clusters fail in preflight without creating
// anything, and a profile.
type rbacFixture struct {
	owner              *client
	accountID, profile string
	seq                int
}

func (f *rbacFixture) account(t *testing.T) string {
	f.seq++
	acc := createAccount(t, f.owner, secretAccount(fmt.Sprintf("rbac-%d", f.seq)))
	return acc.ID
}

// failedCluster creates a cluster and waits for its preflight to fail.
func (f *rbacFixture) failedCluster(t *testing.T) string {
	f.seq++
	var c clusterView
	f.owner.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", f.clusterBody(), &c)
	f.waitFailed(t, c.ID)
	return c.ID
}

func (f *rbacFixture) clusterBody() map[string]any {
	f.seq++
	return harness.ExampleCluster(fmt.Sprintf("rbac-%d", f.seq), f.accountID, f.profile)
}

func (f *rbacFixture) waitFailed(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var c clusterView
		f.owner.must(t, http.StatusOK, http.MethodGet, "/v1/clusters/"+id, nil, &c)
		if c.Status == "Failed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fixture cluster %s is %s, want Failed", id, c.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (f *rbacFixture) version(t *testing.T, id string) int {
	var c clusterView
	f.owner.must(t, http.StatusOK, http.MethodGet, "/v1/clusters/"+id, nil, &c)
	return c.Version
}

// request builds the path and body of a route for one caller: objects of
// its own for routes that consume them, the shared ones otherwise.
func (f *rbacFixture) request(t *testing.T, key string, fresh bool, sharedCluster string) (method, path string, body any) {
	method, path, _ = strings.Cut(key, " ")
	switch {
	case strings.HasPrefix(path, "/v1/cloudaccounts/{id}"):
		id := f.accountID
		if fresh {
			id = f.account(t)
		}
		path = strings.Replace(path, "{id}", id, 1)
	case strings.HasPrefix(path, "/v1/clusterprofiles/{id}"):
		path = strings.Replace(path, "{id}", f.profile, 1)
	case strings.HasPrefix(path, "/v1/clusters/{id}"):
		id := sharedCluster
		if fresh {
			id = f.failedCluster(t)
		}
		path = strings.Replace(strings.Replace(path, "{id}", id, 1), "{name}", "general", 1)
	}
	f.seq++
	switch key {
	case "POST /v1/cloudaccounts":
		body = secretAccount(fmt.Sprintf("rbac-new-%d", f.seq))
	case "POST /v1/clusterprofiles":
		body = profileBody(fmt.Sprintf("rbac-new-%d", f.seq), validLayers())
	case "POST /v1/clusters":
		body = f.clusterBody()
	case "POST /v1/clusters/{id}/nodepools":
		body = map[string]any{"version": f.version(t, sharedCluster), "name": "extra", "size": 1, "instanceType": "m5.large"}
	case "PATCH /v1/clusters/{id}/nodepools":
		body = map[string]any{"version": f.version(t, sharedCluster), "nodePools": []map[string]any{{"name": "general", "size": 2}}}
	case "PATCH /v1/clusters/{id}/nodepools/{name}":
		body = map[string]any{"version": f.version(t, sharedCluster), "size": 2}
	case "DELETE /v1/clusters/{id}/nodepools/{name}":
		body = map[string]any{"version": f.version(t, sharedCluster)}
	}
	return method, path, body
}

// TestRBACMatrix: every route × every kind of caller, through the local
// API gateway, answers exactly the status the rules above give.
func TestRBACMatrix(t *testing.T) {
	tenant := fmt.Sprintf("rbacm-%d", time.Now().UnixNano()%1e6)
	expired := mint(t, tenant, "p1", "tenant-admin", time.Second)
	expiredAt := time.Now().Add(time.Second)

	customer := newCustomerAccount(t) // no `ops` key pair: clusters fail in preflight
	f := &rbacFixture{owner: as(t, tenant, "p1", "tenant-admin")}
	f.accountID = createAccount(t, f.owner, map[string]string{"name": "rbac", "type": "secret",
		"accessKeyId": customer.AccessKeyID, "secretAccessKey": customer.SecretAccessKey}).ID
	var prf struct{ ID string }
	f.owner.must(t, http.StatusCreated, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("rbac"), &prf)
	f.profile = prf.ID
	shared := f.failedCluster(t)

	callers := []rbacCaller{
		{name: "other tenant", token: mint(t, tenant+"-x", "p1", "tenant-admin", 0), rank: 4, foreign: true},
		{name: "other project", token: mint(t, tenant, "p2", "tenant-admin", 0), rank: 4, foreign: true},
		{name: "no token"},
		{name: "expired token", token: expired},
		{name: "wrong signature", token: flipSignature(mint(t, tenant, "p1", "tenant-admin", 0))},
	}
	for role, rank := range roleRank {
		callers = append(callers, rbacCaller{name: role, token: mint(t, tenant, "p1", role, 0), rank: rank})
	}
	time.Sleep(time.Until(expiredAt.Add(1100 * time.Millisecond))) // exp has whole-second precision

	for _, key := range api.Routes() {
		rule, ok := rbacRules[key]
		if !ok {
			t.Errorf("route %s has no row in rbacRules: say who may call it", key)
			continue
		}
		for _, c := range callers {
			want := rule.expect(key, c)
			t.Run(key+"/"+c.name, func(t *testing.T) {
				method, path, body := f.request(t, key, rule.consumes && want == rule.ok, shared)
				r := newClient(t, c.token).send(t, method, path, body)
				if r.Status != want {
					t.Errorf("%s %s as %s = %d, want %d: %.300s", method, path, c.name, r.Status, want, r.Body)
				}
			})
		}
	}
}
