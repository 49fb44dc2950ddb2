package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/cloud"
)

func TestCloudAccountLifecycle(t *testing.T) {
	h := newHarness(t)
	sec := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin})
	secID := sec.json["id"].(string)
	if sec.json["accessKeyId"] != keyID || sec.json["type"] != "secret" || sec.json["version"] != 1.0 || sec.headers["Location"] != "/v1/cloudaccounts/"+secID {
		t.Fatalf("created %s %v", sec.body, sec.headers)
	}
	if _, ok := sec.json["secretAccessKey"]; ok {
		t.Fatal("secretAccessKey returned")
	}
	if names := h.env.SecretNames(t); len(names) != 1 || names[0] != h.env.SecretPrefix+"acme/"+secID {
		t.Fatalf("secrets %v", names)
	}
	sts := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin})
	stsID := sts.json["id"].(string)
	if sts.json["roleArn"] != roleARN || sts.json["accessKeyId"] != nil {
		t.Fatalf("sts account %s", sts.body)
	}
	if len(h.env.SecretNames(t)) != 1 {
		t.Fatal("sts account created a secret")
	}

	got := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/" + secID, claims: acmeViewer})
	if got.json["name"] != "keys" || got.json["accessKeyId"] != keyID {
		t.Fatalf("get %s", got.body)
	}
	list := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer})
	items := list.json["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != secID || items[1].(map[string]any)["id"] != stsID {
		t.Fatalf("list %s", list.body)
	}

	h.must(409, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin})
	if n := len(h.env.SecretNames(t)); n != 1 {
		t.Fatalf("duplicate name left a secret behind: %d secrets", n)
	}

	h.must(204, call{method: "DELETE", path: "/v1/cloudaccounts/" + secID, claims: acmeAdmin})
	h.must(404, call{method: "GET", path: "/v1/cloudaccounts/" + secID, claims: acmeAdmin})
	h.must(404, call{method: "DELETE", path: "/v1/cloudaccounts/" + secID, claims: acmeAdmin})
	if n := len(h.env.SecretNames(t)); n != 0 {
		t.Fatalf("delete left %d secrets", n)
	}
	h.must(204, call{method: "DELETE", path: "/v1/cloudaccounts/" + stsID, claims: acmeAdmin})
	if list := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer}); list.body != `{"items":[]}` {
		t.Fatalf("empty list %s", list.body)
	}
	h.checkLogs()
}

func TestCloudAccountPagination(t *testing.T) {
	h := newHarness(t)
	for i := range 3 {
		h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody(fmt.Sprintf("a%d", i)), claims: acmeAdmin})
	}
	var names []string
	query := map[string]string{"limit": "2"}
	for range 3 {
		page := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer, query: query})
		for _, it := range page.json["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		next, _ := page.json["nextToken"].(string)
		if next == "" {
			break
		}
		query = map[string]string{"limit": "2", "nextToken": next}
	}
	if strings.Join(names, ",") != "a0,a1,a2" {
		t.Fatalf("paged %v", names)
	}
	for _, q := range []map[string]string{{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"nextToken": "%%%"}} {
		r := h.must(400, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer, query: q})
		if field, _ := r.errorField(); field != "limit" && field != "nextToken" {
			t.Fatalf("query %v: field %q", q, field)
		}
	}
	// A token from acme is no way into globex's accounts.
	page := h.must(200, call{method: "GET", path: "/v1/cloudaccounts", claims: acmeViewer, query: map[string]string{"limit": "1"}})
	h.must(400, call{method: "GET", path: "/v1/cloudaccounts", claims: globex, query: map[string]string{"nextToken": page.json["nextToken"].(string)}})
}

func TestExternalID(t *testing.T) {
	h := newHarness(t)
	first := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: acmeViewer})
	again := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: claims("acme", "other-project", "project-admin")})
	other := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: globex})
	ext := first.json["externalId"].(string)
	if ext == "" || again.json["externalId"] != ext || other.json["externalId"] == ext || first.json["platformAccountId"] != platform {
		t.Fatalf("acme %s / %s, globex %s", first.body, again.body, other.body)
	}
}

func TestValidateCloudAccount(t *testing.T) {
	h := newHarness(t)
	secID := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin}).json["id"].(string)
	stsID := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin}).json["id"].(string)
	ext := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: acmeViewer}).json["externalId"]

	rep := h.must(200, call{method: "POST", path: "/v1/cloudaccounts/" + secID + "/validate", claims: acmeEditor})
	if rep.json["region"] != "us-east-1" || h.validator.region != "us-east-1" {
		t.Fatalf("default region: %s", rep.body)
	}
	if got := h.validator.calls[0]; got.Type != cloud.AccessSecret || got.AccessKeyID != keyID || got.SecretAccessKey != secretKey {
		t.Fatalf("secret access %+v", got.Type)
	}
	h.must(200, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", body: `{"region":"eu-west-1"}`, claims: acmeEditor})
	if got := h.validator.calls[1]; got.Type != cloud.AccessSTS || got.RoleARN != roleARN || got.ExternalID != ext || h.validator.region != "eu-west-1" {
		t.Fatalf("sts access %+v", got)
	}

	r := h.must(400, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", body: `{"region":"mars-1"}`, claims: acmeEditor})
	if field, _ := r.errorField(); field != "region" {
		t.Fatalf("bad region field %q", field)
	}
	h.must(400, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", body: `{"regoin":"eu-west-1"}`, claims: acmeEditor})
	h.must(403, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", claims: acmeViewer})
	h.must(404, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", claims: globex})

	h.validator.err = &cloud.CredentialsError{Type: cloud.AccessSTS, RoleARN: roleARN, Code: "AccessDenied"}
	if _, code := h.must(422, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", claims: acmeEditor}).errorField(); code != "cloud_credentials_rejected" {
		t.Fatalf("credentials code %q", code)
	}
	h.validator.err = deniedError{}
	if _, code := h.must(422, call{method: "POST", path: "/v1/cloudaccounts/" + stsID + "/validate", claims: acmeEditor}).errorField(); code != "cloud_credentials_rejected" {
		t.Fatalf("denied code %q", code)
	}
	h.validator.err = errBoom
	h.validator.calls = nil
	// A validator fault is a 500, logged with its cause (not with secrets).
	r = h.do(call{method: "POST", path: "/v1/cloudaccounts/" + secID + "/validate", claims: acmeEditor, allowFault: true})
	if r.status != 500 || !strings.Contains(h.logs.String(), "boom") {
		t.Fatalf("fault: %d", r.status)
	}
	t.Run("no validator", func(t *testing.T) {
		h2 := newHarness(t)
		h2.handler = newHandlerWithoutValidator(h2)
		id := h2.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin}).json["id"].(string)
		h2.must(http.StatusNotImplemented, call{method: "POST", path: "/v1/cloudaccounts/" + id + "/validate", claims: acmeEditor})
	})
	h.checkLogs()
}

func TestCloudAccountInUse(t *testing.T) {
	h := newHarness(t)
	id := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin}).json["id"].(string)
	putClusterUsing(t, h, id)
	if _, code := h.must(409, call{method: "DELETE", path: "/v1/cloudaccounts/" + id, claims: acmeAdmin}).errorField(); code != "in_use" {
		t.Fatalf("code %q", code)
	}
	h.must(200, call{method: "GET", path: "/v1/cloudaccounts/" + id, claims: acmeAdmin})
	if len(h.env.SecretNames(t)) != 1 {
		t.Fatal("in-use delete removed the secret")
	}
}
