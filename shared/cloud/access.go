// Package cloud is the service's access to customers' AWS accounts:
// credentials (static keys or a cross-account role with an ExternalId),
// rate-limited and retried clients, the permission and quota preflight, and
// one file per AWS resource kind with its ensure/find-by-tag/delete logic.
package cloud

// AccessType says how the service reaches a customer account.
type AccessType string

// Access types of a cloud account.
const (
	AccessSecret AccessType = "secret" // long-term access keys kept in Secrets Manager
	AccessSTS    AccessType = "sts"    // sts:AssumeRole with the tenant's ExternalId
)

// Access is what the service needs to act in one customer account. The
// secret access key is filled in only in memory, from Secrets Manager, for
// the duration of one invocation; it is never stored in DynamoDB, returned
// or logged.
type Access struct {
	Type            AccessType
	AccessKeyID     string
	SecretAccessKey string `json:"-"`
	RoleARN         string
	ExternalID      string `json:"-"`
}

// Identity is who the service is inside the customer account.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"userId"`
}

// QuotaHeadroom is one quota, how much of it is used, and what is left.
type QuotaHeadroom struct {
	Name      string `json:"name"`
	Code      string `json:"code,omitempty"`
	Scope     string `json:"scope,omitempty"` // e.g. "us-east-1" or "us-east-1a"
	Limit     int    `json:"limit"`
	Used      int    `json:"used"`
	Available int    `json:"available"`
	// Error says why the quota or its usage could not be read; Limit, Used
	// and Available are then meaningless.
	Error string `json:"error,omitempty"`
}

// ValidationReport is the answer of POST /v1/cloudaccounts/{id}/validate.
type ValidationReport struct {
	Region             string          `json:"region"`
	Identity           Identity        `json:"identity"`
	MissingPermissions []string        `json:"missingPermissions"`
	Unverified         []string        `json:"unverifiedPermissions,omitempty"`
	Quotas             []QuotaHeadroom `json:"quotas"`
}
