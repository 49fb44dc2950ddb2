package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/local/auth"
)

func newMux(t *testing.T, extra map[string]http.Handler) (*http.ServeMux, *auth.Issuer) {
	t.Helper()
	iss, err := auth.New()
	if err != nil {
		t.Fatal(err)
	}
	mux, err := New(Config{Auth: iss, Extra: extra})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return mux, iss
}

func do(mux http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

func TestTokensHappyPath(t *testing.T) {
	mux, iss := newMux(t, nil)
	rec := do(mux, "POST", "/tokens", `{"tenant":"t1","project":"p1","role":"tenant-admin","ttlSeconds":120}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var resp TokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	claims, err := iss.Verify(resp.Token)
	if err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
	if claims["tenant"] != "t1" || claims["project"] != "p1" || claims["role"] != "tenant-admin" ||
		claims["sub"] != "local:t1:p1:tenant-admin" {
		t.Errorf("claims = %v", claims)
	}
	exp, _ := strconv.Atoi(claims["exp"])
	iat, _ := strconv.Atoi(claims["iat"])
	if exp-iat != 120 {
		t.Errorf("ttl = %d s, want 120", exp-iat)
	}

	rec = do(mux, "POST", "/tokens", `{"tenant":"t1","project":"p1","role":"viewer","subject":"carol"}`)
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if claims, _ := iss.Verify(resp.Token); claims["sub"] != "carol" {
		t.Errorf("sub = %q, want carol", claims["sub"])
	}
}

func TestTokensBadInput(t *testing.T) {
	mux, _ := newMux(t, nil)
	cases := map[string]struct{ body, field string }{
		"not JSON":       {`tenant=t1`, ""},
		"unknown field":  {`{"tenant":"t","project":"p","role":"viewer","ttl":5}`, ""},
		"no tenant":      {`{"project":"p","role":"viewer"}`, "tenant"},
		"no project":     {`{"tenant":"t","role":"viewer"}`, "project"},
		"no role":        {`{"tenant":"t","project":"p"}`, "role"},
		"unknown role":   {`{"tenant":"t","project":"p","role":"admin"}`, "role"},
		"negative ttl":   {`{"tenant":"t","project":"p","role":"viewer","ttlSeconds":-1}`, "ttlSeconds"},
		"ttl too long":   {`{"tenant":"t","project":"p","role":"viewer","ttlSeconds":999999999}`, "ttlSeconds"},
		"blank tenant":   {`{"tenant":"  ","project":"p","role":"viewer"}`, "tenant"},
		"wrong ttl type": {`{"tenant":"t","project":"p","role":"viewer","ttlSeconds":"60"}`, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := do(mux, "POST", "/tokens", c.body)
			if rec.Code != 400 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var e struct {
				Error struct{ Code, Message, Field string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "ValidationError" || e.Error.Message == "" {
				t.Fatalf("error body %s (%v)", rec.Body, err)
			}
			if e.Error.Field != c.field {
				t.Errorf("field = %q, want %q", e.Error.Field, c.field)
			}
		})
	}
	if rec := do(mux, "GET", "/tokens", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /tokens = %d, want 405", rec.Code)
	}
}

func TestHealthzKeysAndExtra(t *testing.T) {
	mux, iss := newMux(t, map[string]http.Handler{
		"GET /clock": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("clock")) }),
		"PUT /accounts/{id}/quotas": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("quotas " + r.PathValue("id")))
		}),
	})
	if rec := do(mux, "GET", "/healthz", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz = %d %s", rec.Code, rec.Body)
	}
	if rec := do(mux, "GET", "/clock", ""); rec.Body.String() != "clock" {
		t.Errorf("/clock = %d %s", rec.Code, rec.Body)
	}
	if rec := do(mux, "PUT", "/accounts/222222222222/quotas", "{}"); rec.Body.String() != "quotas 222222222222" {
		t.Errorf("/accounts = %d %s", rec.Code, rec.Body)
	}
	rec := do(mux, "GET", auth.JWKSPath, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), iss.KeyID()) {
		t.Errorf("jwks = %d %s", rec.Code, rec.Body)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without Auth succeeded")
	}
	iss, _ := auth.New()
	noop := http.NotFoundHandler()
	for name, extra := range map[string]map[string]http.Handler{
		"conflict":    {"POST /tokens": noop},
		"bad pattern": {"GET": noop},
		"nil handler": {"/faults": nil},
	} {
		if _, err := New(Config{Auth: iss, Extra: extra}); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
