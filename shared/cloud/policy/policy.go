// Package policy holds the IAM policy documents a customer attaches to the
// role (or user) ClusterForge uses, embedded so that the permission checks
// and the role template can never drift apart. See README.md for where each
// document comes from and why the extras are needed.
package policy

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed *.json
var files embed.FS

// Names of the embedded documents, in the order they are attached.
const (
	Controller    = "controller"
	ControllerEKS = "controllers-eks"
	Extras        = "clusterforge-extras"
	// EKSExtras is what ClusterForge calls on EKS that controllers-eks
	// omits; like it, only eks clusters' preflight demands it.
	EKSExtras = "clusterforge-eks-extras"
)

var order = []string{Controller, ControllerEKS, Extras, EKSExtras}

// Document is an IAM policy document.
type Document struct {
	Name      string      `json:"-"`
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document. Conditions are kept as the
// operator → key → value(s) map IAM uses, so the permission simulation can
// supply the matching context values (e.g. iam:AWSServiceName).
type Statement struct {
	Sid       string                           `json:"Sid,omitempty"`
	Effect    string                           `json:"Effect"`
	Action    StringList                       `json:"Action"`
	Resource  StringList                       `json:"Resource"`
	Condition map[string]map[string]StringList `json:"Condition,omitempty"`
}

// StringList accepts both forms IAM allows for Action, Resource and
// condition values: a single string or a list of strings.
type StringList []string

func (l *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = many
	return nil
}

var (
	loadOnce sync.Once
	docs     []Document
	loadErr  error
)

func load() ([]Document, error) {
	loadOnce.Do(func() {
		for _, name := range order {
			b, err := files.ReadFile(name + ".json")
			if err != nil {
				loadErr = fmt.Errorf("policy %s: %w", name, err)
				return
			}
			d := Document{Name: name}
			if err := json.Unmarshal(b, &d); err != nil {
				loadErr = fmt.Errorf("policy %s: %w", name, err)
				return
			}
			docs = append(docs, d)
		}
	})
	return docs, loadErr
}

// Documents returns the embedded documents. They are compiled in, so a
// parse error is a build defect and panics (the tests parse them).
func Documents() []Document {
	d, err := load()
	if err != nil {
		panic(err)
	}
	return d
}

// JSON returns the raw embedded document by name, for the role template.
func JSON(name string) ([]byte, error) {
	return files.ReadFile(name + ".json")
}

// RequiredActions is the sorted, deduplicated union of the actions every
// Allow statement grants, as "service:Action".
func RequiredActions() []string {
	return ActionsOf(order...)
}

// ActionsOf is RequiredActions restricted to the named documents, e.g. a
// self-managed cluster's preflight need not demand the EKS statements.
func ActionsOf(names ...string) []string {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, d := range Documents() {
		if !want[d.Name] {
			continue
		}
		for _, s := range d.Statement {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Action {
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Grants returns the Allow statements that grant action, so a checker can
// evaluate the action against the resources and conditions it was granted
// for rather than against "*" (IAM's simulator denies a resource-scoped or
// conditional grant when asked about "*" with no context).
func Grants(action string) []Statement {
	var out []Statement
	for _, d := range Documents() {
		for _, s := range d.Statement {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Action {
				if strings.EqualFold(a, action) {
					out = append(out, s)
					break
				}
			}
		}
	}
	return out
}
