package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tamperRole rewrites the role claim of a signed JWT without re-signing it,
// as an attacker promoting themselves would.
func tamperRole(t *testing.T, token, role string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("token claims: %v", err)
	}
	claims["role"] = role
	raw, err = json.Marshal(claims)
	if err != nil {
		t.Fatalf("encode claims: %v", err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// flipSignature corrupts the signature but keeps the claims intact.
func flipSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig := []byte(token[i+1:])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	return token[:i+1] + string(sig)
}

// TestIsolationAndRBAC: objects of another tenant or project are invisible
// (404, never 403, so ids do not leak existence), viewers cannot mutate,
// and a missing, forged or expired token is refused.
func TestIsolationAndRBAC(t *testing.T) {
	// Minted first so its one-second life is over by the time it is used.
	expired := mint(t, "rbac", "p1", "tenant-admin", time.Second)
	expiredAt := time.Now().Add(time.Second)

	owner := as(t, "rbac", "p1", "project-admin")
	acc := createAccount(t, owner, secretAccount("owned"))
	accPath := "/v1/cloudaccounts/" + acc.ID
	viewerToken := mint(t, "rbac", "p1", "viewer", 0)
	profile := profileBody("rbac-profile", validLayers())

	time.Sleep(time.Until(expiredAt.Add(1100 * time.Millisecond))) // exp has whole-second precision

	cases := []struct {
		name         string
		token        string
		method, path string
		body         any
		want         int
	}{
		{"other tenant reads", mint(t, "rbac-other", "p1", "tenant-admin", 0), http.MethodGet, accPath, nil, http.StatusNotFound},
		{"other tenant validates", mint(t, "rbac-other", "p1", "tenant-admin", 0), http.MethodPost, accPath + "/validate", nil, http.StatusNotFound},
		{"other tenant deletes", mint(t, "rbac-other", "p1", "tenant-admin", 0), http.MethodDelete, accPath, nil, http.StatusNotFound},
		{"other project reads", mint(t, "rbac", "p2", "tenant-admin", 0), http.MethodGet, accPath, nil, http.StatusNotFound},
		{"other project deletes", mint(t, "rbac", "p2", "tenant-admin", 0), http.MethodDelete, accPath, nil, http.StatusNotFound},
		{"viewer reads", viewerToken, http.MethodGet, accPath, nil, http.StatusOK},
		{"viewer lists", viewerToken, http.MethodGet, "/v1/cloudaccounts", nil, http.StatusOK},
		{"viewer creates account", viewerToken, http.MethodPost, "/v1/cloudaccounts", secretAccount("by-viewer"), http.StatusForbidden},
		{"viewer deletes account", viewerToken, http.MethodDelete, accPath, nil, http.StatusForbidden},
		{"viewer validates", viewerToken, http.MethodPost, accPath + "/validate", nil, http.StatusForbidden},
		{"viewer creates profile", viewerToken, http.MethodPost, "/v1/clusterprofiles", profile, http.StatusForbidden},
		{"editor creates account", mint(t, "rbac", "p1", "project-editor", 0), http.MethodPost, "/v1/cloudaccounts", secretAccount("by-editor"), http.StatusForbidden},
		{"no token", "", http.MethodGet, "/v1/cloudaccounts", nil, http.StatusUnauthorized},
		{"no token creates", "", http.MethodPost, "/v1/cloudaccounts", secretAccount("anonymous"), http.StatusUnauthorized},
		{"garbage token", "not-a-jwt", http.MethodGet, "/v1/cloudaccounts", nil, http.StatusUnauthorized},
		{"claims tampered", tamperRole(t, viewerToken, "tenant-admin"), http.MethodDelete, accPath, nil, http.StatusUnauthorized},
		{"signature tampered", flipSignature(viewerToken), http.MethodGet, accPath, nil, http.StatusUnauthorized},
		{"expired token", expired, http.MethodGet, "/v1/cloudaccounts", nil, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newClient(t, tc.token).send(t, tc.method, tc.path, tc.body)
			if r.Status != tc.want {
				t.Fatalf("%s %s = %d, want %d: %s", tc.method, tc.path, r.Status, tc.want, r.Body)
			}
			// The body's shape is the contract validator's to judge; here it
			// only has to say something. A 401 may come from the gateway's
			// authorizer, which answers as API Gateway does: {"message"}.
			if tc.want >= 400 {
				var body struct {
					Message string `json:"message"`
					Error   struct{ Code, Message string }
				}
				if err := json.Unmarshal(r.Body, &body); err != nil || (body.Error.Message == "" && body.Message == "") {
					t.Errorf("error body %s says nothing", r.Body)
				}
			}
		})
	}

	t.Run("other tenant lists nothing", func(t *testing.T) {
		if got := as(t, "rbac-other", "p1", "tenant-admin").listAccounts(t); len(got) != 0 {
			t.Errorf("another tenant lists %d accounts: %+v", len(got), got)
		}
	})
	t.Run("refused calls changed nothing", func(t *testing.T) {
		got := owner.listAccounts(t)
		if len(got) != 1 || got[0].ID != acc.ID {
			t.Errorf("owner's accounts = %+v, want only %s", got, acc.ID)
		}
	})
}
