// Package sts serves the STS actions the local cloud needs — AssumeRole and
// GetCallerIdentity — in the front router, because only the router sees
// every account: AssumeRole looks the role up in the target account's IAM
// (through the mirror), checks its trust policy against the caller and the
// ExternalId, and mints temporary keys bound to the target account.
package sts

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/iammirror"
	"github.com/clusterforge/clusterforge/local/iampolicy"
)

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Roles finds a role and its trust policy in an account.
type Roles interface {
	Role(accountID, name string) (iammirror.Role, bool)
}

// Service answers STS calls. Now may be replaced in tests.
type Service struct {
	accounts *accounts.Registry
	roles    Roles
	Now      func() time.Time
}

// New returns an STS service minting credentials into reg.
func New(reg *accounts.Registry, roles Roles) *Service {
	return &Service{accounts: reg, roles: roles, Now: time.Now}
}

// Handle answers one STS call signed by caller; form is the parsed query.
func (s *Service) Handle(w http.ResponseWriter, call awsproto.Call, caller accounts.Principal, form url.Values) {
	var (
		resp any
		err  error
	)
	switch call.Action {
	case "AssumeRole":
		resp, err = s.assumeRole(caller, form, call.RequestID)
	case "GetCallerIdentity":
		resp = s.callerIdentity(caller, call.RequestID)
	default:
		err = awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version 2011-06-15", call.Action)
	}
	if err != nil {
		awsproto.WriteError(w, call, err)
		return
	}
	awsproto.WriteXML(w, resp)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type assumeRoleResponse struct {
	XMLName         xml.Name         `xml:"AssumeRoleResponse"`
	NS              string           `xml:"xmlns,attr"`
	AssumedRoleID   string           `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
	AssumedRoleARN  string           `xml:"AssumeRoleResult>AssumedRoleUser>Arn"`
	AccessKeyID     string           `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
	SecretAccessKey string           `xml:"AssumeRoleResult>Credentials>SecretAccessKey"`
	SessionToken    string           `xml:"AssumeRoleResult>Credentials>SessionToken"`
	Expiration      string           `xml:"AssumeRoleResult>Credentials>Expiration"`
	Metadata        responseMetadata `xml:"ResponseMetadata"`
}

var (
	roleARNPattern     = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\x21-\x7E]*/)?([\w+=,.@-]+)$`)
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

func validationError(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

func (s *Service) assumeRole(caller accounts.Principal, form url.Values, requestID string) (any, error) {
	roleARN, sessionName := form.Get("RoleArn"), form.Get("RoleSessionName")
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, validationError("%s is invalid", roleARN)
	}
	if !sessionNamePattern.MatchString(sessionName) {
		return nil, validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	targetAccount, roleName := m[1], m[2]
	denied := awsproto.Errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)

	role, ok := s.roles.Role(targetAccount, roleName)
	if _, known := s.accounts.Account(targetAccount); !known || !ok {
		// AWS does not reveal whether the role exists: it is simply denied.
		return nil, denied
	}
	if !s.trusts(role, caller, form) {
		return nil, denied
	}
	duration, err := sessionDuration(form.Get("DurationSeconds"), role.MaxSession)
	if err != nil {
		return nil, err
	}

	sessionARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", targetAccount, roleName, sessionName)
	expires := s.Now().Add(duration).UTC().Truncate(time.Second)
	cred := accounts.Credential{
		AccessKeyID:     accounts.NewAccessKeyID(accounts.TemporaryKeyPrefix),
		SecretAccessKey: accounts.NewSecretAccessKey(),
		SessionToken:    accounts.NewSessionToken(),
		Principal: accounts.Principal{AccountID: targetAccount, ARN: sessionARN, Kind: accounts.KindAssumedRole,
			RoleName: roleName, SessionName: sessionName, Expires: expires},
	}
	s.accounts.AddCredential(cred)
	return assumeRoleResponse{
		NS:              namespace,
		AssumedRoleID:   roleID(role) + ":" + sessionName,
		AssumedRoleARN:  sessionARN,
		AccessKeyID:     cred.AccessKeyID,
		SecretAccessKey: cred.SecretAccessKey,
		SessionToken:    cred.SessionToken,
		Expiration:      expires.Format(time.RFC3339),
		Metadata:        responseMetadata{RequestID: requestID},
	}, nil
}

// trusts evaluates the role's trust policy for this caller and ExternalId.
func (s *Service) trusts(role iammirror.Role, caller accounts.Principal, form url.Values) bool {
	doc, err := iampolicy.Parse(role.TrustPolicy)
	if err != nil {
		return false
	}
	req := iampolicy.TrustRequest{
		Action:        "sts:AssumeRole",
		CallerAccount: caller.AccountID,
		CallerARN:     caller.ARN,
	}
	if caller.Kind == accounts.KindAssumedRole {
		req.CallerRoleARN = fmt.Sprintf("arn:aws:iam::%s:role/%s", caller.AccountID, caller.RoleName)
	}
	if ext, ok := form["ExternalId"]; ok && len(ext) > 0 {
		req.ExternalID, req.HasExternalID = ext[0], true
	}
	return iampolicy.EvaluateTrust(doc, req) == iampolicy.Allowed
}

// sessionDuration reads DurationSeconds (default one hour) and bounds it
// as STS does: at least 15 minutes, at most the role's MaxSessionDuration.
func sessionDuration(raw string, max time.Duration) (time.Duration, error) {
	if raw == "" {
		return min(time.Hour, max), nil
	}
	secs, err := strconv.Atoi(raw)
	if err != nil || secs < 900 {
		return 0, validationError("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", raw)
	}
	d := time.Duration(secs) * time.Second
	if d > max {
		return 0, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

type callerIdentityResponse struct {
	XMLName  xml.Name         `xml:"GetCallerIdentityResponse"`
	NS       string           `xml:"xmlns,attr"`
	ARN      string           `xml:"GetCallerIdentityResult>Arn"`
	UserID   string           `xml:"GetCallerIdentityResult>UserId"`
	Account  string           `xml:"GetCallerIdentityResult>Account"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func (s *Service) callerIdentity(p accounts.Principal, requestID string) any {
	userID := p.AccountID
	switch p.Kind {
	case accounts.KindUser:
		userID = syntheticID("AIDA", p.ARN)
	case accounts.KindAssumedRole:
		role, ok := s.roles.Role(p.AccountID, p.RoleName)
		if !ok {
			role = iammirror.Role{ARN: fmt.Sprintf("arn:aws:iam::%s:role/%s", p.AccountID, p.RoleName)}
		}
		userID = roleID(role) + ":" + p.SessionName
	}
	return callerIdentityResponse{NS: namespace, ARN: p.ARN, UserID: userID, Account: p.AccountID,
		Metadata: responseMetadata{RequestID: requestID}}
}

// roleID is the role's IAM id, or a stable AROA… id derived from its ARN
// when the mirror does not know kumo's.
func roleID(r iammirror.Role) string {
	if r.ID != "" {
		return r.ID
	}
	return syntheticID("AROA", r.ARN)
}

func syntheticID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return prefix + strings.ToUpper(base32.StdEncoding.EncodeToString(sum[:]))[:17]
}
