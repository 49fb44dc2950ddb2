package router

import (
	"errors"
	"net/http"
	"time"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/iampolicy"
	"github.com/clusterforge/clusterforge/local/sigv4"
)

// authError is one authentication failure as each protocol spells it.
type authError struct {
	ec2, query, json, rest *awsproto.APIError
}

func (e authError) in(p awsproto.Protocol) *awsproto.APIError {
	switch p {
	case awsproto.ProtocolEC2Query:
		return e.ec2
	case awsproto.ProtocolQuery:
		return e.query
	case awsproto.ProtocolJSON:
		return e.json
	default:
		return e.rest
	}
}

const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgEC2AuthFail  = "AWS was not able to validate the provided access credentials"
	msgSignature    = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgExpired      = "The security token included in the request is expired"
)

var (
	errUnknownKey = authError{
		ec2:   awsproto.Errorf(http.StatusUnauthorized, "AuthFailure", msgEC2AuthFail),
		query: awsproto.Errorf(http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken),
		json:  awsproto.Errorf(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken),
		rest:  awsproto.Errorf(http.StatusForbidden, "UnrecognizedClientException", msgInvalidToken),
	}
	errBadSignature = authError{
		ec2:   awsproto.Errorf(http.StatusUnauthorized, "AuthFailure", msgEC2AuthFail),
		query: awsproto.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", msgSignature),
		json:  awsproto.Errorf(http.StatusBadRequest, "InvalidSignatureException", msgSignature),
		rest:  awsproto.Errorf(http.StatusForbidden, "InvalidSignatureException", msgSignature),
	}
	errExpiredToken = authError{
		// EC2 reports expired session credentials as an expired request.
		ec2:   awsproto.Errorf(http.StatusBadRequest, "RequestExpired", "Request has expired."),
		query: awsproto.Errorf(http.StatusForbidden, "ExpiredToken", msgExpired),
		json:  awsproto.Errorf(http.StatusBadRequest, "ExpiredTokenException", msgExpired),
		rest:  awsproto.Errorf(http.StatusForbidden, "ExpiredTokenException", msgExpired),
	}
)

func missingAuthentication(p awsproto.Protocol) error {
	if p == awsproto.ProtocolJSON {
		return awsproto.Errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	return awsproto.Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
}

// authenticate resolves the signer's credential, checks its session token,
// expiry and signature, and fills req.principal and req.account.
func (rt *Router) authenticate(req *request) error {
	p := req.call.Protocol
	cred, ok := rt.cfg.Accounts.Lookup(req.call.AccessKeyID)
	if !ok {
		return errUnknownKey.in(p)
	}
	if cred.SessionToken != "" && req.http.Header.Get("X-Amz-Security-Token") != cred.SessionToken {
		return errUnknownKey.in(p)
	}
	if req.http.Header.Get("Authorization") == "" {
		// Presigned URLs are not used by the service; refuse rather than
		// accept them unverified.
		return errBadSignature.in(p)
	}
	if err := sigv4.Verify(req.http, req.body, cred.SecretAccessKey); err != nil {
		if errors.Is(err, sigv4.ErrMismatch) || errors.Is(err, sigv4.ErrMalformed) {
			return errBadSignature.in(p)
		}
		return err
	}
	if cred.Principal.Expired(time.Now()) {
		return errExpiredToken.in(p)
	}
	account, ok := rt.cfg.Accounts.Account(cred.Principal.AccountID)
	if !ok {
		return errUnknownKey.in(p)
	}
	req.principal, req.account = cred.Principal, account
	return nil
}

// actionPrefixes maps SigV4 signing names to IAM action prefixes where the
// two differ.
var actionPrefixes = map[string]string{
	"tagging": "tag",
}

// IAMAction is the IAM action name ("ec2:CreateNatGateway") of a call.
func IAMAction(call awsproto.Call) string {
	prefix, ok := actionPrefixes[call.Service]
	if !ok {
		prefix = call.Service
	}
	return prefix + ":" + call.Action
}

// authorize enforces the identity policies of IAM users and assumed roles;
// account root keys may do anything, as on AWS.
func (rt *Router) authorize(req *request) error {
	pr := req.principal
	if pr.Kind == accounts.KindRoot {
		return nil
	}
	if req.call.Service == "sts" && req.call.Action == "GetCallerIdentity" {
		return nil // AWS never requires permission for it
	}
	var policies []iampolicy.Policy
	switch pr.Kind {
	case accounts.KindAssumedRole:
		policies = rt.cfg.IAM.RolePolicies(pr.AccountID, pr.RoleName)
	case accounts.KindUser:
		policies = rt.cfg.IAM.UserPolicies(pr.AccountID, pr.UserName)
	}
	action := IAMAction(req.call)
	result := iampolicy.Evaluate(action, policies)
	if result.Decision == iampolicy.Allowed {
		return nil
	}
	return accessDenied(req.call.Protocol, pr.ARN, action, result.Decision == iampolicy.ExplicitDeny)
}

// accessDenied words a denial the way each protocol's services do.
func accessDenied(p awsproto.Protocol, principalARN, action string, explicit bool) error {
	reason := "because no identity-based policy allows the " + action + " action"
	if explicit {
		reason = "with an explicit deny in an identity-based policy"
	}
	msg := "User: " + principalARN + " is not authorized to perform: " + action + " " + reason
	switch p {
	case awsproto.ProtocolEC2Query:
		return awsproto.Errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. %s", msg)
	case awsproto.ProtocolQuery:
		return awsproto.Errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
	case awsproto.ProtocolJSON:
		return awsproto.Errorf(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	default:
		return awsproto.Errorf(http.StatusForbidden, "AccessDeniedException", "%s", msg)
	}
}
