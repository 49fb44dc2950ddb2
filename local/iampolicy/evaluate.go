package iampolicy

// Decision is the outcome of evaluating policies for one action, named as
// IAM's SimulatePrincipalPolicy names them.
type Decision string

// Decisions.
const (
	Allowed      Decision = "allowed"
	ImplicitDeny Decision = "implicitDeny"
	ExplicitDeny Decision = "explicitDeny"
)

// Policy is a parsed document with where it came from, for reporting.
type Policy struct {
	ID       string // policy name or ARN
	Type     string // SimulatePrincipalPolicy SourcePolicyType: role, user, user-managed, aws-managed
	Document Document
}

// MatchedStatement names a statement that decided an evaluation.
type MatchedStatement struct {
	PolicyID   string
	PolicyType string
	Index      int
	Effect     string
}

// Result is a decision and the statements behind it.
type Result struct {
	Decision Decision
	Matched  []MatchedStatement
}

// Evaluate decides whether identity policies allow action ("service:Name").
// An explicit Deny in any statement wins; otherwise any Allow allows; with
// neither, the action is implicitly denied. Resource and Condition are not
// evaluated (see the package comment).
func Evaluate(action string, policies []Policy) Result {
	var allows, denies []MatchedStatement
	for _, p := range policies {
		for i, s := range p.Document.Statement {
			if !s.coversAction(action) {
				continue
			}
			m := MatchedStatement{PolicyID: p.ID, PolicyType: p.Type, Index: i, Effect: s.Effect}
			if s.Effect == EffectDeny {
				denies = append(denies, m)
			} else {
				allows = append(allows, m)
			}
		}
	}
	switch {
	case len(denies) > 0:
		return Result{Decision: ExplicitDeny, Matched: denies}
	case len(allows) > 0:
		return Result{Decision: Allowed, Matched: allows}
	default:
		return Result{Decision: ImplicitDeny}
	}
}
