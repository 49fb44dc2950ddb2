// Package accounts is the registry of simulated AWS accounts and of every
// credential the local cloud has issued for them. The front router resolves a
// request's SigV4 access key id here to learn which account's emulators serve
// it and which principal's policies apply.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Kind is the type of principal behind a credential.
type Kind string

// Principal kinds. Root is the account's administrator (long-term AKIA keys
// the launcher hands out); User is an IAM user whose keys were created with
// iam:CreateAccessKey; AssumedRole holds STS temporary (ASIA) keys.
const (
	KindRoot        Kind = "root"
	KindUser        Kind = "user"
	KindAssumedRole Kind = "assumed-role"
)

// Account is one simulated AWS account, served by its own kumo process.
type Account struct {
	ID          string
	Name        string
	KumoURL     string
	AdminKey    string
	AdminSecret string
}

// RootARN is the ARN of the account's root principal.
func (a Account) RootARN() string { return RootARN(a.ID) }

// RootARN is the ARN of account id's root principal.
func RootARN(accountID string) string { return "arn:aws:iam::" + accountID + ":root" }

// Principal is who signed a request.
type Principal struct {
	AccountID   string
	ARN         string
	Kind        Kind
	RoleName    string    // assumed-role only
	SessionName string    // assumed-role only
	UserName    string    // user only
	Expires     time.Time // zero for long-term keys
}

// Expired reports whether temporary credentials have run out at now.
func (p Principal) Expired(now time.Time) bool {
	return !p.Expires.IsZero() && !now.Before(p.Expires)
}

// Credential is an access key, its secret, and the principal it stands for.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // set for temporary (ASIA) credentials only
	Principal       Principal
}

// Registry maps accounts and access keys. It is safe for concurrent use.
type Registry struct {
	mu          sync.RWMutex
	accounts    map[string]Account
	credentials map[string]Credential
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{accounts: map[string]Account{}, credentials: map[string]Credential{}}
}

// ErrDuplicateAccount is returned by Add for an account id already present.
var ErrDuplicateAccount = errors.New("account already registered")

// Add registers an account and its administrator keys. Missing admin keys
// are generated, so callers can pass just ID, Name and KumoURL.
func (r *Registry) Add(a Account) (Account, error) {
	if len(a.ID) != 12 {
		return Account{}, fmt.Errorf("account id %q: want 12 digits", a.ID)
	}
	if a.AdminKey == "" {
		a.AdminKey = NewAccessKeyID(LongTermKeyPrefix)
	}
	if a.AdminSecret == "" {
		a.AdminSecret = NewSecretAccessKey()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.accounts[a.ID]; ok {
		return Account{}, fmt.Errorf("add account %s: %w", a.ID, ErrDuplicateAccount)
	}
	r.accounts[a.ID] = a
	r.credentials[a.AdminKey] = Credential{
		AccessKeyID:     a.AdminKey,
		SecretAccessKey: a.AdminSecret,
		Principal:       Principal{AccountID: a.ID, ARN: a.RootARN(), Kind: KindRoot},
	}
	return a, nil
}

// Account returns the account with id.
func (r *Registry) Account(id string) (Account, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.accounts[id]
	return a, ok
}

// Accounts lists every account, ordered by id.
func (r *Registry) Accounts() []Account {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Account, 0, len(r.accounts))
	for _, a := range r.accounts {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddCredential registers a key issued by STS or by IAM CreateAccessKey.
func (r *Registry) AddCredential(c Credential) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.credentials[c.AccessKeyID] = c
}

// RemoveCredential forgets a key (IAM DeleteAccessKey).
func (r *Registry) RemoveCredential(accessKeyID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.credentials, accessKeyID)
}

// Lookup returns the credential with this access key id.
func (r *Registry) Lookup(accessKeyID string) (Credential, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.credentials[accessKeyID]
	return c, ok
}

// Key prefixes AWS uses: long-term keys start with AKIA, STS-issued
// temporary keys with ASIA. SDKs and tools look at the prefix, so we keep it.
const (
	LongTermKeyPrefix  = "AKIA"
	TemporaryKeyPrefix = "ASIA"
)

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewAccessKeyID returns a random 20-character key id with prefix.
func NewAccessKeyID(prefix string) string {
	b := randomBytes(20 - len(prefix))
	var sb strings.Builder
	sb.WriteString(prefix)
	for _, c := range b {
		sb.WriteByte(keyAlphabet[int(c)%len(keyAlphabet)])
	}
	return sb.String()
}

// NewSecretAccessKey returns a random 40-character secret.
func NewSecretAccessKey() string {
	return base64.StdEncoding.EncodeToString(randomBytes(30))
}

// NewSessionToken returns an opaque STS session token.
func NewSessionToken() string {
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(randomBytes(96))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms (Go ≥ 1.24).
	_, _ = rand.Read(b)
	return b
}

type principalKey struct{}

// WithPrincipal stores the principal that signed the request.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal stored by WithPrincipal.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
