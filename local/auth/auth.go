// Package auth is the local stand-in for the OIDC issuer the real deployment
// trusts: it mints RS256 JWTs carrying ClusterForge's tenant/project/role
// claims and verifies them the way API Gateway's JWT authorizer does.
package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// IssuerURL is the `iss` of every local token. It is not resolvable; a
	// JWT authorizer is given the discovery document served by Handler.
	IssuerURL = "https://auth.clusterforge.local"
	// Audience is the `aud` the API's authorizer expects.
	Audience = "clusterforge"

	// keyBits matches what managed OIDC providers use for RS256 keys.
	keyBits = 2048
)

// Roles are the roles a token may carry, most privileged first (DESIGN §5).
var Roles = []string{"tenant-admin", "project-admin", "project-editor", "viewer"}

// ErrInvalidToken is wrapped by every Verify failure so callers can tell a
// rejected token from a programming error without parsing messages.
var ErrInvalidToken = errors.New("invalid token")

// Claims are the ClusterForge-specific claims a token carries.
type Claims struct {
	Tenant  string
	Project string
	Role    string
	Subject string
}

// FieldError reports which claim is invalid, so the admin endpoint can
// answer the API's {"error":{"field"}} shape.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks the claims a token must have. It is shared by Mint and
// the admin endpoint so both reject the same inputs.
func (c Claims) Validate() error {
	switch {
	case strings.TrimSpace(c.Tenant) == "":
		return &FieldError{Field: "tenant", Message: "tenant is required"}
	case strings.TrimSpace(c.Project) == "":
		return &FieldError{Field: "project", Message: "project is required"}
	case !slices.Contains(Roles, c.Role):
		return &FieldError{Field: "role", Message: "role must be one of " + strings.Join(Roles, ", ")}
	case strings.TrimSpace(c.Subject) == "":
		return &FieldError{Field: "subject", Message: "subject is required"}
	}
	return nil
}

// Issuer holds the signing key generated at start; tokens it mints do not
// survive a restart, like a rotated key on a real provider.
type Issuer struct {
	key *rsa.PrivateKey
	kid string
	// now is the clock for iat/exp and for validation; tests replace it.
	now func() time.Time
}

// New generates a fresh RSA key and returns an issuer using it.
func New() (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("generate RSA signing key: %w", err)
	}
	kid, err := thumbprint(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("compute key id: %w", err)
	}
	return &Issuer{key: key, kid: kid, now: time.Now}, nil
}

// KeyID is the `kid` header of minted tokens and of the JWKS entry.
func (i *Issuer) KeyID() string { return i.kid }

// Mint signs a token for c valid for ttl from now.
func (i *Issuer) Mint(c Claims, ttl time.Duration) (string, error) {
	if err := c.Validate(); err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("mint token: ttl must be positive, got %s", ttl)
	}
	now := i.now()
	// MapClaims rather than RegisteredClaims: jwt/v5 marshals a one-element
	// audience as an array by default, and API Gateway would then hand the
	// Lambda "aud": "[clusterforge]" instead of the plain string.
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":     IssuerURL,
		"aud":     Audience,
		"sub":     c.Subject,
		"tenant":  c.Tenant,
		"project": c.Project,
		"role":    c.Role,
		"iat":     now.Unix(),
		"exp":     now.Add(ttl).Unix(),
	})
	tok.Header["kid"] = i.kid
	signed, err := tok.SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// Verify checks signature, algorithm, issuer, audience, exp and nbf, and
// returns the claims flattened to strings as API Gateway's JWT authorizer
// passes them to the Lambda (requestContext.authorizer.jwt.claims).
func (i *Issuer) Verify(token string) (map[string]string, error) {
	parsed, err := jwt.Parse(token, i.keyFor,
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(IssuerURL),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(i.now),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	mc, ok := parsed.Claims.(jwt.MapClaims)
	if !ok {
		return nil, fmt.Errorf("%w: unexpected claims type %T", ErrInvalidToken, parsed.Claims)
	}
	out := make(map[string]string, len(mc))
	for k, v := range mc {
		out[k] = claimString(v)
	}
	return out, nil
}

// keyFor resolves the verification key. A token naming another kid was not
// signed by this issuer, so it is rejected before the signature check.
func (i *Issuer) keyFor(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid != i.kid {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	return &i.key.PublicKey, nil
}

// claimString renders a JSON claim value the way API Gateway does: numbers
// without exponent, arrays as "[a b]".
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for n, e := range x {
			parts[n] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}
