package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/clusterforge/clusterforge/local/harness"
)

// Helpers of the provisioning tests (provision_test.go). Names carry a
// prov prefix so they cannot collide with other test files' helpers.

// provTimeout bounds one cluster's provisioning at the tests' time scale
// (~10–20 s when alone; several clusters in parallel share the Lambdas).
const provTimeout = 4 * time.Minute

// Tag keys the service puts on what it creates (DESIGN §4).
const (
	provTagResourceKey = "clusterforge.io/resource-key"
	provTagCAPARole    = "sigs.k8s.io/cluster-api-provider-aws/role"
	provTagELB         = "kubernetes.io/role/elb"
	provTagInternalELB = "kubernetes.io/role/internal-elb"
)

// provEnv is a fresh simulated AWS account with a fresh tenant registered
// on it, so what a test counts in the account is its cluster's alone.
func provEnv(t *testing.T) *tenantEnv {
	t.Helper()
	return newTenant(t, newCustomerAccount(t))
}

func provEC2(t *testing.T, e *tenantEnv) *ec2.Client {
	t.Helper()
	return ec2.NewFromConfig(customerConfig(t, e.customer))
}

func provELB(t *testing.T, e *tenantEnv) *elb.Client {
	t.Helper()
	return elb.NewFromConfig(customerConfig(t, e.customer))
}

func provCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func provTags(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func provFilter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String(name), Values: values}
}

// provInstances is every non-terminated instance carrying the cluster's id
// tag, read with the customer's own keys.
func provInstances(t *testing.T, e *tenantEnv, clusterID string) []ec2types.Instance {
	t.Helper()
	out, err := provEC2(t, e).DescribeInstances(provCtx(t), &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{provFilter("tag:"+harness.ClusterIDTag, clusterID)},
	})
	if err != nil {
		t.Fatalf("describe instances: %v", err)
	}
	var all []ec2types.Instance
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			if in.State != nil && in.State.Name != ec2types.InstanceStateNameTerminated {
				all = append(all, in)
			}
		}
	}
	return all
}

// provPoolOf is the node pool an instance belongs to, from its resource
// key (instance/<pool>/<i>; the bastion is instance/bastion).
func provPoolOf(in ec2types.Instance) string {
	key := provTags(in.Tags)[provTagResourceKey]
	parts := strings.Split(key, "/")
	if len(parts) >= 2 && parts[0] == "instance" {
		return parts[1]
	}
	return "?" + key
}

// provUserData decodes an instance's user data as the customer reads it.
func provUserData(t *testing.T, c *ec2.Client, id string) string {
	t.Helper()
	out, err := c.DescribeInstanceAttribute(provCtx(t), &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(id), Attribute: ec2types.InstanceAttributeNameUserData,
	})
	if err != nil {
		t.Fatalf("describe user data of %s: %v", id, err)
	}
	if out.UserData == nil || aws.ToString(out.UserData.Value) == "" {
		t.Fatalf("instance %s has no user data", id)
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.UserData.Value))
	if err != nil {
		t.Fatalf("user data of %s is not base64: %v", id, err)
	}
	return string(raw)
}

// provCall is one entry of the local cloud's call log.
type provCall struct {
	Service   string `json:"service"`
	Action    string `json:"action"`
	Status    int    `json:"status"`
	ErrorCode string `json:"errorCode"`
	AppID     string `json:"appId"`
	DryRun    bool   `json:"dryRun"`
}

func (c provCall) String() string {
	s := c.Service + ":" + c.Action
	if c.DryRun {
		s += "(DryRun)"
	}
	if c.ErrorCode != "" {
		s += "→" + c.ErrorCode
	}
	return s
}

// mutating reports a call that may change state in the account: anything
// but Describe/Get/List and EC2 DryRun probes. STS (AssumeRole,
// GetCallerIdentity) changes nothing in the account.
func (c provCall) mutating() bool {
	if c.DryRun || c.Service == "sts" {
		return false
	}
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(c.Action, p) {
			return false
		}
	}
	return true
}

// provServiceCalls is what the service's Lambdas (SDK app id lambda.<fn>.<n>)
// asked of the account, oldest first; the tests' own calls are left out.
func provServiceCalls(t *testing.T, account string) []provCall {
	t.Helper()
	var log struct {
		Calls []provCall `json:"calls"`
	}
	if _, err := cloud.Admin(provCtx(t), http.MethodGet, "/calls?account="+url.QueryEscape(account), nil, &log); err != nil {
		t.Fatalf("read the call log of %s: %v", account, err)
	}
	var out []provCall
	for _, c := range log.Calls {
		if strings.HasPrefix(c.AppID, "lambda.") {
			out = append(out, c)
		}
	}
	return out
}

func provMutating(calls []provCall) []string {
	var out []string
	for _, c := range calls {
		if c.mutating() {
			out = append(out, c.String())
		}
	}
	return out
}

// provFault installs a fault rule, removes it when the test ends, and
// returns a function that reads how often it fired.
func provFault(t *testing.T, rule map[string]any) func() int {
	t.Helper()
	var added struct {
		ID string `json:"id"`
	}
	if _, err := cloud.Admin(provCtx(t), http.MethodPost, "/faults", rule, &added); err != nil {
		t.Fatalf("add fault %v: %v", rule, err)
	}
	t.Cleanup(func() { _, _ = cloud.Admin(context.Background(), http.MethodDelete, "/faults/"+added.ID, nil, nil) })
	return func() int {
		var rules []struct {
			ID    string `json:"id"`
			Fired int    `json:"fired"`
		}
		if _, err := cloud.Admin(provCtx(t), http.MethodGet, "/faults", nil, &rules); err != nil {
			t.Fatalf("read faults: %v", err)
		}
		for _, r := range rules {
			if r.ID == added.ID {
				return r.Fired
			}
		}
		t.Fatalf("fault %s is gone", added.ID)
		return 0
	}
}

// provPinSpot pins the regional spot price of a type (every AZ) and clears it
// when the test ends.
func provPinSpot(t *testing.T, instanceType string, price float64) {
	t.Helper()
	// The market is regional: the account in the path does not narrow it.
	body := map[string]any{"region": harness.ExampleRegion, "instanceType": instanceType, "price": price}
	if _, err := cloud.Admin(provCtx(t), http.MethodPut, "/accounts/"+cloud.Customer.AccountID+"/spotprices", body, nil); err != nil {
		t.Fatalf("pin spot price %v: %v", body, err)
	}
	t.Cleanup(func() {
		q := url.Values{"region": {harness.ExampleRegion}, "instanceType": {instanceType}}
		_, _ = cloud.Admin(context.Background(), http.MethodDelete, "/accounts/"+cloud.Customer.AccountID+"/spotprices?"+q.Encode(), nil, nil)
	})
}

// clusterIDs lists the ids of the caller's clusters (every page).
func (c *client) provClusterIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	path := "/v1/clusters"
	for {
		var page struct {
			Items     []struct{ ID string } `json:"items"`
			NextToken string                `json:"nextToken"`
		}
		c.must(t, http.StatusOK, http.MethodGet, path, nil, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextToken == "" {
			return ids
		}
		path = "/v1/clusters?nextToken=" + url.QueryEscape(page.NextToken)
	}
}

func provCountLine(found map[string][]string) string {
	var parts []string
	for typ, ids := range found {
		parts = append(parts, fmt.Sprintf("%d %s", len(ids), typ))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func provSorted(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
