package policy

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

func TestRequiredActionsUnionSortedDeduplicated(t *testing.T) {
	got := RequiredActions()
	if !sort.StringsAreSorted(got) {
		t.Fatalf("not sorted: %v", got)
	}
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a] {
			t.Fatalf("duplicate %s", a)
		}
		seen[a] = true
		if strings.Count(a, ":") != 1 || strings.ContainsAny(a, " *") {
			t.Errorf("%q is not service:Action", a)
		}
	}
	for _, want := range []string{
		"ec2:CreateNatGateway",                   // controller
		"eks:CreateCluster",                      // EKS part
		"elasticloadbalancing:CreateTargetGroup", // extras
		"iam:SimulatePrincipalPolicy",            // extras
		"iam:CreateServiceLinkedRole",            // granted by six statements
		"eks:TagResource",                        // granted twice in the EKS part
	} {
		if !seen[want] {
			t.Errorf("RequiredActions lacks %s", want)
		}
	}
}

func TestRequiredActionsIsUnionOfDocuments(t *testing.T) {
	total := map[string]bool{}
	for _, d := range Documents() {
		for _, s := range d.Statement {
			for _, a := range s.Action {
				total[a] = true
			}
		}
	}
	if got := len(RequiredActions()); got != len(total) {
		t.Fatalf("RequiredActions has %d actions, documents %d distinct", got, len(total))
	}
	eks := ActionsOf(ControllerEKS)
	for _, a := range ActionsOf(Controller, Extras) {
		if strings.HasPrefix(a, "eks:") {
			t.Fatalf("a self-managed cluster's documents grant an EKS action: %s", a)
		}
	}
	for _, a := range ActionsOf(EKSExtras) {
		if !strings.HasPrefix(a, "eks:") {
			t.Errorf("the EKS extras grant %s", a)
		}
	}
	for _, a := range ActionsOf(Controller) {
		if a == "eks:CreateCluster" {
			t.Fatalf("controller document grants an EKS action: %s", a)
		}
	}
	if len(eks) == 0 || len(eks) >= len(RequiredActions()) {
		t.Fatalf("EKS part has %d actions", len(eks))
	}
}

func TestGrantsCarryResourcesAndConditions(t *testing.T) {
	grants := Grants("iam:CreateServiceLinkedRole")
	if len(grants) != 6 {
		t.Fatalf("iam:CreateServiceLinkedRole granted by %d statements, want 6", len(grants))
	}
	for _, g := range grants {
		if len(g.Condition["StringLike"]["iam:AWSServiceName"]) != 1 || g.Resource[0] == "*" {
			t.Errorf("grant lost its scope: %+v", g)
		}
	}
	if len(Grants("ec2:DoesNotExist")) != 0 {
		t.Fatal("grant for an action no document has")
	}
}

func TestDocumentsAreValidJSONAndAllowOnly(t *testing.T) {
	for _, name := range []string{Controller, ControllerEKS, Extras, EKSExtras} {
		b, err := JSON(name)
		if err != nil {
			t.Fatal(err)
		}
		var d Document
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Version != "2012-10-17" || len(d.Statement) == 0 {
			t.Fatalf("%s: version %q, %d statements", name, d.Version, len(d.Statement))
		}
		for _, s := range d.Statement {
			if s.Effect != "Allow" || len(s.Action) == 0 || len(s.Resource) == 0 {
				t.Errorf("%s: statement %+v", name, s)
			}
		}
	}
}

func TestStringListAcceptsStringOrList(t *testing.T) {
	var s Statement
	if err := json.Unmarshal([]byte(`{"Effect":"Allow","Action":"ec2:A","Resource":["*"]}`), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Action) != 1 || s.Action[0] != "ec2:A" {
		t.Fatalf("%v", s.Action)
	}
	if err := json.Unmarshal([]byte(`{"Action":3}`), &s); err == nil {
		t.Fatal("a number was accepted as an action")
	}
}
