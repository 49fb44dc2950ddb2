package iammirror

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/iampolicy"
)

type xmlMatchedStatement struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType"`
}

type xmlEvaluationResult struct {
	EvalActionName    string                `xml:"EvalActionName"`
	EvalResourceName  string                `xml:"EvalResourceName"`
	EvalDecision      string                `xml:"EvalDecision"`
	MatchedStatements []xmlMatchedStatement `xml:"MatchedStatements>member"`
	MissingContext    []string              `xml:"MissingContextValues>member"`
}

// simulate answers SimulatePrincipalPolicy for a role, assumed-role session
// or user ARN of this account, with the same evaluator the router enforces.
func (m *Mirror) simulate(accountID string, form url.Values, meta responseMetadata) (any, error) {
	source := form.Get("PolicySourceArn")
	policies, err := m.policiesForARN(accountID, source)
	if err != nil {
		return nil, err
	}
	actions := memberList(form, "ActionNames")
	if len(actions) == 0 {
		return nil, awsproto.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	results := make([]xmlEvaluationResult, 0, len(actions))
	for _, action := range actions {
		r := iampolicy.Evaluate(action, policies)
		x := xmlEvaluationResult{EvalActionName: action, EvalResourceName: "*", EvalDecision: string(r.Decision)}
		for _, s := range r.Matched {
			x.MatchedStatements = append(x.MatchedStatements, xmlMatchedStatement{SourcePolicyID: s.PolicyID, SourcePolicyType: s.PolicyType})
		}
		results = append(results, x)
	}
	return struct {
		XMLName     xml.Name              `xml:"SimulatePrincipalPolicyResponse"`
		NS          string                `xml:"xmlns,attr"`
		Results     []xmlEvaluationResult `xml:"SimulatePrincipalPolicyResult>EvaluationResults>member"`
		IsTruncated bool                  `xml:"SimulatePrincipalPolicyResult>IsTruncated"`
		Metadata    responseMetadata      `xml:"ResponseMetadata"`
	}{NS: iamNamespace, Results: results, Metadata: meta}, nil
}

// policiesForARN resolves arn:aws:iam::<acct>:role/…, :user/… and
// arn:aws:sts::<acct>:assumed-role/<role>/<session> to identity policies.
func (m *Mirror) policiesForARN(accountID, arn string) ([]iampolicy.Policy, error) {
	invalid := awsproto.Errorf(http.StatusBadRequest, "InvalidInput", "Invalid ARN %q for PolicySourceArn.", arn)
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return nil, invalid
	}
	if parts[4] != accountID {
		return nil, noSuchEntity("PolicySourceArn %s is not in this account.", arn)
	}
	resource := parts[5]
	kind, rest, _ := strings.Cut(resource, "/")
	name := rest[strings.LastIndex(rest, "/")+1:]
	switch {
	case parts[2] == "iam" && kind == "role":
		if _, ok := m.Role(accountID, name); !ok {
			return nil, noSuchEntity("The role with name %s cannot be found.", name)
		}
		return m.RolePolicies(accountID, name), nil
	case parts[2] == "iam" && kind == "user":
		if !m.hasUser(accountID, name) {
			return nil, noSuchEntity("The user with name %s cannot be found.", name)
		}
		return m.UserPolicies(accountID, name), nil
	case parts[2] == "sts" && kind == "assumed-role":
		roleName, _, _ := strings.Cut(rest, "/")
		return m.RolePolicies(accountID, roleName), nil
	}
	return nil, invalid
}

func (m *Mirror) hasUser(accountID, name string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.accounts[accountID]
	return ok && a.users[name] != nil
}

// memberList reads a query-protocol list: Name.member.1, Name.member.2, …
func memberList(form url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[name+".member."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}
