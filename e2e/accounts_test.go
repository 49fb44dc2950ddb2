package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

const platformAccount = "111111111111"

// customerIAM is the simulated customer acting in their own account with
// their administrator keys: it creates the roles a customer would.
type customerIAM struct {
	client     *iam.Client
	policyARNs []string // ClusterForge's managed policies, created once
}

func newCustomerIAM(t *testing.T) *customerIAM {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := cloud.CustomerConfig(ctx, "us-east-1")
	if err != nil {
		t.Fatalf("customer config: %v", err)
	}
	return &customerIAM{client: iam.NewFromConfig(cfg)}
}

// createPolicies creates one managed policy per embedded document, as the
// role template does, so the role is granted exactly what validation checks.
func (c *customerIAM) createPolicies(t *testing.T) {
	t.Helper()
	for _, d := range policy.Documents() {
		doc, err := policy.JSON(d.Name)
		if err != nil {
			t.Fatalf("policy %s: %v", d.Name, err)
		}
		out, err := c.client.CreatePolicy(context.Background(), &iam.CreatePolicyInput{
			PolicyName:     aws.String("ClusterForge-" + d.Name),
			PolicyDocument: aws.String(string(doc)),
		})
		if err != nil {
			t.Fatalf("iam CreatePolicy %s: %v", d.Name, err)
		}
		c.policyARNs = append(c.policyARNs, aws.ToString(out.Policy.Arn))
	}
}

// trustPolicy lets the platform account assume the role with externalID.
func trustPolicy(t *testing.T, account, externalID string) string {
	t.Helper()
	doc, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect":    "Allow",
			"Principal": map[string]string{"AWS": "arn:aws:iam::" + account + ":root"},
			"Action":    "sts:AssumeRole",
			"Condition": map[string]any{"StringEquals": map[string]string{"sts:ExternalId": externalID}},
		}},
	})
	if err != nil {
		t.Fatalf("trust policy: %v", err)
	}
	return string(doc)
}

// createRole creates a role trusting the platform account with externalID
// and attaches the given managed policies; it returns the role ARN.
func (c *customerIAM) createRole(t *testing.T, name, externalID string, policyARNs []string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trustPolicy(t, platformAccount, externalID)),
	})
	if err != nil {
		t.Fatalf("iam CreateRole %s: %v", name, err)
	}
	for _, arn := range policyARNs {
		if _, err := c.client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("iam AttachRolePolicy %s to %s: %v", arn, name, err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// validate asks the API to validate an account in us-east-1.
func validate(t *testing.T, c *client, id string) (apiResponse, validationReport) {
	t.Helper()
	var rep validationReport
	r := c.send(t, http.MethodPost, "/v1/cloudaccounts/"+id+"/validate", map[string]string{"region": "us-east-1"})
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatalf("decode validation report: %v: %s", err, r.Body)
		}
	}
	return r, rep
}

func mustValidate(t *testing.T, c *client, id string) validationReport {
	t.Helper()
	r, rep := validate(t, c, id)
	if r.Status != http.StatusOK {
		t.Fatalf("validate %s = %d, want 200: %s", id, r.Status, r.Body)
	}
	if rep.Region != "us-east-1" {
		t.Errorf("validate %s: region %q, want us-east-1", id, rep.Region)
	}
	if rep.Identity.Account != cloud.Customer.AccountID {
		t.Errorf("validate %s: identity account %q, want %s", id, rep.Identity.Account, cloud.Customer.AccountID)
	}
	if len(rep.Quotas) == 0 {
		t.Errorf("validate %s: no quotas reported", id)
	}
	for _, q := range rep.Quotas {
		if q.Error == "" && q.Available != q.Limit-q.Used && !(q.Available == 0 && q.Used > q.Limit) {
			t.Errorf("validate %s: quota %s (%s) available %d ≠ limit %d − used %d", id, q.Name, q.Scope, q.Available, q.Limit, q.Used)
		}
	}
	return rep
}

// createAccount registers an account and checks the echo.
func createAccount(t *testing.T, c *client, body map[string]string) cloudAccount {
	t.Helper()
	var acc cloudAccount
	r := c.must(t, http.StatusCreated, http.MethodPost, "/v1/cloudaccounts", body, &acc)
	if want := "/v1/cloudaccounts/" + acc.ID; r.Header.Get("Location") != want {
		t.Errorf("Location = %q, want %q", r.Header.Get("Location"), want)
	}
	if acc.Name != body["name"] || acc.Type != body["type"] || acc.Version < 1 {
		t.Errorf("created account %+v does not echo %s/%s", acc, body["name"], body["type"])
	}
	return acc
}

// TestCloudAccounts registers the customer's account both ways a customer
// can — access keys and a role with the tenant's ExternalId — and validates
// each against the simulated account, including a role missing every
// permission and a role whose trust policy names another ExternalId.
func TestCloudAccounts(t *testing.T) {
	admin := as(t, "acme", "prod", "tenant-admin")
	var ext externalID
	admin.must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/externalid", nil, &ext)
	if ext.PlatformAccountID != platformAccount || ext.ExternalID == "" {
		t.Fatalf("externalid = %+v, want a value and platform account %s", ext, platformAccount)
	}
	var again externalID
	as(t, "acme", "other-project", "viewer").must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/externalid", nil, &again)
	if again.ExternalID != ext.ExternalID {
		t.Errorf("ExternalId differs between projects of one tenant: %q vs %q", ext.ExternalID, again.ExternalID)
	}

	customer := newCustomerIAM(t)
	customer.createPolicies(t)
	full := customer.createRole(t, "ClusterForgeFull", ext.ExternalID, customer.policyARNs)
	bare := customer.createRole(t, "ClusterForgeBare", ext.ExternalID, nil)
	wrong := customer.createRole(t, "ClusterForgeWrongExt", ext.ExternalID+"-not-this-tenant", customer.policyARNs)

	t.Run("secret", func(t *testing.T) {
		acc := createAccount(t, admin, secretAccount("keys"))
		if acc.AccessKeyID != cloud.Customer.AccessKeyID || acc.RoleARN != "" {
			t.Errorf("secret account %+v: want accessKeyId %s and no roleArn", acc, cloud.Customer.AccessKeyID)
		}
		var got cloudAccount
		admin.must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/"+acc.ID, nil, &got)
		if got != acc {
			t.Errorf("GET = %+v, want the created %+v", got, acc)
		}
		rep := mustValidate(t, admin, acc.ID)
		if len(rep.MissingPermissions) != 0 {
			t.Errorf("administrator keys miss %v", rep.MissingPermissions)
		}
		t.Logf("identity %s, %d quotas", rep.Identity.ARN, len(rep.Quotas))
	})

	t.Run("sts", func(t *testing.T) {
		acc := createAccount(t, admin, stsAccount("role", full))
		if acc.RoleARN != full || acc.AccessKeyID != "" {
			t.Errorf("sts account %+v: want roleArn %s and no accessKeyId", acc, full)
		}
		rep := mustValidate(t, admin, acc.ID)
		wantARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/ClusterForgeFull/", cloud.Customer.AccountID)
		if !strings.HasPrefix(rep.Identity.ARN, wantARN) {
			t.Errorf("identity ARN %q, want the assumed role %s…", rep.Identity.ARN, wantARN)
		}
		if len(rep.MissingPermissions) != 0 {
			t.Errorf("role with every ClusterForge policy misses %v", rep.MissingPermissions)
		}
		t.Logf("identity %s, missing %d, unverified %d", rep.Identity.ARN, len(rep.MissingPermissions), len(rep.UnverifiedPermissions))
	})

	t.Run("sts without policies", func(t *testing.T) {
		acc := createAccount(t, admin, stsAccount("bare-role", bare))
		rep := mustValidate(t, admin, acc.ID)
		if !slices.Contains(rep.MissingPermissions, "ec2:CreateNatGateway") {
			t.Errorf("missingPermissions %v lacks ec2:CreateNatGateway", rep.MissingPermissions)
		}
		t.Logf("bare role misses %d permissions, %d unverified", len(rep.MissingPermissions), len(rep.UnverifiedPermissions))
	})

	t.Run("sts with another ExternalId", func(t *testing.T) {
		acc := createAccount(t, admin, stsAccount("wrong-external-id", wrong))
		r, _ := validate(t, admin, acc.ID)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("validate = %d, want 422: %s", r.Status, r.Body)
		}
		msg := r.err(t).Error.Message
		if !strings.Contains(msg, "trust policy") || !strings.Contains(msg, "ExternalId") {
			t.Errorf("422 message %q should point at the trust policy and the ExternalId", msg)
		}
	})

	t.Run("list", func(t *testing.T) {
		names := map[string]bool{}
		for _, a := range admin.listAccounts(t) {
			names[a.Name] = true
		}
		for _, want := range []string{"keys", "role", "bare-role", "wrong-external-id"} {
			if !names[want] {
				t.Errorf("list lacks %s (has %v)", want, names)
			}
		}
	})
}
