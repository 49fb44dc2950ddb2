package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Every role carries its logs, traces, table and table key; beyond that
// each holds only what its function calls (written out here, independently
// of access.go, from what the functions' code calls).
var commonPrefixes = []string{"logs:", "xray:", "dynamodb:", "kms:"}

var wantActions = map[string][]string{
	"api": {
		"iam:PassRole",
		"scheduler:CreateSchedule", "scheduler:DeleteSchedule",
		"secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue", "secretsmanager:TagResource",
		"states:DescribeExecution", "states:StartExecution", "states:StopExecution",
		"sts:AssumeRole",
	},
	"preflight":    {"secretsmanager:GetSecretValue", "sts:AssumeRole"},
	"network":      {"secretsmanager:GetSecretValue", "sts:AssumeRole"},
	"loadbalancer": {"secretsmanager:GetSecretValue", "sts:AssumeRole"},
	"eks":          {"secretsmanager:GetSecretValue", "sts:AssumeRole"},
	"compute": {
		"secretsmanager:CreateSecret", "secretsmanager:GetSecretValue", "secretsmanager:TagResource", "sts:AssumeRole",
	},
	"lifecycle": {
		"scheduler:DeleteSchedule", "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue", "sts:AssumeRole",
	},
	"forcedelete-unlock": nil,
}

func TestFunctionRolesLeastPrivilege(t *testing.T) {
	for name, id := range functionIDs(t) {
		want, ok := wantActions[name]
		if !ok {
			t.Errorf("function %s: no expectation in wantActions", name)
			continue
		}
		role := roleOf(t, id)
		if arns := props(resources(platformJSON, "AWS::IAM::Role")[role])["ManagedPolicyArns"]; arns != nil {
			t.Errorf("%s: managed policies %v (want its own statements only)", name, arns)
		}
		var got []string
		for _, a := range roleActions(role) {
			if !hasAnyPrefix(a, commonPrefixes) && !slices.Contains(got, a) {
				got = append(got, a)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s role: actions %v, want %v", name, got, want)
		}
	}
	// The examples, spelled out.
	unlock := roleActions(roleOf(t, functionIDs(t)["forcedelete-unlock"]))
	for _, a := range unlock {
		if strings.HasPrefix(a, "states:") || a == "sts:AssumeRole" || strings.HasPrefix(a, "secretsmanager:") {
			t.Errorf("forcedelete-unlock may %s", a)
		}
	}
}

// The scheduler's role may invoke forcedelete-unlock and nothing else.
func TestSchedulerRole(t *testing.T) {
	for id, r := range resources(platformJSON, "AWS::IAM::Role") {
		if !strings.Contains(jsonString(props(r)["AssumeRolePolicyDocument"]), "scheduler.amazonaws.com") {
			continue
		}
		stmts := roleStatements(id)
		if len(stmts) != 1 || !slices.Equal(toStrings(stmts[0]["Action"]), []string{"lambda:InvokeFunction"}) ||
			!strings.Contains(jsonString(stmts[0]["Resource"]), "function:clusterforge-forcedelete-unlock") {
			t.Errorf("scheduler role statements %s", jsonString(stmts))
		}
		return
	}
	t.Error("no role trusts scheduler.amazonaws.com")
}

// roleOf is the logical id of a function's execution role.
func roleOf(t *testing.T, fnID string) string {
	t.Helper()
	fn := resources(platformJSON, "AWS::Lambda::Function")[fnID]
	att, _ := props(fn)["Role"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(att) != 2 {
		t.Fatalf("%s: role is not a GetAtt: %v", fnID, props(fn)["Role"])
	}
	return att[0].(string)
}

// roleStatements are the statements of every inline policy on role.
func roleStatements(role string) []map[string]any {
	var out []map[string]any
	for _, pol := range resources(platformJSON, "AWS::IAM::Policy") {
		p := props(pol)
		attached := false
		for _, r := range p["Roles"].([]any) {
			if ref, _ := r.(map[string]any)["Ref"].(string); ref == role {
				attached = true
			}
		}
		if !attached {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

func roleActions(role string) []string {
	var out []string
	for _, s := range roleStatements(role) {
		out = append(out, toStrings(s["Action"])...)
	}
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// toStrings reads IAM's "one string or a list" form.
func toStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonEqual(a, b any) bool { return jsonString(a) == jsonString(b) }
