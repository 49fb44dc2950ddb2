package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/chaos"
	"github.com/clusterforge/clusterforge/local/harness"
)

// Temporary STS credentials differ per AssumeRole, so the scan cannot know
// them in advance: it looks for their shapes instead — a session token
// value under any of the names AWS gives it, and a 40-character secret
// next to an ASIA (temporary) key id.
var stsCredentialShapes = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(x-amz-security-token|session_?token)["'\s:=>]+[A-Za-z0-9/+=%]{16,}`),
	regexp.MustCompile(`ASIA[A-Z0-9]{16}.{0,120}[^A-Za-z0-9/+][A-Za-z0-9/+]{40}([^A-Za-z0-9/+]|$)`),
}

// TestSecretsNeverLeak runs a cluster through create → Running → delete →
// Deleted with a secret account and another with an sts account (a real
// role with an ExternalId in a fresh customer account), then scans every
// API response and every log line of the run for the access-key secret,
// another tenant's ExternalId and temporary STS credentials.
func TestSecretsNeverLeak(t *testing.T) {
	customer := newCustomerAccount(t)
	e := newTenant(t, customer)
	// Another tenant's ExternalId, read past the recorder: it must reach
	// no response of this run and no log line.
	other, err := harness.Do(context.Background(), http.MethodGet, cloud.API+"/v1/cloudaccounts/externalid",
		mint(t, e.tenant+"-other", "p1", "tenant-admin", 0), nil, nil)
	if err != nil || other.Status != http.StatusOK {
		t.Fatalf("other tenant's external id: %v %v", err, other)
	}
	var otherID externalID
	mustJSON(t, other.Body, &otherID)

	stsID := stsAccountFor(t, e, customer)
	shape := chaos.Shape{AZs: 1, NATGateways: "single", ControlPlane: 1}
	for name, account := range map[string]string{"secret": e.accountID, "sts": stsID} {
		var c clusterView
		e.api.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", shape.Spec("leak-"+name, account, e.profileID), &c)
		e.waitStatus(t, c.ID, "Running", 5*time.Minute)
		e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+c.ID, nil, nil)
		e.waitStatus(t, c.ID, "Deleted", 5*time.Minute)
	}
	time.Sleep(500 * time.Millisecond) // the Lambdas' last lines reach their files

	secret := customer.SecretAccessKey
	needles := map[string]string{
		secret: "the secret access key", strings.ReplaceAll(secret, "/", `\/`): "the secret access key (JSON-escaped)",
		secret[:20]: "half the secret access key", otherID.ExternalID: "another tenant's ExternalId",
	}
	lines, err := cloud.LogLines()
	if err != nil {
		t.Fatal(err)
	}
	bodies := seen.all()
	if len(lines) < 100 {
		t.Fatalf("only %d log lines: the scan would prove nothing", len(lines))
	}
	for where, texts := range map[string][]string{"API response": bodies, "log line": lines} {
		for _, s := range texts {
			for needle, what := range needles {
				if strings.Contains(s, needle) {
					t.Errorf("%s leaked in a %s: %.200s", what, where, s)
				}
			}
			for _, re := range stsCredentialShapes {
				if m := re.FindString(s); m != "" {
					t.Errorf("temporary STS credentials (%.40s…) in a %s: %.200s", m, where, s)
				}
			}
		}
	}
	t.Logf("scanned %d API responses and %d log lines", len(bodies), len(lines))
}

// stsAccountFor creates, in customer, the role the service's template
// would (its policies, trust in the platform account with the tenant's
// ExternalId) and registers it as an sts account of e's tenant.
func stsAccountFor(t *testing.T, e *tenantEnv, customer harness.CustomerAccount) string {
	t.Helper()
	var ext externalID
	e.api.must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/externalid", nil, &ext)
	c := &customerIAM{client: iam.NewFromConfig(customerConfig(t, customer))}
	c.createPolicies(t)
	arn := c.createRole(t, "ClusterForge", ext.ExternalID, c.policyARNs)
	var acc cloudAccount
	e.api.must(t, http.StatusCreated, http.MethodPost, "/v1/cloudaccounts", stsAccount("role", arn), &acc)
	return acc.ID
}
