package apigw

import (
	"maps"
	"testing"
)

func TestRouteLookup(t *testing.T) {
	table, err := newRouteTable([]string{
		"GET /v1/clusters",
		"GET /v1/clusters/{id}",
		"POST /v1/clusters/{id}/forcedelete",
		"GET /v1/cloudaccounts/externalid",
		"GET /v1/cloudaccounts/{id}",
		"ANY /v1/clusters/{id}",
		"GET /v1/{proxy+}",
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, key string
		params            map[string]string
	}{
		{"GET", "/v1/clusters", "GET /v1/clusters", nil},
		{"GET", "/v1/clusters/", "GET /v1/clusters", nil},
		{"GET", "/v1/clusters/c-1", "GET /v1/clusters/{id}", map[string]string{"id": "c-1"}},
		{"DELETE", "/v1/clusters/c-1", "ANY /v1/clusters/{id}", map[string]string{"id": "c-1"}},
		{"POST", "/v1/clusters/c%2F1/forcedelete", "POST /v1/clusters/{id}/forcedelete", map[string]string{"id": "c/1"}},
		{"GET", "/v1/cloudaccounts/externalid", "GET /v1/cloudaccounts/externalid", nil},
		{"GET", "/v1/cloudaccounts/a-1", "GET /v1/cloudaccounts/{id}", map[string]string{"id": "a-1"}},
		{"GET", "/v1/a/b/c", "GET /v1/{proxy+}", map[string]string{"proxy": "a/b/c"}},
		{"PUT", "/v1/a/b/c", DefaultRouteKey, nil},
		{"GET", "/v2/clusters", DefaultRouteKey, nil},
	}
	for _, c := range cases {
		key, params := table.lookup(c.method, c.path)
		if key != c.key || !maps.Equal(params, c.params) {
			t.Errorf("%s %s → %q %v, want %q %v", c.method, c.path, key, params, c.key, c.params)
		}
	}
}

func TestParseRouteRejects(t *testing.T) {
	for _, k := range []string{"", "GET", "GET v1/x", "GET /{p+}/x"} {
		if _, err := parseRoute(k); err == nil {
			t.Errorf("parseRoute(%q) succeeded", k)
		}
	}
}
