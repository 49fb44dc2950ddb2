package iampolicy

import "testing"

func mustParse(t *testing.T, doc string) Document {
	t.Helper()
	d, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "ec2:RunInstances", true},
		{"ec2:*", "ec2:RunInstances", true},
		{"ec2:Describe*", "EC2:describeVpcs", true},
		{"ec2:Describe*", "ec2:CreateVpc", false},
		{"ec2:?unInstances", "ec2:RunInstances", true},
		{"ec2:*Nat*", "ec2:CreateNatGateway", true},
		{"iam:Get*Policy", "iam:GetRolePolicyVersion", false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	allowAll := Policy{ID: "all", Document: mustParse(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}
	denyNat := Policy{ID: "nat", Document: mustParse(t, `{"Statement":[{"Effect":"Deny","Action":["ec2:CreateNatGateway"],"Resource":"*"}]}`)}
	notIAM := Policy{ID: "notiam", Document: mustParse(t, `{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`)}
	// URL-encoded, as IAM hands documents back.
	encoded := Policy{ID: "enc", Document: mustParse(t, `%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22dynamodb%3AGetItem%22%7D%5D%7D`)}

	cases := []struct {
		name     string
		action   string
		policies []Policy
		want     Decision
	}{
		{"no policies", "ec2:RunInstances", nil, ImplicitDeny},
		{"allow star", "ec2:RunInstances", []Policy{allowAll}, Allowed},
		{"deny wins", "ec2:CreateNatGateway", []Policy{allowAll, denyNat}, ExplicitDeny},
		{"deny wins, case-insensitive", "EC2:createnatgateway", []Policy{allowAll, denyNat}, ExplicitDeny},
		{"NotAction allows others", "ec2:RunInstances", []Policy{notIAM}, Allowed},
		{"NotAction excludes", "iam:CreateRole", []Policy{notIAM}, ImplicitDeny},
		{"encoded document", "dynamodb:GetItem", []Policy{encoded}, Allowed},
		{"encoded document, other action", "dynamodb:PutItem", []Policy{encoded}, ImplicitDeny},
	}
	for _, c := range cases {
		if got := Evaluate(c.action, c.policies).Decision; got != c.want {
			t.Errorf("%s: Evaluate(%s) = %s, want %s", c.name, c.action, got, c.want)
		}
	}
}

func TestParseRejectsBadEffect(t *testing.T) {
	if _, err := Parse(`{"Statement":[{"Effect":"Maybe","Action":"*"}]}`); err == nil {
		t.Fatal("Parse accepted Effect Maybe")
	}
}

func TestEvaluateTrust(t *testing.T) {
	doc := mustParse(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::333333333333:role/ops"]},
		"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}`)
	root := TrustRequest{Action: "sts:AssumeRole", CallerAccount: "111111111111", CallerARN: "arn:aws:iam::111111111111:root", ExternalID: "ext-1", HasExternalID: true}
	cases := []struct {
		name string
		edit func(r *TrustRequest)
		want Decision
	}{
		{"account id principal", func(*TrustRequest) {}, Allowed},
		{"wrong external id", func(r *TrustRequest) { r.ExternalID = "nope" }, ImplicitDeny},
		{"missing external id", func(r *TrustRequest) { r.ExternalID, r.HasExternalID = "", false }, ImplicitDeny},
		{"other account", func(r *TrustRequest) { r.CallerAccount, r.CallerARN = "222222222222", "arn:aws:iam::222222222222:root" }, ImplicitDeny},
		{"role principal", func(r *TrustRequest) {
			r.CallerAccount, r.CallerARN = "333333333333", "arn:aws:sts::333333333333:assumed-role/ops/s"
			r.CallerRoleARN = "arn:aws:iam::333333333333:role/ops"
		}, Allowed},
		{"other action", func(r *TrustRequest) { r.Action = "sts:TagSession" }, ImplicitDeny},
	}
	for _, c := range cases {
		req := root
		c.edit(&req)
		if got := EvaluateTrust(doc, req); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	star := mustParse(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)
	if got := EvaluateTrust(star, root); got != ExplicitDeny {
		t.Errorf("deny in trust policy: %s, want explicitDeny", got)
	}
}
