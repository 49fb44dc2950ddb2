// Package chaos drives the service on the local cloud through injected AWS
// faults and concurrent load, and checks what a customer would check: the
// cluster converges, nothing exists twice, nothing is left behind. Both
// cmd/chaos (`make chaos`) and the e2e tests (a fast subset) use it.
package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/harness"
)

// Region is where every chaos cluster goes.
const Region = harness.ExampleRegion

// Env is one simulated customer account, registered by its own tenant with
// a profile and the `ops` key pair: a case in its own account cannot see or
// disturb another case's faults, quotas or resources.
type Env struct {
	Cloud     *harness.Cloud
	Customer  harness.CustomerAccount
	Tenant    string
	Token     string
	AccountID string // the service's cloud account id (acc-…)
	ProfileID string
}

var accountSeq atomic.Int64

// newAccountID is a 12-digit id unique in this process (and, through the
// clock, across quick reruns against a long-lived local cloud).
func newAccountID() string {
	return fmt.Sprintf("5%05d%06d", time.Now().Unix()%100000, accountSeq.Add(1))
}

// Quotas raise limits so a case is never refused for a quota it does not
// test (codes as the local cloud's service quotas name them).
type Quotas map[string]int

// NewEnv adds a customer account to the local cloud, raises its quotas and
// registers it with a fresh tenant as a secret account.
func NewEnv(ctx context.Context, cloud *harness.Cloud, name string, quotas Quotas) (*Env, error) {
	e := &Env{Cloud: cloud, Tenant: fmt.Sprintf("chaos-%s-%d", name, accountSeq.Add(1))}
	if _, err := cloud.Admin(ctx, http.MethodPost, "/accounts", map[string]string{"accountId": newAccountID(), "name": name}, &e.Customer); err != nil {
		return nil, fmt.Errorf("add simulated account: %w", err)
	}
	if len(quotas) > 0 {
		if _, err := cloud.Admin(ctx, http.MethodPut, "/accounts/"+e.Customer.AccountID+"/quotas?region="+Region, quotas, nil); err != nil {
			return nil, fmt.Errorf("raise quotas: %w", err)
		}
	}
	tok, err := cloud.Token(ctx, e.Tenant, "p1", "tenant-admin")
	if err != nil {
		return nil, err
	}
	e.Token = tok
	var acc, prf struct{ ID string }
	if err := e.Call(ctx, http.MethodPost, "/v1/cloudaccounts", map[string]string{
		"name": "main", "type": "secret", "accessKeyId": e.Customer.AccessKeyID, "secretAccessKey": e.Customer.SecretAccessKey,
	}, http.StatusCreated, &acc); err != nil {
		return nil, err
	}
	if err := e.Call(ctx, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("k8s131"), http.StatusCreated, &prf); err != nil {
		return nil, err
	}
	e.AccountID, e.ProfileID = acc.ID, prf.ID
	return e, e.ensureKeyPair(ctx, "ops")
}

// AWS is an independent SDK config with the customer's own administrator
// keys: what the checks see is the account, not the service's view of it.
func (e *Env) AWS(ctx context.Context) (aws.Config, error) {
	return harness.StaticConfig(ctx, e.Cloud.AWS, Region, e.Customer.AccessKeyID, e.Customer.SecretAccessKey, "")
}

func (e *Env) ensureKeyPair(ctx context.Context, name string) error {
	cfg, err := e.AWS(ctx)
	if err != nil {
		return err
	}
	_, err = ec2.NewFromConfig(cfg).CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String(name)})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "InvalidKeyPair.Duplicate") {
		return fmt.Errorf("create key pair %s: %w", name, err)
	}
	return nil
}

// Call sends one API request as the tenant admin and fails unless the
// answer is want; out (may be nil) receives the body.
func (e *Env) Call(ctx context.Context, method, path string, in any, want int, out any) error {
	r, err := harness.Do(ctx, method, e.Cloud.API+path, e.Token, in, nil)
	if err != nil {
		return err
	}
	if r.Status != want {
		return fmt.Errorf("%s %s = %d, want %d: %.300s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// AddFault installs a fault rule scoped to this account. Remove it with
// the returned rule's Remove; Fired says whether it ever hit a call.
func (e *Env) AddFault(ctx context.Context, f Fault) (*Rule, error) {
	rule := map[string]any{"account": e.Customer.AccountID, "service": f.Service, "action": f.Action,
		"nth": f.Nth, "times": f.Times, "kind": f.Kind}
	r := &Rule{cloud: e.Cloud}
	if _, err := e.Cloud.Admin(ctx, http.MethodPost, "/faults", rule, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Rule is an installed fault rule.
type Rule struct {
	ID    string `json:"id"`
	Fired int    `json:"fired"`
	cloud *harness.Cloud
}

// Refresh reads the rule's counters.
func (r *Rule) Refresh(ctx context.Context) error {
	var rules []Rule
	if _, err := r.cloud.Admin(ctx, http.MethodGet, "/faults", nil, &rules); err != nil {
		return err
	}
	for _, x := range rules {
		if x.ID == r.ID {
			r.Fired = x.Fired
		}
	}
	return nil
}

// Remove deletes the rule (idempotent).
func (r *Rule) Remove() {
	_, _ = r.cloud.Admin(context.Background(), http.MethodDelete, "/faults/"+r.ID, nil, nil)
}
