package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestBadAccountBodies: every malformed create is a 400 that names the
// offending field, and nothing is stored.
func TestBadAccountBodies(t *testing.T) {
	admin := as(t, "badbodies", "p1", "tenant-admin")
	// One good account so "unchanged" is not trivially "still empty".
	createAccount(t, admin, secretAccount("good"))
	before := len(admin.listAccounts(t))

	const arn = `"arn:aws:iam::222222222222:role/ClusterForge"`
	long := strings.Repeat("a", 64)
	cases := []struct {
		name, body, field string
	}{
		{"not JSON", `name=x&type=sts`, ""},
		{"truncated JSON", `{"name":"x","type":"sts","roleArn":`, "roleArn"},
		{"trailing data", `{"name":"x","type":"sts","roleArn":` + arn + `} {}`, ""},
		{"name is a number", `{"name":5,"type":"sts","roleArn":` + arn + `}`, "name"},
		{"type is a list", `{"name":"x","type":["sts"],"roleArn":` + arn + `}`, "type"},
		{"access key id is a boolean", `{"name":"x","type":"secret","accessKeyId":true,"secretAccessKey":"x"}`, "accessKeyId"},
		{"body is an array", `[{"name":"x","type":"sts","roleArn":` + arn + `}]`, ""},
		{"unknown type", `{"name":"x","type":"password","roleArn":` + arn + `}`, "type"},
		{"bad ARN", `{"name":"x","type":"sts","roleArn":"arn:aws:iam::12:role/x"}`, "roleArn"},
		{"user ARN", `{"name":"x","type":"sts","roleArn":"arn:aws:iam::222222222222:user/bob"}`, "roleArn"},
		{"over-long name", `{"name":"` + long + `","type":"sts","roleArn":` + arn + `}`, "name"},
		{"upper-case name", `{"name":"Prod","type":"sts","roleArn":` + arn + `}`, "name"},
		{"missing name", `{"type":"sts","roleArn":` + arn + `}`, "name"},
		{"missing type", `{"name":"x","roleArn":` + arn + `}`, "type"},
		{"missing role ARN", `{"name":"x","type":"sts"}`, "roleArn"},
		{"missing secret", `{"name":"x","type":"secret","accessKeyId":"AKIAABCDEFGHIJKLMNOP"}`, "secretAccessKey"},
		{"short secret", `{"name":"x","type":"secret","accessKeyId":"AKIAABCDEFGHIJKLMNOP","secretAccessKey":"short"}`, "secretAccessKey"},
		{"role ARN on a secret account", `{"name":"x","type":"secret","accessKeyId":"AKIAABCDEFGHIJKLMNOP","secretAccessKey":"` + strings.Repeat("s", 40) + `","roleArn":` + arn + `}`, "roleArn"},
		{"unknown field", `{"name":"x","type":"sts","roleArn":` + arn + `,"region":"us-east-1"}`, "region"},
		{"duplicate field", `{"name":"x","name":"y","type":"sts","roleArn":` + arn + `}`, "name"},
		{"empty body", ``, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newClient(t, admin.token).send(t, http.MethodPost, "/v1/cloudaccounts", tc.body)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("POST %s = %d, want 400: %s", tc.body, r.Status, r.Body)
			}
			e := r.err(t).Error
			if e.Code != "invalid_request" || e.Message == "" {
				t.Errorf("error %s: want code invalid_request and a message", r.Body)
			}
			// Whole-body problems have no field; every other one names it.
			got := ""
			if e.Field != nil {
				got = *e.Field
			}
			if got != tc.field {
				t.Errorf("error.field = %q, want %q (%s)", got, tc.field, e.Message)
			}
			if after := len(admin.listAccounts(t)); after != before {
				t.Errorf("a rejected create changed the account count %d → %d", before, after)
			}
		})
	}
}
