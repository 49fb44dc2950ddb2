// Package iammirror keeps the IAM facts kumo stores but cannot answer for:
// trust policies, managed policy documents and versions, attachments and
// inline policies, per simulated account. The router forwards IAM calls to
// the account's kumo and, when kumo accepts one, feeds it to Observe; the
// mirror then answers what kumo lacks (GetPolicyVersion, policy versions,
// user inline policies, SimulatePrincipalPolicy) and gives the router each
// principal's policies for enforcement.
package iammirror

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/iampolicy"
)

// AdministratorAccessARN is the AWS managed policy every account can attach.
// kumo has no AWS managed policies, so the mirror serves attaching them
// (awsmanaged.go lists the ones it knows).
const AdministratorAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// Mirror is safe for concurrent use.
type Mirror struct {
	mu       sync.RWMutex
	accounts map[string]*accountIAM
	now      func() time.Time
}

type accountIAM struct {
	roles    map[string]*role          // by role name
	users    map[string]*user          // by user name
	policies map[string]*managedPolicy // by policy ARN
}

// entity is what roles and users share: policies attached and inline.
type entity struct {
	Name     string
	Path     string
	ARN      string
	ID       string
	Attached map[string]bool   // managed policy ARNs
	Inline   map[string]string // policy name → JSON document
}

type role struct {
	entity
	Trust      string
	MaxSession int
	Tags       map[string]string
}

type user struct {
	entity
	AccessKeys map[string]bool
}

type managedPolicy struct {
	ARN, Name      string
	Versions       []policyVersion
	DefaultVersion string
	nextVersion    int
}

type policyVersion struct {
	ID       string
	Document string
	Created  time.Time
}

// New returns an empty mirror.
func New() *Mirror {
	return &Mirror{accounts: map[string]*accountIAM{}, now: time.Now}
}

func (m *Mirror) account(id string) *accountIAM {
	a, ok := m.accounts[id]
	if !ok {
		a = &accountIAM{roles: map[string]*role{}, users: map[string]*user{}, policies: map[string]*managedPolicy{}}
		m.accounts[id] = a
	}
	return a
}

// Role is what STS needs to know about a role.
type Role struct {
	Name, ARN, ID string
	TrustPolicy   string
	MaxSession    time.Duration
}

// Role returns a mirrored role of account accountID.
func (m *Mirror) Role(accountID, name string) (Role, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.accounts[accountID]
	if !ok {
		return Role{}, false
	}
	r, ok := a.roles[name]
	if !ok {
		return Role{}, false
	}
	maxSession := time.Hour
	if r.MaxSession > 0 {
		maxSession = time.Duration(r.MaxSession) * time.Second
	}
	return Role{Name: r.Name, ARN: r.ARN, ID: r.ID, TrustPolicy: r.Trust, MaxSession: maxSession}, true
}

// RolePolicies returns the identity policies of a role (attached and inline).
func (m *Mirror) RolePolicies(accountID, roleName string) []iampolicy.Policy {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.accounts[accountID]
	if !ok || a.roles[roleName] == nil {
		return nil
	}
	return a.policiesOf(&a.roles[roleName].entity, "role")
}

// UserPolicies returns the identity policies of an IAM user.
func (m *Mirror) UserPolicies(accountID, userName string) []iampolicy.Policy {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.accounts[accountID]
	if !ok || a.users[userName] == nil {
		return nil
	}
	return a.policiesOf(&a.users[userName].entity, "user")
}

// policiesOf parses e's policies. Documents were accepted by IAM, so a
// parse failure is unexpected; such a document is skipped, which can only
// deny more, never allow more.
func (a *accountIAM) policiesOf(e *entity, inlineType string) []iampolicy.Policy {
	var out []iampolicy.Policy
	for _, policyARN := range sortedKeys(e.Attached) {
		doc, kind, ok := a.defaultDocument(policyARN)
		if !ok {
			continue
		}
		if d, err := iampolicy.Parse(doc); err == nil {
			out = append(out, iampolicy.Policy{ID: policyARN, Type: kind, Document: d})
		}
	}
	for _, name := range sortedKeys(e.Inline) {
		if d, err := iampolicy.Parse(e.Inline[name]); err == nil {
			out = append(out, iampolicy.Policy{ID: name, Type: inlineType, Document: d})
		}
	}
	return out
}

func (a *accountIAM) defaultDocument(policyARN string) (doc, kind string, ok bool) {
	if doc, ok := awsManagedPolicies[policyARN]; ok {
		return doc, "aws-managed", true
	}
	p, ok := a.policies[policyARN]
	if !ok {
		return "", "", false
	}
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document, "user-managed", true
		}
	}
	return "", "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// arnFor builds an IAM ARN the way IAM does: path defaults to "/".
func arnFor(accountID, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:aws:iam::%s:%s%s%s", accountID, kind, path, name)
}

// Observe records an IAM call that the account's kumo answered successfully.
// form is the request as the client sent it (real account ids), response is
// kumo's answer after account-id rewriting.
func (m *Mirror) Observe(accountID, action string, form url.Values, response []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.account(accountID)
	switch action {
	case "CreateRole":
		name, path := form.Get("RoleName"), form.Get("Path")
		r := &role{entity: newEntity(name, path, arnFor(accountID, "role", path, name), awsproto.XMLText(response, "RoleId")),
			Trust: form.Get("AssumeRolePolicyDocument"), Tags: map[string]string{}}
		r.tag(form)
		fmt.Sscan(form.Get("MaxSessionDuration"), &r.MaxSession)
		a.roles[name] = r
	case "TagRole":
		if r := a.roles[form.Get("RoleName")]; r != nil {
			r.tag(form)
		}
	case "UpdateAssumeRolePolicy":
		if r := a.roles[form.Get("RoleName")]; r != nil {
			r.Trust = form.Get("PolicyDocument")
		}
	case "UpdateRole":
		if r := a.roles[form.Get("RoleName")]; r != nil && form.Get("MaxSessionDuration") != "" {
			fmt.Sscan(form.Get("MaxSessionDuration"), &r.MaxSession)
		}
	case "DeleteRole":
		delete(a.roles, form.Get("RoleName"))
	case "CreateUser":
		name, path := form.Get("UserName"), form.Get("Path")
		a.users[name] = &user{entity: newEntity(name, path, arnFor(accountID, "user", path, name), awsproto.XMLText(response, "UserId")),
			AccessKeys: map[string]bool{}}
	case "DeleteUser":
		delete(a.users, form.Get("UserName"))
	case "CreatePolicy":
		name, path := form.Get("PolicyName"), form.Get("Path")
		p := &managedPolicy{ARN: arnFor(accountID, "policy", path, name), Name: name}
		p.addVersion(form.Get("PolicyDocument"), m.now(), true)
		a.policies[p.ARN] = p
	case "DeletePolicy":
		delete(a.policies, form.Get("PolicyArn"))
	case "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy":
		if r := a.roles[form.Get("RoleName")]; r != nil {
			r.apply(action, form)
		}
	case "AttachUserPolicy", "DetachUserPolicy":
		if u := a.users[form.Get("UserName")]; u != nil {
			u.apply(action, form)
		}
	}
}

func newEntity(name, path, arn, id string) entity {
	if path == "" {
		path = "/"
	}
	return entity{Name: name, Path: path, ARN: arn, ID: id, Attached: map[string]bool{}, Inline: map[string]string{}}
}

// apply records an attachment or inline-policy change on a role or user.
func (e *entity) apply(action string, form url.Values) {
	switch {
	case strings.HasPrefix(action, "Attach"):
		e.Attached[form.Get("PolicyArn")] = true
	case strings.HasPrefix(action, "Detach"):
		delete(e.Attached, form.Get("PolicyArn"))
	case strings.HasPrefix(action, "Put"):
		e.Inline[form.Get("PolicyName")] = form.Get("PolicyDocument")
	case strings.HasPrefix(action, "Delete"):
		delete(e.Inline, form.Get("PolicyName"))
	}
}

func (p *managedPolicy) addVersion(doc string, at time.Time, makeDefault bool) policyVersion {
	p.nextVersion++
	v := policyVersion{ID: fmt.Sprintf("v%d", p.nextVersion), Document: doc, Created: at}
	p.Versions = append(p.Versions, v)
	if makeDefault || p.DefaultVersion == "" {
		p.DefaultVersion = v.ID
	}
	return v
}
