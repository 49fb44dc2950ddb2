package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

func TestCustomerRoleTrust(t *testing.T) {
	check(t, "trust: platform account, ExternalId", func() {
		roleTmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]any{
			"AssumeRolePolicyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action":    "sts:AssumeRole",
					"Effect":    "Allow",
					"Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": map[string]any{"Ref": "ExternalId"}}},
					"Principal": map[string]any{"AWS": map[string]any{"Fn::Join": []any{"", []any{
						"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::", map[string]any{"Ref": "PlatformAccountId"}, ":root",
					}}}},
				}},
			},
		})
	})
	params := roleJSON["Parameters"].(map[string]any)
	if len(params) != 2 || params["PlatformAccountId"] == nil || params["ExternalId"] == nil {
		t.Errorf("parameters %v, want exactly PlatformAccountId and ExternalId (no CDK bootstrap in customers' accounts)", keysOf(params))
	}
	check(t, "RoleArn output", func() { roleTmpl.HasOutput(jsii.String("RoleArn"), &map[string]any{}) })
}

// Each embedded document is a customer-managed policy on the role, with
// the same statements (compared after IAM's string-or-list normalisation).
func TestCustomerRolePolicies(t *testing.T) {
	roleID := onlyID(t, roleJSON, "AWS::IAM::Role")
	docs := policy.Documents()
	managed := resources(roleJSON, "AWS::IAM::ManagedPolicy")
	if len(managed) != len(docs) {
		t.Fatalf("%d managed policies, want %d", len(managed), len(docs))
	}
	for _, want := range docs {
		found := false
		for id, mp := range managed {
			var got policy.Document
			raw, _ := json.Marshal(props(mp)["PolicyDocument"])
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			got.Name = want.Name
			if !reflect.DeepEqual(got, want) {
				continue
			}
			found = true
			if !jsonEqual(props(mp)["Roles"], []any{map[string]any{"Ref": roleID}}) {
				t.Errorf("%s (%s) is attached to %v", id, want.Name, props(mp)["Roles"])
			}
		}
		if !found {
			t.Errorf("no managed policy carries %s.json's statements", want.Name)
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
