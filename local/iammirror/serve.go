package iammirror

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

const iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// responseMetadata is the trailer of every IAM query response.
type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// Handles reports whether the mirror, not kumo, answers action. These are
// the IAM actions kumo does not implement (or answers without the AWS
// managed attachments only the mirror knows), plus attaching the AWS
// managed policies kumo does not know.
func Handles(action string, form url.Values) bool {
	switch action {
	case "GetPolicyVersion", "CreatePolicyVersion", "ListPolicyVersions", "DeletePolicyVersion",
		"SetDefaultPolicyVersion", "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy",
		"ListUserPolicies", "SimulatePrincipalPolicy", "ListRoleTags", "ListAttachedRolePolicies":
		return true
	case "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy":
		_, awsManaged := awsManagedPolicies[form.Get("PolicyArn")]
		return awsManaged
	}
	return false
}

// Serve answers an action for which Handles is true. It returns the value
// to encode as the XML response, or an *awsproto.APIError.
func (m *Mirror) Serve(accountID, action string, form url.Values, requestID string) (any, error) {
	meta := responseMetadata{RequestID: requestID}
	switch action {
	case "GetPolicyVersion", "CreatePolicyVersion", "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion":
		return m.servePolicyVersion(accountID, action, form, meta)
	case "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy", "ListUserPolicies":
		return m.serveUserInline(accountID, action, form, meta)
	case "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy":
		return m.serveAWSManagedAttachment(accountID, action, form, meta)
	case "SimulatePrincipalPolicy":
		return m.simulate(accountID, form, meta)
	case "ListRoleTags", "ListAttachedRolePolicies":
		return m.serveRoleLists(accountID, action, form, meta)
	}
	return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "The action '%s' is not valid", action)
}

func noSuchEntity(format string, args ...any) error {
	return awsproto.Errorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

type xmlPolicyVersion struct {
	Document         string    `xml:"Document,omitempty"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

func (p *managedPolicy) xmlVersion(v policyVersion, withDocument bool) xmlPolicyVersion {
	x := xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: v.Created.UTC()}
	if withDocument {
		// IAM returns documents URL-encoded (RFC 3986); SDK users unescape them.
		x.Document = encodeDocument(v.Document)
	}
	return x
}

func (m *Mirror) servePolicyVersion(accountID, action string, form url.Values, meta responseMetadata) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.account(accountID).policies[form.Get("PolicyArn")]
	if p == nil {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", form.Get("PolicyArn"))
	}
	versionID := form.Get("VersionId")
	switch action {
	case "CreatePolicyVersion":
		if len(p.Versions) >= 5 {
			return nil, awsproto.Errorf(http.StatusConflict, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
		}
		v := p.addVersion(form.Get("PolicyDocument"), m.now(), strings.EqualFold(form.Get("SetAsDefault"), "true"))
		return struct {
			XMLName  xml.Name         `xml:"CreatePolicyVersionResponse"`
			NS       string           `xml:"xmlns,attr"`
			Version  xmlPolicyVersion `xml:"CreatePolicyVersionResult>PolicyVersion"`
			Metadata responseMetadata `xml:"ResponseMetadata"`
		}{NS: iamNamespace, Version: p.xmlVersion(v, false), Metadata: meta}, nil
	case "ListPolicyVersions":
		versions := make([]xmlPolicyVersion, 0, len(p.Versions))
		for _, v := range p.Versions {
			versions = append(versions, p.xmlVersion(v, false))
		}
		return struct {
			XMLName     xml.Name           `xml:"ListPolicyVersionsResponse"`
			NS          string             `xml:"xmlns,attr"`
			Versions    []xmlPolicyVersion `xml:"ListPolicyVersionsResult>Versions>member"`
			IsTruncated bool               `xml:"ListPolicyVersionsResult>IsTruncated"`
			Metadata    responseMetadata   `xml:"ResponseMetadata"`
		}{NS: iamNamespace, Versions: versions, Metadata: meta}, nil
	}
	i := p.versionIndex(versionID)
	if i < 0 {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.ARN, versionID)
	}
	switch action {
	case "GetPolicyVersion":
		return struct {
			XMLName  xml.Name         `xml:"GetPolicyVersionResponse"`
			NS       string           `xml:"xmlns,attr"`
			Version  xmlPolicyVersion `xml:"GetPolicyVersionResult>PolicyVersion"`
			Metadata responseMetadata `xml:"ResponseMetadata"`
		}{NS: iamNamespace, Version: p.xmlVersion(p.Versions[i], true), Metadata: meta}, nil
	case "DeletePolicyVersion":
		if versionID == p.DefaultVersion {
			return nil, awsproto.Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete the default version of a policy.")
		}
		p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
	case "SetDefaultPolicyVersion":
		p.DefaultVersion = versionID
	}
	return emptyResult(action, meta), nil
}

func (p *managedPolicy) versionIndex(id string) int {
	for i, v := range p.Versions {
		if v.ID == id {
			return i
		}
	}
	return -1
}

// emptyResult is the answer of IAM actions that return only metadata.
func emptyResult(action string, meta responseMetadata) any {
	return struct {
		XMLName  xml.Name
		NS       string           `xml:"xmlns,attr"`
		Metadata responseMetadata `xml:"ResponseMetadata"`
	}{XMLName: xml.Name{Local: action + "Response"}, NS: iamNamespace, Metadata: meta}
}

func (m *Mirror) serveUserInline(accountID, action string, form url.Values, meta responseMetadata) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name := form.Get("UserName")
	u := m.account(accountID).users[name]
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	policyName := form.Get("PolicyName")
	switch action {
	case "PutUserPolicy":
		u.apply(action, form)
	case "DeleteUserPolicy":
		if _, ok := u.Inline[policyName]; !ok {
			return nil, noSuchEntity("The user policy with name %s cannot be found.", policyName)
		}
		u.apply(action, form)
	case "GetUserPolicy":
		doc, ok := u.Inline[policyName]
		if !ok {
			return nil, noSuchEntity("The user policy with name %s cannot be found.", policyName)
		}
		return struct {
			XMLName    xml.Name         `xml:"GetUserPolicyResponse"`
			NS         string           `xml:"xmlns,attr"`
			UserName   string           `xml:"GetUserPolicyResult>UserName"`
			PolicyName string           `xml:"GetUserPolicyResult>PolicyName"`
			Document   string           `xml:"GetUserPolicyResult>PolicyDocument"`
			Metadata   responseMetadata `xml:"ResponseMetadata"`
		}{NS: iamNamespace, UserName: name, PolicyName: policyName, Document: encodeDocument(doc), Metadata: meta}, nil
	case "ListUserPolicies":
		return struct {
			XMLName     xml.Name         `xml:"ListUserPoliciesResponse"`
			NS          string           `xml:"xmlns,attr"`
			Names       []string         `xml:"ListUserPoliciesResult>PolicyNames>member"`
			IsTruncated bool             `xml:"ListUserPoliciesResult>IsTruncated"`
			Metadata    responseMetadata `xml:"ResponseMetadata"`
		}{NS: iamNamespace, Names: sortedKeys(u.Inline), Metadata: meta}, nil
	}
	return emptyResult(action, meta), nil
}

func (m *Mirror) serveAWSManagedAttachment(accountID, action string, form url.Values, meta responseMetadata) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.account(accountID)
	var target *entity
	if strings.HasSuffix(action, "RolePolicy") {
		if r := a.roles[form.Get("RoleName")]; r != nil {
			target = &r.entity
		}
	} else if u := a.users[form.Get("UserName")]; u != nil {
		target = &u.entity
	}
	if target == nil {
		return nil, noSuchEntity("The entity named in %s cannot be found.", action)
	}
	if strings.HasPrefix(action, "Detach") && !target.Attached[form.Get("PolicyArn")] {
		return nil, noSuchEntity("Policy %s was not found.", form.Get("PolicyArn"))
	}
	target.apply(action, form)
	return emptyResult(action, meta), nil
}

// UserARN returns the ARN of a mirrored user, or the ARN IAM would give a
// user with the default path.
func (m *Mirror) UserARN(accountID, name string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if a, ok := m.accounts[accountID]; ok && a.users[name] != nil {
		return a.users[name].ARN
	}
	return arnFor(accountID, "user", "/", name)
}

// encodeDocument percent-encodes a policy document as IAM returns it: every
// reserved character escaped and spaces as %20, so that both query and path
// unescaping read it back unchanged.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
