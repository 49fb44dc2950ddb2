package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/harness"
)

// clusterView is what the tests read of a cluster.
type clusterView struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Status        string     `json:"status"`
	StatusMessage string     `json:"statusMessage"`
	Progress      int        `json:"progress"`
	Version       int        `json:"version"`
	DeletingSince *time.Time `json:"deletingSince"`
	Tasks         []struct {
		Name    string `json:"name"`
		State   string `json:"state"`
		Message string `json:"message"`
		Done    int    `json:"done"`
		Total   int    `json:"total"`
	} `json:"tasks"`
	Resources []struct {
		Type  string `json:"type"`
		ID    string `json:"id"`
		AZ    string `json:"az"`
		State string `json:"state"`
	} `json:"resources"`
	NodePools []struct {
		Name        string `json:"name"`
		SpotWaiting string `json:"spotWaiting"`
		Nodes       []struct {
			InstanceID string `json:"instanceId"`
			AZ         string `json:"az"`
			State      string `json:"state"`
			Capacity   string `json:"capacity"`
			SpotPrice  string `json:"spotPrice"`
		} `json:"nodes"`
	} `json:"nodePools"`
	ForceDelete struct {
		Available   bool       `json:"available"`
		AvailableAt *time.Time `json:"availableAt"`
	} `json:"forceDelete"`
	ForceDeleted      bool `json:"forceDeleted"`
	LeftoverResources []struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Region string `json:"region"`
		Reason string `json:"reason"`
	} `json:"leftoverResources"`
}

// tenantEnv is one tenant with a registered cloud account and a profile in
// one simulated customer account.
type tenantEnv struct {
	api       *client
	tenant    string
	accountID string // the service's cloud account id (acc-…)
	profileID string
	customer  harness.CustomerAccount
}

var tenantSeq atomic.Int64

// newTenant registers customer (the shared customer account when zero) for
// a fresh tenant, with a profile and the `ops` key pair in the example
// region, as a user would set things up before creating a cluster.
func newTenant(t *testing.T, customer harness.CustomerAccount) *tenantEnv {
	t.Helper()
	if customer.AccountID == "" {
		customer = cloud.Customer
	}
	e := &tenantEnv{tenant: fmt.Sprintf("t%d-%d", time.Now().UnixNano()%1e6, tenantSeq.Add(1)), customer: customer}
	e.api = as(t, e.tenant, "p1", "tenant-admin")
	var acc struct{ ID string }
	e.api.must(t, http.StatusCreated, http.MethodPost, "/v1/cloudaccounts", map[string]string{
		"name": "main", "type": "secret", "accessKeyId": customer.AccessKeyID, "secretAccessKey": customer.SecretAccessKey,
	}, &acc)
	e.accountID = acc.ID
	var prf struct{ ID string }
	e.api.must(t, http.StatusCreated, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("k8s131"), &prf)
	e.profileID = prf.ID
	ensureKeyPair(t, customer, "ops")
	return e
}

// newCustomerAccount adds a simulated AWS account to the local cloud, so a
// test can change its quotas without touching the others.
func newCustomerAccount(t *testing.T) harness.CustomerAccount {
	t.Helper()
	id := fmt.Sprintf("3%011d", time.Now().UnixNano()%1e11)
	var acc harness.CustomerAccount
	if _, err := cloud.Admin(context.Background(), http.MethodPost, "/accounts", map[string]string{"accountId": id, "name": t.Name()}, &acc); err != nil {
		t.Fatalf("add simulated account: %v", err)
	}
	return acc
}

func customerConfig(t *testing.T, customer harness.CustomerAccount) aws.Config {
	t.Helper()
	cfg, err := harness.StaticConfig(context.Background(), cloud.AWS, harness.ExampleRegion, customer.AccessKeyID, customer.SecretAccessKey, "")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func ensureKeyPair(t *testing.T, customer harness.CustomerAccount, name string) {
	t.Helper()
	_, err := ec2.NewFromConfig(customerConfig(t, customer)).CreateKeyPair(context.Background(), &ec2.CreateKeyPairInput{KeyName: aws.String(name)})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "InvalidKeyPair.Duplicate") {
		t.Fatalf("create key pair %s: %v", name, err)
	}
}

// createCluster posts the example cluster under name and returns its id.
func (e *tenantEnv) createCluster(t *testing.T, name string) string {
	t.Helper()
	var c clusterView
	e.api.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", harness.ExampleCluster(name, e.accountID, e.profileID), &c)
	if c.Status != "Provisioning" {
		t.Fatalf("new cluster status = %s, want Provisioning", c.Status)
	}
	return c.ID
}

func (e *tenantEnv) get(t *testing.T, id string) clusterView {
	t.Helper()
	var c clusterView
	e.api.must(t, http.StatusOK, http.MethodGet, "/v1/clusters/"+id, nil, &c)
	return c
}

// waitStatus polls until the cluster is in want; any other final status
// (or the timeout) fails the test with the cluster's tasks.
func (e *tenantEnv) waitStatus(t *testing.T, id, want string, timeout time.Duration) clusterView {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c := e.get(t, id)
		if c.Status == want {
			return c
		}
		if (c.Status == "Failed" && want != "Failed") || time.Now().After(deadline) {
			t.Fatalf("cluster %s is %s (%s), want %s; tasks: %+v", id, c.Status, c.StatusMessage, want, c.Tasks)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// tagged counts, with the customer's own AWS client, what carries the
// cluster's id tag (deleted NAT gateways and terminated instances excepted).
func tagged(t *testing.T, customer harness.CustomerAccount, clusterID string) map[string][]string {
	t.Helper()
	found, err := harness.TaggedResources(context.Background(), customerConfig(t, customer), harness.ClusterIDTag, clusterID)
	if err != nil {
		t.Fatalf("scan the customer account: %v", err)
	}
	return found
}

// addFault installs a fault rule and removes it when the test ends.
func addFault(t *testing.T, rule map[string]any) {
	t.Helper()
	var added struct{ ID string }
	if _, err := cloud.Admin(context.Background(), http.MethodPost, "/faults", rule, &added); err != nil {
		t.Fatalf("add fault %v: %v", rule, err)
	}
	t.Cleanup(func() { _, _ = cloud.Admin(context.Background(), http.MethodDelete, "/faults/"+added.ID, nil, nil) })
}
