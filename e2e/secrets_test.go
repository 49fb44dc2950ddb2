package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// leaks returns every API response body and log line that contains the
// customer's secret access key. JSON may escape '/' as "\/", so both
// spellings are looked for, and the first half alone in case something
// truncates or splits it.
func leaks() (found []string, bodies, lines int, err error) {
	secret := cloud.Customer.SecretAccessKey
	if len(secret) < 20 {
		return nil, 0, 0, fmt.Errorf("customer secret is %d characters long: cannot look for it", len(secret))
	}
	needles := []string{secret, strings.ReplaceAll(secret, "/", `\/`), secret[:20]}
	leaked := func(s string) bool {
		for _, n := range needles {
			if strings.Contains(s, n) {
				return true
			}
		}
		return false
	}
	all := seen.all()
	for _, b := range all {
		if leaked(b) {
			found = append(found, fmt.Sprintf("API response: %.200s", b))
		}
	}
	logLines, err := cloud.LogLines()
	if err != nil {
		return found, len(all), 0, fmt.Errorf("read logs: %w", err)
	}
	for _, l := range logLines {
		if leaked(l) {
			found = append(found, fmt.Sprintf("log line: %.200s", l))
		}
	}
	return found, len(all), len(logLines), nil
}

// TestSecretNeverLeaks: the customer's secret access key appears in no API
// response any test saw and in no log line of the launcher or any Lambda.
// It drives every account route with a secret account itself, so it proves
// something when run alone (-run); TestMain repeats the scan after all tests.
func TestSecretNeverLeaks(t *testing.T) {
	admin := as(t, "leak", "p1", "tenant-admin")
	acc := createAccount(t, admin, secretAccount("leak-check"))
	admin.must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/"+acc.ID, nil, nil)
	admin.listAccounts(t)
	mustValidate(t, admin, acc.ID)
	// A failing create reports the request's fields; the secret must not be
	// among them.
	admin.must(t, http.StatusBadRequest, http.MethodPost, "/v1/cloudaccounts", secretAccount("Not-A-DNS-Label"), nil)
	admin.must(t, http.StatusNoContent, http.MethodDelete, "/v1/cloudaccounts/"+acc.ID, nil, nil)
	admin.must(t, http.StatusNotFound, http.MethodGet, "/v1/cloudaccounts/"+acc.ID, nil, nil)

	time.Sleep(500 * time.Millisecond) // let the Lambdas' last log lines reach their files
	found, bodies, lines, err := leaks()
	if err != nil {
		t.Fatal(err)
	}
	if lines < 10 {
		t.Fatalf("only %d log lines in %s: the scan would prove nothing", lines, cloud.LogDir)
	}
	t.Logf("checked %d API response bodies and %d log lines", bodies, lines)
	for _, f := range found {
		t.Errorf("the secret access key leaked in %s", f)
	}
}
