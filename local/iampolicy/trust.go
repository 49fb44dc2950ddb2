package iampolicy

import "strings"

// TrustRequest describes an sts:AssumeRole call to check against a role's
// trust policy.
type TrustRequest struct {
	Action        string // sts:AssumeRole
	CallerAccount string // 12-digit account id of the caller
	CallerARN     string // the caller's ARN (root, user, or assumed-role session)
	CallerRoleARN string // for an assumed-role caller, the role's IAM ARN
	ExternalID    string // "" when the request carried none
	HasExternalID bool
}

// EvaluateTrust decides whether a trust policy lets the caller assume the
// role. Statements apply when their Principal names the caller (account id,
// account root ARN, the caller's ARN or role ARN, or "*"), their Action
// covers the request's, and every condition holds. Explicit Deny wins.
// Only the condition keys AssumeRole needs are known (sts:ExternalId,
// aws:PrincipalArn, aws:PrincipalAccount); a statement with any other key
// is treated as not applying, which fails closed for Allow.
func EvaluateTrust(doc Document, req TrustRequest) Decision {
	decision := ImplicitDeny
	for _, s := range doc.Statement {
		if !s.coversAction(req.Action) || !principalMatches(s, req) || !conditionsHold(s.Condition, req) {
			continue
		}
		if s.Effect == EffectDeny {
			return ExplicitDeny
		}
		decision = Allowed
	}
	return decision
}

func principalMatches(s Statement, req TrustRequest) bool {
	if len(s.NotPrincipal) > 0 {
		return !principalListMatches(s.NotPrincipal["AWS"], req)
	}
	return principalListMatches(s.Principal["AWS"], req)
}

func principalListMatches(values []string, req TrustRequest) bool {
	for _, v := range values {
		switch {
		case v == "*":
			return true
		case v == req.CallerAccount, v == "arn:aws:iam::"+req.CallerAccount+":root":
			return true
		case strings.EqualFold(v, req.CallerARN), req.CallerRoleARN != "" && strings.EqualFold(v, req.CallerRoleARN):
			return true
		}
	}
	return false
}

func conditionsHold(cond map[string]map[string]StringList, req TrustRequest) bool {
	for operator, keys := range cond {
		for key, want := range keys {
			got, present := conditionValue(key, req)
			if !present || !conditionOperatorHolds(operator, want, got) {
				return false
			}
		}
	}
	return true
}

func conditionValue(key string, req TrustRequest) (string, bool) {
	switch strings.ToLower(key) {
	case "sts:externalid":
		return req.ExternalID, req.HasExternalID
	case "aws:principalarn":
		if req.CallerRoleARN != "" {
			return req.CallerRoleARN, true
		}
		return req.CallerARN, true
	case "aws:principalaccount":
		return req.CallerAccount, true
	}
	return "", false
}

func conditionOperatorHolds(operator string, want []string, got string) bool {
	for _, w := range want {
		switch operator {
		case "StringEquals":
			if w == got {
				return true
			}
		case "StringEqualsIgnoreCase":
			if strings.EqualFold(w, got) {
				return true
			}
		case "StringLike", "ArnLike", "ArnEquals":
			if matchFold(w, got) {
				return true
			}
		}
	}
	return false
}
