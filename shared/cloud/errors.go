package cloud

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ErrInvalidAccess is returned for an Access that cannot work whatever AWS
// says: a missing role ARN, keys without a secret, an unknown type. The API
// maps it to 400.
var ErrInvalidAccess = errors.New("invalid cloud account access")

// CredentialsError says the service could not act as the customer: the role
// could not be assumed (trust policy, ExternalId) or the access keys were
// rejected. It is the customer's to fix, so the API maps it to 422 with
// Error() as the message; it never contains a secret.
type CredentialsError struct {
	Type    AccessType
	RoleARN string // for AccessSTS
	KeyID   string // for AccessSecret: the access key id, never the secret
	Code    string // AWS error code, e.g. AccessDenied, InvalidClientTokenId
	Message string
	Err     error
}

func (e *CredentialsError) Error() string {
	reason := e.Code
	if e.Message != "" {
		reason += ": " + e.Message
	}
	if reason == "" && e.Err != nil {
		reason = e.Err.Error()
	}
	if e.Type == AccessSTS {
		return fmt.Sprintf("could not assume role %s: %s; check the role's trust policy allows the ClusterForge platform account with this tenant's ExternalId", e.RoleARN, reason)
	}
	return fmt.Sprintf("access key %s was rejected: %s; check the key is active and the secret is correct", e.KeyID, reason)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// newCredentialsError classifies err, which came from obtaining or using
// the credentials of access.
func newCredentialsError(access Access, err error) *CredentialsError {
	ce := &CredentialsError{Type: access.Type, RoleARN: access.RoleARN, KeyID: access.AccessKeyID, Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		ce.Code, ce.Message = ae.ErrorCode(), ae.ErrorMessage()
	}
	return ce
}

// ErrorCode returns the AWS error code in err's chain, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Error codes the permission checks tell apart.
const (
	codeDryRunOperation       = "DryRunOperation"
	codeUnauthorizedOperation = "UnauthorizedOperation"
	codeAccessDenied          = "AccessDenied"
	codeAccessDeniedException = "AccessDeniedException"
	codeNoSuchResource        = "NoSuchResourceException"
)

// isAccessDenied reports whether err is AWS refusing the caller an action.
// EC2 says UnauthorizedOperation, IAM and STS AccessDenied, JSON-protocol
// services (Service Quotas, EKS) AccessDeniedException.
func isAccessDenied(err error) bool {
	switch ErrorCode(err) {
	case codeUnauthorizedOperation, codeAccessDenied, codeAccessDeniedException:
		return true
	}
	return false
}
