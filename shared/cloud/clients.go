package cloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Session is the service acting in one customer account and region: one
// credentials provider and one set of clients, all sharing the retry policy
// and the (account, region) request budget. Clients are safe for concurrent
// use; get a Session from a SessionCache rather than building one per call.
type Session struct {
	Region string
	// Config is the customer-account configuration the clients were built
	// from, for a client this type does not hand out.
	Config aws.Config

	// who is the access without its secrets, for error messages.
	who Access

	ec2   *ec2.Client
	elbv2 *elbv2.Client
	iam   *iam.Client
	eks   *eks.Client
	sq    *servicequotas.Client
	sts   *sts.Client

	idMu     sync.Mutex
	identity *Identity
}

func (s *Session) EC2() *ec2.Client                     { return s.ec2 }
func (s *Session) ELBv2() *elbv2.Client                 { return s.elbv2 }
func (s *Session) IAM() *iam.Client                     { return s.iam }
func (s *Session) EKS() *eks.Client                     { return s.eks }
func (s *Session) ServiceQuotas() *servicequotas.Client { return s.sq }
func (s *Session) STS() *sts.Client                     { return s.sts }

// Identity is who the session is in the customer account
// (sts:GetCallerIdentity), asked once per session. A failure to obtain the
// credentials or a rejection of them is a *CredentialsError.
func (s *Session) Identity(ctx context.Context) (Identity, error) {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	if s.identity != nil {
		return *s.identity, nil
	}
	out, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctx.Err() == nil && isCredentialsFailure(err) {
			return Identity{}, newCredentialsError(s.who, err)
		}
		return Identity{}, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	s.identity = &id
	return id, nil
}

// isCredentialsFailure reports whether err means the customer's credentials
// do not work: AssumeRole refused (its error is wrapped in the signing
// failure of the operation that needed the credentials) or keys rejected.
func isCredentialsFailure(err error) bool {
	var signing *v4.SigningError // wraps "failed to retrieve credentials: <AssumeRole error>"
	if errors.As(err, &signing) {
		return true
	}
	switch ErrorCode(err) {
	case "AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken":
		return true
	}
	return false
}

// SessionCache is the process-wide set of sessions and per-account budgets.
// A Lambda builds one in main and keeps it across invocations, so
// assumed-role credentials and the rate limiters survive between them.
// (Budgets are per process: concurrent Lambda instances each have their
// own, so Step Functions' Map concurrency bounds how many share an account.)
type SessionCache struct {
	platform aws.Config
	limits   RateLimits

	mu       sync.Mutex
	sessions map[string]*Session
	accounts map[string]*accountLimits
}

// NewSessionCache returns a cache of sessions built on the platform's
// configuration, with the given budgets (DefaultRateLimits if zero).
func NewSessionCache(platform aws.Config, limits RateLimits) *SessionCache {
	if limits == (RateLimits{}) {
		limits = DefaultRateLimits
	}
	return &SessionCache{
		platform: platform,
		limits:   limits,
		sessions: map[string]*Session{},
		accounts: map[string]*accountLimits{},
	}
}

// Session returns the session for access in region, acting on behalf of
// owner (a cluster or cloud account id: it names the role session, so the
// customer's CloudTrail shows which cluster made a call).
//
// Sessions are keyed by (access key id or role ARN, region, owner) and a
// fingerprint of the secret or ExternalId: two tenants registering the same
// role ARN with different ExternalIds must never share credentials, and a
// corrected secret must not be masked by a cached wrong one.
func (c *SessionCache) Session(access Access, region, owner string) (*Session, error) {
	if err := checkAccess(access); err != nil {
		return nil, err
	}
	if region == "" {
		return nil, fmt.Errorf("%w: no region", ErrInvalidAccess)
	}
	key := sessionKey(access, region, owner)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sessions[key]; ok {
		return s, nil
	}
	acct := accountKey(access) + "|" + region
	limits, ok := c.accounts[acct]
	if !ok {
		limits = newAccountLimits(c.limits)
		c.accounts[acct] = limits
	}
	s, err := newSession(c.platform, access, region, owner, limits)
	if err != nil {
		return nil, err
	}
	c.sessions[key] = s
	return s, nil
}

func newSession(platform aws.Config, access Access, region, owner string, limits *accountLimits) (*Session, error) {
	creds, err := CredentialsProvider(platform, access, owner)
	if err != nil {
		return nil, err
	}
	cfg := platform.Copy()
	cfg.Region = region
	cfg.Credentials = creds
	cfg.Retryer = func() aws.Retryer { return newRetryer(limits.retryQuota) }
	// Copy before appending: Config.Copy is shallow and appending in place
	// could write our middleware into the platform's own slice.
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, platform.APIOptions...),
		rateLimitMiddleware{limits: limits}.addTo)

	return &Session{
		Region: region,
		Config: cfg,
		who:    Access{Type: access.Type, AccessKeyID: access.AccessKeyID, RoleARN: access.RoleARN},
		ec2:    ec2.NewFromConfig(cfg),
		elbv2:  elbv2.NewFromConfig(cfg),
		iam:    iam.NewFromConfig(cfg),
		eks:    eks.NewFromConfig(cfg),
		sq:     servicequotas.NewFromConfig(cfg),
		sts:    sts.NewFromConfig(cfg),
	}, nil
}

func sessionKey(a Access, region, owner string) string {
	h := sha256.Sum256([]byte(a.SecretAccessKey + "\x00" + a.ExternalID))
	return strings.Join([]string{string(a.Type), a.AccessKeyID, a.RoleARN, hex.EncodeToString(h[:8]), region, owner}, "|")
}

// accountKey names the customer account for budgeting before we know its
// id: the account in the role ARN, or the access key id (one key belongs to
// one account).
func accountKey(a Access) string {
	if a.Type == AccessSTS {
		if parts := strings.SplitN(a.RoleARN, ":", 6); len(parts) == 6 {
			return parts[4]
		}
		return a.RoleARN
	}
	return a.AccessKeyID
}
