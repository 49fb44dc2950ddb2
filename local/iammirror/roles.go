package iammirror

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// tag merges the Tags.member.N entries of a CreateRole or TagRole request.
func (r *role) tag(form url.Values) {
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		key, ok := form[prefix+"Key"]
		if !ok || len(key) == 0 {
			return
		}
		r.Tags[key[0]] = form.Get(prefix + "Value")
	}
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// serveRoleLists answers ListRoleTags (kumo lacks it) and
// ListAttachedRolePolicies (kumo does not know AWS managed attachments,
// which the mirror serves).
func (m *Mirror) serveRoleLists(accountID, action string, form url.Values, meta responseMetadata) (any, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.accounts[accountID]
	name := form.Get("RoleName")
	if a == nil || a.roles[name] == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	r := a.roles[name]
	if action == "ListRoleTags" {
		tags := make([]xmlTag, 0, len(r.Tags))
		for _, k := range sortedKeys(r.Tags) {
			tags = append(tags, xmlTag{k, r.Tags[k]})
		}
		return struct {
			XMLName     xml.Name         `xml:"ListRoleTagsResponse"`
			NS          string           `xml:"xmlns,attr"`
			Tags        []xmlTag         `xml:"ListRoleTagsResult>Tags>member"`
			IsTruncated bool             `xml:"ListRoleTagsResult>IsTruncated"`
			Metadata    responseMetadata `xml:"ResponseMetadata"`
		}{NS: iamNamespace, Tags: tags, Metadata: meta}, nil
	}
	attached := make([]xmlAttachedPolicy, 0, len(r.Attached))
	for _, arn := range sortedKeys(r.Attached) {
		n := policyName(arn)
		if p := a.policies[arn]; p != nil {
			n = p.Name
		}
		attached = append(attached, xmlAttachedPolicy{n, arn})
	}
	return struct {
		XMLName     xml.Name            `xml:"ListAttachedRolePoliciesResponse"`
		NS          string              `xml:"xmlns,attr"`
		Policies    []xmlAttachedPolicy `xml:"ListAttachedRolePoliciesResult>AttachedPolicies>member"`
		IsTruncated bool                `xml:"ListAttachedRolePoliciesResult>IsTruncated"`
		Metadata    responseMetadata    `xml:"ResponseMetadata"`
	}{NS: iamNamespace, Policies: attached, Metadata: meta}, nil
}

// Refuse returns the error IAM answers for a call the mirror knows must
// fail although kumo would accept it: DeleteRole while managed policies
// (kumo does not see AWS managed attachments) or inline policies remain.
func (m *Mirror) Refuse(accountID, action string, form url.Values) error {
	if action != "DeleteRole" {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.accounts[accountID]
	if a == nil || a.roles[form.Get("RoleName")] == nil {
		return nil
	}
	r := a.roles[form.Get("RoleName")]
	switch {
	case len(r.Attached) > 0:
		return awsproto.Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	case len(r.Inline) > 0:
		return awsproto.Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	return nil
}
