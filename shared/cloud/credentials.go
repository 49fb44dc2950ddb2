package cloud

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// assumeRoleDuration is how long assumed-role credentials last. One hour is
// the default maximum of a role and longer than any single task; the
// credentials cache refreshes them before expiry for longer-lived processes.
const assumeRoleDuration = time.Hour

// sessionNamePrefix makes the service's actions recognisable in the
// customer's CloudTrail: the role session name appears in every event.
const sessionNamePrefix = "clusterforge-"

// LoadPlatformConfig is the service's own AWS configuration: the Lambda's
// role on AWS, or whatever the environment says locally. AWS_ENDPOINT_URL
// (honoured by LoadDefaultConfig) is how the same binaries talk to the local
// cloud; nothing here special-cases it.
func LoadPlatformConfig(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load platform AWS config: %w", err)
	}
	return cfg, nil
}

// CredentialsProvider returns credentials for acting in the customer account
// described by access. For AccessSTS it assumes access.RoleARN from the
// platform's identity, passing the tenant's ExternalId (the customer's trust
// policy requires it, which is what stops another tenant from registering
// the same role ARN: the confused-deputy problem) and a session name derived
// from owner, the cloud account or cluster on whose behalf we act.
//
// Nothing is called here; AssumeRole happens on first use and the result is
// cached until shortly before it expires.
func CredentialsProvider(platform aws.Config, access Access, owner string) (aws.CredentialsProvider, error) {
	if err := checkAccess(access); err != nil {
		return nil, err
	}
	switch access.Type {
	case AccessSecret:
		return credentials.NewStaticCredentialsProvider(access.AccessKeyID, access.SecretAccessKey, ""), nil
	default: // AccessSTS, checked above
		stsClient := sts.NewFromConfig(platform)
		p := stscreds.NewAssumeRoleProvider(stsClient, access.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.ExternalID = aws.String(access.ExternalID)
			o.RoleSessionName = SessionName(owner)
			o.Duration = assumeRoleDuration
		})
		return aws.NewCredentialsCache(p), nil
	}
}

func checkAccess(a Access) error {
	switch a.Type {
	case AccessSecret:
		if a.AccessKeyID == "" || a.SecretAccessKey == "" {
			return fmt.Errorf("%w: type secret needs an access key id and a secret access key", ErrInvalidAccess)
		}
	case AccessSTS:
		if !roleARN.MatchString(a.RoleARN) {
			return fmt.Errorf("%w: %q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", ErrInvalidAccess, a.RoleARN)
		}
		if a.ExternalID == "" {
			// Assuming a customer role without an ExternalId would make the
			// service a confused deputy; never do it, even if the role allows it.
			return fmt.Errorf("%w: type sts needs the tenant's ExternalId", ErrInvalidAccess)
		}
	default:
		return fmt.Errorf("%w: unknown type %q (want %q or %q)", ErrInvalidAccess, a.Type, AccessSTS, AccessSecret)
	}
	return nil
}

var (
	roleARN           = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	sessionNameUnsafe = regexp.MustCompile(`[^\w+=,.@-]`)
)

// SessionName is the role session name for owner: "clusterforge-<owner>",
// restricted to what STS accepts ([\w+=,.@-], 2–64 characters).
func SessionName(owner string) string {
	n := sessionNamePrefix + sessionNameUnsafe.ReplaceAllString(owner, "-")
	if owner == "" {
		n = sessionNamePrefix + "platform"
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}
