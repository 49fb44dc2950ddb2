package e2e

import (
	"net/url"
	"regexp"
	"testing"
)

// TestContractLine: the launcher printed its contract line within the bound
// and the line holds usable endpoints and customer keys.
func TestContractLine(t *testing.T) {
	t.Logf("contract line arrived %s after the launcher started", startedIn.Round(1e6))
	if startedIn > startTimeout {
		t.Errorf("contract line took %s, want < %s", startedIn, startTimeout)
	}
	for name, u := range map[string]string{"api": cloud.API, "aws": cloud.AWS, "admin": cloud.Contract.Admin} {
		if p, err := url.Parse(u); err != nil || p.Scheme != "http" || p.Host == "" {
			t.Errorf("contract %s = %q, want an http URL", name, u)
		}
	}
	if cloud.Customer.AccountID != "222222222222" {
		t.Errorf("customer account = %q, want 222222222222", cloud.Customer.AccountID)
	}
	// The keys must be ones the API accepts for a secret account.
	if !regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`).MatchString(cloud.Customer.AccessKeyID) {
		t.Errorf("customer access key id %q is not an AKIA key", cloud.Customer.AccessKeyID)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`).MatchString(cloud.Customer.SecretAccessKey) {
		t.Errorf("customer secret access key has the wrong shape (length %d)", len(cloud.Customer.SecretAccessKey))
	}
}
