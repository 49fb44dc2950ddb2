// Package iampolicy parses IAM policy documents and evaluates them.
//
// Identity policies are evaluated at action level only: Resource,
// NotResource and Condition are parsed but not evaluated, so a statement
// applies to every resource. That is enough to prove that a role template
// grants the actions a workflow calls (the permission preflight's question)
// while keeping the evaluator small; a statement whose Resource could never
// match anything is therefore still counted. Trust policies (EvaluateTrust)
// do evaluate Principal and the few condition keys AssumeRole needs.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy document.
type Statement struct {
	Sid          string                           `json:"Sid,omitempty"`
	Effect       string                           `json:"Effect"`
	Principal    Principals                       `json:"Principal,omitempty"`
	NotPrincipal Principals                       `json:"NotPrincipal,omitempty"`
	Action       StringList                       `json:"Action,omitempty"`
	NotAction    StringList                       `json:"NotAction,omitempty"`
	Resource     StringList                       `json:"Resource,omitempty"`
	NotResource  StringList                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]StringList `json:"Condition,omitempty"`
}

// Effects.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// StringList is a JSON string or array of strings.
type StringList []string

// UnmarshalJSON accepts "x" as well as ["x", "y"].
func (l *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or an array of strings: %w", err)
	}
	*l = many
	return nil
}

// Principals is a statement's Principal: "*" or {"AWS": …, "Service": …}.
type Principals map[string]StringList

// UnmarshalJSON accepts "*" (meaning every AWS principal) and the map form.
func (p *Principals) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		*p = Principals{"AWS": {star}}
		return nil
	}
	var m map[string]StringList
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	*p = m
	return nil
}

// Parse reads a policy document. IAM hands documents back URL-encoded, and
// callers pass them either way, so an encoded document is decoded first.
func Parse(doc string) (Document, error) {
	text := strings.TrimSpace(doc)
	if strings.HasPrefix(text, "%7B") || strings.HasPrefix(text, "%7b") {
		decoded, err := url.QueryUnescape(text)
		if err != nil {
			return Document{}, fmt.Errorf("url-decode policy document: %w", err)
		}
		text = decoded
	}
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return Document{}, fmt.Errorf("parse policy document: %w", err)
	}
	d := Document{Version: raw.Version, ID: raw.ID}
	if len(raw.Statement) == 0 {
		return d, nil
	}
	// Statement, like most policy fields, may be a single object.
	if raw.Statement[0] == '{' {
		var s Statement
		if err := json.Unmarshal(raw.Statement, &s); err != nil {
			return Document{}, fmt.Errorf("parse policy statement: %w", err)
		}
		d.Statement = []Statement{s}
		return d, nil
	}
	if err := json.Unmarshal(raw.Statement, &d.Statement); err != nil {
		return Document{}, fmt.Errorf("parse policy statements: %w", err)
	}
	for i, s := range d.Statement {
		if s.Effect != EffectAllow && s.Effect != EffectDeny {
			return Document{}, fmt.Errorf("statement %d: Effect %q is neither Allow nor Deny", i, s.Effect)
		}
	}
	return d, nil
}

// Match reports whether s matches an IAM wildcard pattern (* any run, ?
// one character), ignoring case as IAM does for action names.
func Match(pattern, s string) bool {
	return matchFold(strings.ToLower(pattern), strings.ToLower(s))
}

func matchFold(p, s string) bool {
	// Iterative glob match with single-star backtracking: linear enough for
	// the short patterns policies use, and free of recursion blow-up.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if Match(p, s) {
			return true
		}
	}
	return false
}

// coversAction reports whether the statement's Action/NotAction include action.
func (s Statement) coversAction(action string) bool {
	if len(s.NotAction) > 0 {
		return !matchAny(s.NotAction, action)
	}
	return matchAny(s.Action, action)
}
