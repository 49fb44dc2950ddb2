package api_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/getkin/kin-openapi/openapi3"
)

func TestBadBodiesAreRejectedWithFieldAndStoreNothing(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("a", 64)
	cases := []struct {
		name, path, body, field string
	}{
		{"invalid json", "/v1/cloudaccounts", `{"name":`, "name"},
		{"syntax error", "/v1/cloudaccounts", `{,}`, ""},
		{"not an object", "/v1/cloudaccounts", `"secret"`, ""},
		{"empty body", "/v1/cloudaccounts", ``, ""},
		{"wrong type name", "/v1/cloudaccounts", `{"name":5,"type":"sts","roleArn":"` + roleARN + `"}`, "name"},
		{"wrong type type", "/v1/cloudaccounts", `{"name":"a","type":["sts"],"roleArn":"` + roleARN + `"}`, "type"},
		{"unknown field", "/v1/cloudaccounts", `{"name":"a","type":"sts","roleArn":"` + roleARN + `","region":"x"}`, "region"},
		{"unknown type", "/v1/cloudaccounts", `{"name":"a","type":"gcp"}`, "type"},
		{"missing type", "/v1/cloudaccounts", `{"name":"a"}`, "type"},
		{"missing name", "/v1/cloudaccounts", `{"type":"sts","roleArn":"` + roleARN + `"}`, "name"},
		{"long name", "/v1/cloudaccounts", stsAccountBody(long), "name"},
		{"bad arn", "/v1/cloudaccounts", `{"name":"a","type":"sts","roleArn":"arn:aws:iam::12:role/x"}`, "roleArn"},
		{"long arn", "/v1/cloudaccounts", `{"name":"a","type":"sts","roleArn":"arn:aws:iam::123456789012:role/` + strings.Repeat("p/", 1100) + `x"}`, "roleArn"},
		{"missing arn", "/v1/cloudaccounts", `{"name":"a","type":"sts"}`, "roleArn"},
		{"bad key id", "/v1/cloudaccounts", `{"name":"a","type":"secret","accessKeyId":"AKIA1","secretAccessKey":"` + secretKey + `"}`, "accessKeyId"},
		{"short secret", "/v1/cloudaccounts", `{"name":"a","type":"secret","accessKeyId":"` + keyID + `","secretAccessKey":"abc"}`, "secretAccessKey"},
		{"long secret", "/v1/cloudaccounts", `{"name":"a","type":"secret","accessKeyId":"` + keyID + `","secretAccessKey":"` + secretKey + `x"}`, "secretAccessKey"},
		{"missing secret", "/v1/cloudaccounts", `{"name":"a","type":"secret","accessKeyId":"` + keyID + `"}`, "secretAccessKey"},
		{"profile layers type", "/v1/clusterprofiles", `{"name":"p","layers":{}}`, "layers"},
		{"profile layer field type", "/v1/clusterprofiles", `{"name":"p","layers":[{"type":"os","name":"u","version":1}]}`, "layers[0].version"},
		{"profile unknown layer field", "/v1/clusterprofiles", `{"name":"p","layers":[{"type":"os","name":"u","version":"1","vals":""}]}`, "layers[0].vals"},
		{"profile unknown layer type", "/v1/clusterprofiles", strings.Replace(profileBody, `"type":"cni"`, `"type":"mesh"`, 1), "layers[2].type"},
		{"profile bad yaml", "/v1/clusterprofiles", strings.Replace(profileBody, `mode: kubernetes`, `mode: [x`, 1), "layers[2].values"},
		{"profile no os", "/v1/clusterprofiles", strings.Replace(profileBody, `"type":"os"`, `"type":"addon"`, 1), "layers"},
		{"profile long description", "/v1/clusterprofiles", strings.Replace(profileBody, `ubuntu + k8s`, strings.Repeat("d", 1025), 1), "description"},
		{"profile missing name", "/v1/clusterprofiles", strings.Replace(profileBody, `"name":"base",`, ``, 1), "name"},
		{"profile wrong cloud", "/v1/clusterprofiles", strings.Replace(profileBody, `"name":"base",`, `"name":"base","cloud":"gcp",`, 1), "cloud"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r := h.must(400, call{method: "POST", path: tc.path, body: tc.body, claims: acmeAdmin})
			field, code := r.errorField()
			if field != tc.field || code != "invalid_request" {
				t.Fatalf("field %q code %q, want %q: %s", field, code, tc.field, r.body)
			}
			if msg := r.json["error"].(map[string]any)["message"].(string); msg == "" {
				t.Fatal("no message")
			}
		})
	}
	h.t = t
	if n := h.env.ItemCount(t); n != 0 {
		t.Fatalf("%d items stored by rejected requests", n)
	}
	if n := len(h.env.SecretNames(t)); n != 0 {
		t.Fatalf("%d secrets stored by rejected requests", n)
	}
	h.checkLogs()
}

func TestAuth(t *testing.T) {
	h := newHarness(t)
	for _, c := range []map[string]string{
		nil,
		{"tenant": "acme", "project": "web"},
		{"tenant": "acme", "project": "web", "role": "superuser"},
		{"project": "web", "role": "viewer"},
		{"tenant": "acme", "role": "viewer"},
		{"tenant": "acme#P#web", "project": "web", "role": "viewer"},
	} {
		if _, code := h.must(401, call{method: "GET", path: "/v1/cloudaccounts", claims: c}).errorField(); code != "unauthorized" {
			t.Fatalf("claims %v: code %q", c, code)
		}
	}
	h.must(403, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("a"), claims: acmeViewer})
	h.must(403, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("a"), claims: acmeEditor})
	h.must(403, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeViewer})
	h.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeEditor})
	h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("a"), claims: claims("acme", "web", "tenant-admin")})
	h.must(200, call{method: "GET", path: "/v1/openapi.json"})
}

func TestOtherTenantOrProjectGets404(t *testing.T) {
	h := newHarness(t)
	acc := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin}).json["id"].(string)
	prf := h.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeAdmin}).json["id"].(string)
	otherProject := claims("acme", "mobile", "tenant-admin")
	for _, c := range []map[string]string{globex, otherProject} {
		h.must(404, call{method: "GET", path: "/v1/cloudaccounts/" + acc, claims: c})
		h.must(404, call{method: "DELETE", path: "/v1/cloudaccounts/" + acc, claims: c})
		h.must(404, call{method: "POST", path: "/v1/cloudaccounts/" + acc + "/validate", claims: c})
		h.must(404, call{method: "GET", path: "/v1/clusterprofiles/" + prf, claims: c})
		if l := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: c}); l.body != `{"items":[]}` {
			t.Fatalf("other scope lists %s", l.body)
		}
		// Same names are free in another scope.
		h.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: c})
	}
	h.must(200, call{method: "GET", path: "/v1/cloudaccounts/" + acc, claims: acmeViewer})
	h.must(404, call{method: "GET", path: "/v1/cloudaccounts/acc-nope", claims: acmeViewer})
	h.must(404, call{method: "GET", path: "/v1/clusterprofiles/" + acc, claims: acmeViewer})
}

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	key := map[string]string{"Idempotency-Key": "create-keys-1"}
	first := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin, headers: key})
	replay := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin, headers: key})
	if replay.body != first.body || replay.headers["Idempotent-Replayed"] != "true" || replay.headers["Location"] != first.headers["Location"] {
		t.Fatalf("replay %s %v, first %s", replay.body, replay.headers, first.body)
	}
	if l := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer}); len(l.json["items"].([]any)) != 1 {
		t.Fatalf("replay created another account: %s", l.body)
	}
	if n := len(h.env.SecretNames(t)); n != 1 {
		t.Fatalf("replay created %d secrets", n)
	}
	mismatch := h.must(409, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("other"), claims: acmeAdmin, headers: key})
	if field, code := mismatch.errorField(); code != "idempotency_key_reused" || field != "Idempotency-Key" {
		t.Fatalf("mismatch %s", mismatch.body)
	}
	// The same key in another tenant is another key.
	h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: globex, headers: key})
	// Rejections are remembered too: the retry gets the same 400.
	bad := map[string]string{"Idempotency-Key": "bad-1"}
	r1 := h.must(400, call{method: "POST", path: "/v1/clusterprofiles", body: `{"name":"x"}`, claims: acmeAdmin, headers: bad})
	r2 := h.must(400, call{method: "POST", path: "/v1/clusterprofiles", body: `{"name":"x"}`, claims: acmeAdmin, headers: bad})
	if r1.body != r2.body || r2.headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("400 replay %s / %s", r1.body, r2.body)
	}
	// Delete replays its 204 instead of answering 404.
	id := first.json["id"].(string)
	del := map[string]string{"Idempotency-Key": "delete-1"}
	h.must(204, call{method: "DELETE", path: "/v1/cloudaccounts/" + id, claims: acmeAdmin, headers: del})
	h.must(204, call{method: "DELETE", path: "/v1/cloudaccounts/" + id, claims: acmeAdmin, headers: del})
	h.must(400, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("x"), claims: acmeAdmin, headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}})
	h.checkLogs()
}

func TestClusterProfiles(t *testing.T) {
	h := newHarness(t)
	created := h.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeEditor})
	id := created.json["id"].(string)
	if created.json["cloud"] != "aws" || len(created.json["layers"].([]any)) != 3 || created.json["createdBy"] != "user-project-editor" {
		t.Fatalf("created %s", created.body)
	}
	got := h.must(200, call{method: "GET", path: "/v1/clusterprofiles/" + id, claims: acmeViewer})
	if got.body != created.body {
		t.Fatalf("get %s\nwant %s", got.body, created.body)
	}
	h.must(409, call{method: "POST", path: "/v1/clusterprofiles", body: profileBody, claims: acmeEditor})
	second := strings.Replace(profileBody, `"name":"base"`, `"name":"base-2"`, 1)
	h.must(201, call{method: "POST", path: "/v1/clusterprofiles", body: second, claims: acmeEditor})
	page := h.must(200, call{method: "GET", path: "/v1/clusterprofiles", claims: acmeViewer, query: map[string]string{"limit": "1"}})
	if len(page.json["items"].([]any)) != 1 || page.json["nextToken"] == nil {
		t.Fatalf("page %s", page.body)
	}
	rest := h.must(200, call{method: "GET", path: "/v1/clusterprofiles", claims: acmeViewer, query: map[string]string{"nextToken": page.json["nextToken"].(string)}})
	if items := rest.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["name"] != "base-2" {
		t.Fatalf("rest %s", rest.body)
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t)
	id := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("a"), claims: acmeAdmin}).json["id"].(string)
	// API Gateway's own routing: RouteKey and PathParameters.
	h.must(200, call{method: "GET", path: "/v1/cloudaccounts/" + id, routeKey: "GET /v1/cloudaccounts/{id}", params: map[string]string{"id": id}, claims: acmeViewer})
	// The literal segment wins over {id}.
	if r := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: acmeViewer}); r.json["externalId"] == nil {
		t.Fatalf("externalid routed to {id}: %s", r.body)
	}
	h.must(404, call{method: "GET", path: "/v1/nothing", claims: acmeViewer})
	h.must(405, call{method: "PUT", path: "/v1/cloudaccounts", claims: acmeViewer})
	// Base64 bodies (binary media types) are decoded.
	body := base64.StdEncoding.EncodeToString([]byte(stsAccountBody("b64")))
	r := h.handlerCall(t, body)
	if r != 201 {
		t.Fatalf("base64 body: %d", r)
	}
}

func TestRoutesAreInTheContract(t *testing.T) {
	newHarness(t)
	doc := contract.Doc()
	for _, key := range api.Routes() {
		method, path, _ := strings.Cut(key, " ")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("route %s is not in openapi.yaml", key)
		}
	}
	if !api.IsPublic("GET /v1/openapi.json") || api.IsPublic("GET /v1/cloudaccounts") {
		t.Error("public routes")
	}
	// Every non-cluster operation in the document is served.
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			key := method + " " + path
			if !strings.HasPrefix(path, "/v1/clusters") && !slices.Contains(api.Routes(), key) {
				t.Errorf("%s documented but not routed", key)
			}
		}
	}
}

func TestOpenAPIDocumentServed(t *testing.T) {
	h := newHarness(t)
	r := h.must(200, call{method: "GET", path: "/v1/openapi.json"})
	doc, err := openapi3.NewLoader().LoadFromData([]byte(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if doc.Paths.Value("/v1/clusters/{id}") == nil || doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Fatal("document incomplete")
	}
}
