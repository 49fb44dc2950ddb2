package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/clusterforge/clusterforge/local/harness"
	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

// roleTemplateFile is what `make synth` writes for customers to deploy.
const roleTemplateFile = "cdk.out/ClusterForgeCustomerRole.template.json"

const crClusterTimeout = 6 * time.Minute

// TestCustomerRoleTemplate proves the customer role stack grants enough:
// its role — trust policy and customer-managed policies, as the synthesized
// template declares them — is created in a fresh simulated account with the
// customer's admin keys, registered as an sts account, and a small cluster
// goes Running and then Deleted with every call made under IAM enforcement
// of that role. The same role without ec2:CreateNatGateway is then reported
// missing exactly that, and a cluster on it fails at preflight naming it.
func TestCustomerRoleTemplate(t *testing.T) {
	t.Parallel()
	tmpl := loadRoleTemplate(t)
	customer := newCustomerAccount(t)
	e := &tenantEnv{tenant: fmt.Sprintf("cr%d", time.Now().UnixNano()%1e9), customer: customer}
	e.api = as(t, e.tenant, "p1", "tenant-admin")
	var ext externalID
	e.api.must(t, http.StatusOK, http.MethodGet, "/v1/cloudaccounts/externalid", nil, &ext)
	params := map[string]string{"PlatformAccountId": ext.PlatformAccountID, "ExternalId": ext.ExternalID}
	iamc := iam.NewFromConfig(customerConfig(t, customer))
	var prf struct{ ID string }
	e.api.must(t, http.StatusCreated, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("k8s131"), &prf)
	e.profileID = prf.ID
	ensureKeyPair(t, customer, "ops")

	t.Run("full template", func(t *testing.T) {
		roleARN := tmpl.deploy(t, iamc, "full", params, nil)
		e.accountID = registerRole(t, e.api, "full", roleARN)
		if rep := crValidate(t, e.api, e.accountID); len(rep.MissingPermissions) > 0 {
			t.Fatalf("the template's role misses %v", rep.MissingPermissions)
		}
		var c clusterView
		e.api.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", crSmallCluster("cr-small", e.accountID, e.profileID), &c)
		running := e.waitStatus(t, c.ID, "Running", crClusterTimeout)
		t.Logf("role %s (from %s): cluster %s Running with %d resources", roleARN, tmpl.source, c.ID, len(running.Resources))
		e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+c.ID, nil, nil)
		e.waitStatus(t, c.ID, "Deleted", crClusterTimeout)
		if left := tagged(t, customer, c.ID); len(left) > 0 {
			t.Errorf("left in the account after delete: %v", left)
		}
	})

	t.Run("without ec2:CreateNatGateway", func(t *testing.T) {
		const dropped = "ec2:CreateNatGateway"
		roleARN := tmpl.deploy(t, iamc, "nonat", params, func(a string) bool { return a != dropped })
		accountID := registerRole(t, e.api, "nonat", roleARN)
		rep := crValidate(t, e.api, accountID)
		t.Logf("validate: missingPermissions %v", rep.MissingPermissions)
		if !slices.Equal(rep.MissingPermissions, []string{dropped}) {
			t.Errorf("missingPermissions = %v, want exactly [%s]", rep.MissingPermissions, dropped)
		}
		var c clusterView
		r := e.api.send(t, http.MethodPost, "/v1/clusters", crSmallCluster("cr-nonat", accountID, e.profileID))
		switch r.Status {
		case http.StatusAccepted:
			if err := json.Unmarshal(r.Body, &c); err != nil {
				t.Fatal(err)
			}
			c = e.waitStatus(t, c.ID, "Failed", crClusterTimeout)
			t.Logf("cluster %s Failed: %s", c.ID, c.StatusMessage)
			if !strings.Contains(c.StatusMessage, dropped) {
				t.Errorf("failed cluster's message %q does not name %s", c.StatusMessage, dropped)
			}
			for _, task := range c.Tasks {
				if task.Name == "preflight" && task.State != "Failed" {
					t.Errorf("preflight task is %s, want Failed", task.State)
				}
			}
		default: // a synchronous refusal must name the action too
			t.Logf("create answered %d: %s", r.Status, r.Body)
			if !strings.Contains(string(r.Body), dropped) {
				t.Errorf("create = %d %s, does not name %s", r.Status, r.Body, dropped)
			}
		}
	})
}

// crSmallCluster is harness.ExampleCluster cut to one AZ and one
// control-plane node without workers: every kind of resource, fewest calls.
func crSmallCluster(name, accountID, profileID string) map[string]any {
	c := harness.ExampleCluster(name, accountID, profileID)
	azs := harness.ExampleAZs[:1]
	c["placement"].(map[string]any)["azs"] = azs
	c["nodePools"] = []map[string]any{
		{"name": "control-plane", "controlPlane": true, "size": 1, "instanceType": "m5.large", "allowWorkerCapability": true},
	}
	return c
}

func registerRole(t *testing.T, c *client, name, roleARN string) string {
	t.Helper()
	var acc cloudAccount
	c.must(t, http.StatusCreated, http.MethodPost, "/v1/cloudaccounts", stsAccount(name, roleARN), &acc)
	return acc.ID
}

func crValidate(t *testing.T, c *client, id string) validationReport {
	t.Helper()
	var rep validationReport
	c.must(t, http.StatusOK, http.MethodPost, "/v1/cloudaccounts/"+id+"/validate", map[string]string{"region": harness.ExampleRegion}, &rep)
	sort.Strings(rep.MissingPermissions)
	return rep
}

// roleTemplate is the role and policies of the customer role stack.
type roleTemplate struct {
	source   string
	trust    any            // AssumeRolePolicyDocument, intrinsics unresolved
	policies map[string]any // logical id → PolicyDocument
}

// loadRoleTemplate reads the synthesized template (`make test` synthesizes
// before it runs these tests). Without it — `go test ./e2e` on its own —
// the same documents come from shared/cloud/policy, which the infra tests
// prove the template embeds unchanged.
func loadRoleTemplate(t *testing.T) roleTemplate {
	t.Helper()
	root := os.Getenv("CLUSTERFORGE_ROOT")
	if root == "" {
		root = ".."
	}
	raw, err := os.ReadFile(filepath.Join(root, roleTemplateFile))
	if err != nil {
		t.Logf("%s not synthesized (%v): using shared/cloud/policy and the template's trust shape", roleTemplateFile, err)
		return policyPackageTemplate(t)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", roleTemplateFile, err)
	}
	rt := roleTemplate{source: roleTemplateFile, policies: map[string]any{}}
	for id, r := range doc.Resources {
		switch r.Type {
		case "AWS::IAM::Role":
			rt.trust = r.Properties["AssumeRolePolicyDocument"]
		case "AWS::IAM::ManagedPolicy":
			rt.policies[id] = r.Properties["PolicyDocument"]
		}
	}
	if rt.trust == nil || len(rt.policies) == 0 {
		t.Fatalf("%s: no role or no managed policies", roleTemplateFile)
	}
	return rt
}

func policyPackageTemplate(t *testing.T) roleTemplate {
	t.Helper()
	rt := roleTemplate{source: "shared/cloud/policy", policies: map[string]any{}}
	for _, d := range policy.Documents() {
		raw, err := policy.JSON(d.Name)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		rt.policies[d.Name] = doc
	}
	rt.trust = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Action": "sts:AssumeRole", "Effect": "Allow",
		"Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": map[string]any{"Ref": "ExternalId"}}},
		"Principal": map[string]any{"AWS": map[string]any{"Fn::Join": []any{"", []any{
			"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::", map[string]any{"Ref": "PlatformAccountId"}, ":root"}}}},
	}}}
	return rt
}

// deploy does what CloudFormation would with the template's IAM resources,
// through the customer's own IAM API: the role with the resolved trust
// policy and one managed policy per document. keep, when set, filters the
// actions of every statement (to take permissions away).
func (rt roleTemplate) deploy(t *testing.T, c *iam.Client, name string, params map[string]string, keep func(string) bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	trust, _ := json.Marshal(resolveIntrinsics(t, rt.trust, params))
	roleName := "ClusterForge-" + name
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(string(trust))})
	if err != nil {
		t.Fatalf("CreateRole %s (%s): %v", roleName, rt.source, err)
	}
	ids := make([]string, 0, len(rt.policies))
	for id := range rt.policies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		doc := resolveIntrinsics(t, rt.policies[id], params)
		if keep != nil {
			doc = filterActions(doc, keep)
		}
		body, _ := json.Marshal(doc)
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(roleName + "-" + id), PolicyDocument: aws.String(string(body))})
		if err != nil {
			t.Fatalf("CreatePolicy %s: %v", id, err)
		}
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatalf("AttachRolePolicy %s: %v", id, err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// resolveIntrinsics evaluates the intrinsics CDK puts in the role template
// (Ref of a parameter or AWS::Partition, Fn::Join); any other fails.
func resolveIntrinsics(t *testing.T, v any, params map[string]string) any {
	t.Helper()
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveIntrinsics(t, e, params)
		}
		return out
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			if ref == "AWS::Partition" {
				return "aws"
			}
			if p, ok := params[ref]; ok {
				return p
			}
			t.Fatalf("template refers to %s, which is not a parameter", ref)
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(x) == 1 {
			parts := resolveIntrinsics(t, join[1], params).([]any)
			strs := make([]string, len(parts))
			for i, p := range parts {
				strs[i] = fmt.Sprint(p)
			}
			return strings.Join(strs, join[0].(string))
		}
		out := map[string]any{}
		for k, e := range x {
			if strings.HasPrefix(k, "Fn::") {
				t.Fatalf("intrinsic %s not supported by this test", k)
			}
			out[k] = resolveIntrinsics(t, e, params)
		}
		return out
	}
	return v
}

// filterActions keeps the actions keep accepts; statements left with none
// are dropped.
func filterActions(doc any, keep func(string) bool) any {
	d := doc.(map[string]any)
	var stmts []any
	for _, s := range d["Statement"].([]any) {
		st := s.(map[string]any)
		var actions []any
		switch a := st["Action"].(type) {
		case string:
			if keep(a) {
				actions = append(actions, a)
			}
		case []any:
			for _, x := range a {
				if keep(x.(string)) {
					actions = append(actions, x)
				}
			}
		}
		if len(actions) == 0 {
			continue
		}
		copied := map[string]any{}
		for k, v := range st {
			copied[k] = v
		}
		copied["Action"] = actions
		stmts = append(stmts, copied)
	}
	return map[string]any{"Version": d["Version"], "Statement": stmts}
}
