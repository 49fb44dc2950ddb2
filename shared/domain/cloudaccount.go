package domain

import (
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

// AccountType says how the service reaches a customer's AWS account.
type AccountType string

// Cloud account types.
const (
	AccountSecret AccountType = "secret" // long-term access keys, kept in Secrets Manager
	AccountSTS    AccountType = "sts"    // a role assumed with the tenant's ExternalId
)

// Length limits for cloud account fields (IAM's own limits).
const (
	MaxRoleARNLength      = 2048
	AccessKeyIDLength     = 20
	SecretAccessKeyLength = 40
)

var (
	accessKeyIDPattern = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)
	secretKeyPattern   = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
	// arn:aws:iam::<account>:role/<optional path/>name. IAM role names are
	// 1–64 of [\w+=,.@-]; a path is /-delimited printable ASCII.
	roleARNPattern = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:role/([\x21-\x2e\x30-\x7e]+/)*[\w+=,.@-]{1,64}$`)
)

// CloudAccountRequest is the body of POST /v1/cloudaccounts.
type CloudAccountRequest struct {
	Name            string      `json:"name"`
	Type            AccountType `json:"type"`
	AccessKeyID     string      `json:"accessKeyId,omitempty"`
	SecretAccessKey string      `json:"secretAccessKey,omitempty"`
	RoleARN         string      `json:"roleArn,omitempty"`
}

// String and LogValue keep the secret out of any accidental %v or slog
// attribute; the request is the one value that carries it.
func (r CloudAccountRequest) String() string {
	return fmt.Sprintf("{name:%s type:%s accessKeyId:%s roleArn:%s}", r.Name, r.Type, r.AccessKeyID, r.RoleARN)
}

// LogValue implements slog.LogValuer without the secret.
func (r CloudAccountRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", r.Name), slog.String("type", string(r.Type)),
		slog.String("accessKeyId", r.AccessKeyID), slog.String("roleArn", r.RoleARN))
}

// Validate checks every field and reports all problems at once.
func (r *CloudAccountRequest) Validate() error {
	var p ValidationErrors
	checkName(&p, "name", r.Name)
	switch r.Type {
	case AccountSecret:
		checkAccessKey(&p, r.AccessKeyID, r.SecretAccessKey)
		if r.RoleARN != "" {
			p.Add("roleArn", "is not allowed for type secret")
		}
	case AccountSTS:
		checkRoleARN(&p, r.RoleARN)
		if r.AccessKeyID != "" {
			p.Add("accessKeyId", "is not allowed for type sts")
		}
		if r.SecretAccessKey != "" {
			p.Add("secretAccessKey", "is not allowed for type sts")
		}
	case "":
		p.Add("type", "is required; one of secret, sts")
	default:
		if checkMaxLen(&p, "type", string(r.Type), 32) {
			p.Add("type", "unknown type %q; one of secret, sts", r.Type)
		}
	}
	return p.Err()
}

func checkAccessKey(p *ValidationErrors, id, secret string) {
	switch {
	case id == "":
		p.Add("accessKeyId", "is required for type secret")
	case len(id) != AccessKeyIDLength:
		p.Add("accessKeyId", "must be %d characters", AccessKeyIDLength)
	case !accessKeyIDPattern.MatchString(id):
		p.Add("accessKeyId", "must be an AWS access key id (AKIA or ASIA followed by 16 upper-case letters or digits)")
	}
	switch {
	case secret == "":
		p.Add("secretAccessKey", "is required for type secret")
	case len(secret) != SecretAccessKeyLength:
		p.Add("secretAccessKey", "must be %d characters", SecretAccessKeyLength)
	case !secretKeyPattern.MatchString(secret):
		p.Add("secretAccessKey", "must contain only letters, digits, '/' and '+'")
	}
}

func checkRoleARN(p *ValidationErrors, arn string) {
	switch {
	case arn == "":
		p.Add("roleArn", "is required for type sts")
	case len(arn) > MaxRoleARNLength:
		p.Add("roleArn", "must be at most %d characters", MaxRoleARNLength)
	case !roleARNPattern.MatchString(arn):
		p.Add("roleArn", "must be an IAM role ARN: arn:aws:iam::<12-digit account id>:role/<path/name>")
	}
}

// AccessKey is a long-term AWS access key pair, the content of a secret
// account's Secrets Manager secret.
type AccessKey struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

func (k AccessKey) String() string {
	return "{accessKeyId:" + k.AccessKeyID + " secretAccessKey:REDACTED}"
}

// LogValue implements slog.LogValuer without the secret.
func (k AccessKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// AccessKey returns the key pair of a secret-type request.
func (r *CloudAccountRequest) AccessKey() AccessKey {
	return AccessKey{AccessKeyID: r.AccessKeyID, SecretAccessKey: r.SecretAccessKey}
}

// CloudAccount is a registered customer AWS account as stored and returned.
// It never holds the secret access key: only a reference to its secret.
type CloudAccount struct {
	ID          string      `json:"id" dynamodbav:"id"`
	Name        string      `json:"name" dynamodbav:"name"`
	Type        AccountType `json:"type" dynamodbav:"type"`
	AccessKeyID string      `json:"accessKeyId,omitempty" dynamodbav:"accessKeyId,omitempty"`
	RoleARN     string      `json:"roleArn,omitempty" dynamodbav:"roleArn,omitempty"`
	// SecretRef is the Secrets Manager ARN of the key pair: internal.
	SecretRef string    `json:"-" dynamodbav:"secretRef,omitempty"`
	Version   int       `json:"version" dynamodbav:"version"`
	CreatedAt time.Time `json:"createdAt" dynamodbav:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty" dynamodbav:"createdBy,omitempty"`
}

// NewCloudAccount builds the stored account for a validated request.
func NewCloudAccount(r *CloudAccountRequest, id string, now time.Time, createdBy string) CloudAccount {
	return CloudAccount{
		ID: id, Name: r.Name, Type: r.Type, AccessKeyID: r.AccessKeyID, RoleARN: r.RoleARN,
		CreatedAt: now.UTC(), CreatedBy: createdBy,
	}
}
