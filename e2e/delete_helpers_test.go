package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/harness"
)

// forceDeleteDelay is the launcher's --force-delete-delay for the package
// (main_test.go passes it): long enough that a normal deletion finishes
// before its unlock schedule is due, short enough for the force-delete test.
const forceDeleteDelay = 30 * time.Second

// Generous bounds: several clusters provision and delete in parallel, and
// another test file creates clusters in the same local cloud.
const (
	runningTimeout = 4 * time.Minute
	deletedTimeout = 4 * time.Minute
)

// deleteEnv is one test's own simulated AWS account, tenant and cluster.
type deleteEnv struct {
	*tenantEnv
	ec2 *ec2.Client
}

// newDeleteEnv gives the test its own simulated customer account (so EIP
// and NAT quotas, the call log and fault rules are the test's alone) and a
// tenant registered with it.
func newDeleteEnv(t *testing.T) *deleteEnv {
	t.Helper()
	customer := newCustomerAccount(t)
	e := newTenant(t, customer)
	return &deleteEnv{tenantEnv: e, ec2: ec2.NewFromConfig(customerConfig(t, customer))}
}

// runningCluster creates the example cluster and waits until it is Running.
func (e *deleteEnv) runningCluster(t *testing.T, name string) string {
	t.Helper()
	start := time.Now()
	id := e.createCluster(t, name)
	e.waitStatus(t, id, "Running", runningTimeout)
	t.Logf("cluster %s Running after %s", id, time.Since(start).Round(time.Millisecond))
	return id
}

// deleteCluster sends DELETE and checks the 202 answer DESIGN §4/§5 give.
func (e *deleteEnv) deleteCluster(t *testing.T, id string) clusterView {
	t.Helper()
	var c clusterView
	e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+id, nil, &c)
	if c.Status != "Deleting" {
		t.Fatalf("DELETE answered status %s, want Deleting", c.Status)
	}
	if c.DeletingSince == nil {
		t.Fatal("DELETE answered no deletingSince")
	}
	if c.ForceDelete.Available {
		t.Fatal("DELETE answered forceDelete.available true on a fresh deletion")
	}
	if want := c.DeletingSince.Add(forceDeleteDelay); c.ForceDelete.AvailableAt == nil || !c.ForceDelete.AvailableAt.Equal(want) {
		t.Fatalf("forceDelete.availableAt = %v, want deletingSince %s + %s = %s", c.ForceDelete.AvailableAt, c.DeletingSince, forceDeleteDelay, want)
	}
	return c
}

// assertNothingTagged fails the test if the customer's account still holds
// anything carrying the cluster's id tag.
func (e *deleteEnv) assertNothingTagged(t *testing.T, id string) {
	t.Helper()
	if left := tagged(t, e.customer, id); len(left) > 0 {
		t.Fatalf("resources tagged %s=%s left in account %s: %v", harness.ClusterIDTag, id, e.customer.AccountID, left)
	}
}

// clusterVPC is the id of the cluster's VPC, found with the customer's keys.
func (e *deleteEnv) clusterVPC(t *testing.T, id string) string {
	t.Helper()
	out, err := e.ec2.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + harness.ClusterIDTag), Values: []string{id}},
	}})
	if err != nil {
		t.Fatalf("describe the cluster's VPC: %v", err)
	}
	if len(out.Vpcs) != 1 {
		t.Fatalf("cluster %s has %d VPCs tagged, want 1", id, len(out.Vpcs))
	}
	return aws.ToString(out.Vpcs[0].VpcId)
}

// subnetsWithTag lists the VPC's subnets carrying tag key (any value).
func (e *deleteEnv) subnetsWithTag(t *testing.T, vpcID, key string) []string {
	t.Helper()
	out, err := e.ec2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("tag-key"), Values: []string{key}},
	}})
	if err != nil {
		t.Fatalf("describe subnets of %s tagged %s: %v", vpcID, key, err)
	}
	var ids []string
	for _, s := range out.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	sort.Strings(ids)
	return ids
}

// listedClusterIDs is every cluster id GET /v1/clusters answers, following
// nextToken.
func (e *deleteEnv) listedClusterIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{}
	path := "/v1/clusters"
	for {
		var page struct {
			Items     []clusterView `json:"items"`
			NextToken string        `json:"nextToken"`
		}
		e.api.must(t, http.StatusOK, http.MethodGet, path, nil, &page)
		for _, c := range page.Items {
			ids[c.ID] = c.Status
		}
		if page.NextToken == "" {
			return ids
		}
		path = "/v1/clusters?nextToken=" + url.QueryEscape(page.NextToken)
	}
}

// assertGone passes when a describe by id answered a NotFound error or an
// empty list: AWS does either, depending on the resource and the service.
func assertGone(t *testing.T, what string, err error, n int) {
	t.Helper()
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "NotFound") {
			return
		}
		t.Errorf("describe %s: %v, want a NotFound error or nothing", what, err)
		return
	}
	if n != 0 {
		t.Errorf("%s still exists after the cluster was deleted", what)
	}
}

// addFaultRule installs a fault rule and returns its id; the rule is also
// removed when the test ends (a 404 then is fine: the test removed it).
func addFaultRule(t *testing.T, rule map[string]any) string {
	t.Helper()
	var added struct {
		ID string `json:"id"`
	}
	if _, err := cloud.Admin(context.Background(), http.MethodPost, "/faults", rule, &added); err != nil {
		t.Fatalf("add fault %v: %v", rule, err)
	}
	t.Cleanup(func() { _, _ = cloud.Admin(context.Background(), http.MethodDelete, "/faults/"+added.ID, nil, nil) })
	return added.ID
}

// faultFired is how often the rule has fired so far.
func faultFired(t *testing.T, id string) int {
	t.Helper()
	var rules []struct {
		ID    string `json:"id"`
		Fired int    `json:"fired"`
	}
	if _, err := cloud.Admin(context.Background(), http.MethodGet, "/faults", nil, &rules); err != nil {
		t.Fatalf("list faults: %v", err)
	}
	for _, r := range rules {
		if r.ID == id {
			return r.Fired
		}
	}
	t.Fatalf("fault rule %s is gone", id)
	return 0
}

// serviceCall is one AWS call in the simulated account's call log.
type serviceCall struct {
	Time      time.Time `json:"time"`
	Service   string    `json:"service"`
	Action    string    `json:"action"`
	Status    int       `json:"status"`
	ErrorCode string    `json:"errorCode"`
	AppID     string    `json:"appId"`
}

// serviceCalls are the calls the service's Lambdas made in the account.
func serviceCalls(t *testing.T, account string) []serviceCall {
	t.Helper()
	var log struct {
		Calls []serviceCall `json:"calls"`
	}
	if _, err := cloud.Admin(context.Background(), http.MethodGet, "/calls?account="+account, nil, &log); err != nil {
		t.Fatalf("read the call log of %s: %v", account, err)
	}
	var out []serviceCall
	for _, c := range log.Calls {
		if strings.HasPrefix(c.AppID, "lambda.") {
			out = append(out, c)
		}
	}
	return out
}

// creates reports whether an action makes something (what a provisioning
// step does and a deletion never should).
func creates(action string) bool {
	for _, p := range []string{"Create", "Run", "Allocate", "Associate", "Attach", "Register", "Authorize"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// lambdaLogLines are the lines of one function's log that mention s.
func lambdaLogLines(t *testing.T, fn, s string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(cloud.LogDir, fn+".log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("read the %s log: %v", fn, err)
	}
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

func mustJSON(t *testing.T, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
