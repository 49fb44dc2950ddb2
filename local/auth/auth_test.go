package auth

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testClaims = Claims{Tenant: "t1", Project: "p1", Role: "project-editor", Subject: "alice"}

func newIssuer(t *testing.T) *Issuer {
	t.Helper()
	iss, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return iss
}

func mint(t *testing.T, iss *Issuer, c Claims, ttl time.Duration) string {
	t.Helper()
	tok, err := iss.Mint(c, ttl)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

// sign lets tests forge tokens with this issuer's key but arbitrary claims.
func sign(t *testing.T, iss *Issuer, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = iss.kid
	s, err := tok.SignedString(iss.key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestMintVerifyRoundTrip(t *testing.T) {
	iss := newIssuer(t)
	fixed := time.Unix(1_700_000_000, 0)
	iss.now = func() time.Time { return fixed }

	claims, err := iss.Verify(mint(t, iss, testClaims, time.Hour))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := map[string]string{
		"sub": "alice", "tenant": "t1", "project": "p1", "role": "project-editor",
		"iss": IssuerURL, "aud": Audience, "iat": "1700000000", "exp": "1700003600",
	}
	if len(claims) != len(want) {
		t.Errorf("claims = %v, want exactly %v", claims, want)
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %q, want %q", k, claims[k], v)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	iss := newIssuer(t)
	other := newIssuer(t)
	now := time.Now()
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": IssuerURL, "aud": Audience, "sub": "a", "tenant": "t",
			"project": "p", "role": "viewer", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	with := func(k string, v any) string {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return sign(t, iss, c)
	}
	good := mint(t, iss, testClaims, time.Hour)
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := strings.Replace(string(payload), `"tenant":"t1"`, `"tenant":"t2"`, 1)
	if tampered == string(payload) {
		t.Fatal("test setup: tenant claim not found in payload")
	}
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, valid())
	hs.Header["kid"] = iss.kid
	hsTok, _ := hs.SignedString([]byte("secret"))

	cases := map[string]string{
		"expired":         with("exp", now.Add(-time.Second).Unix()),
		"no exp":          with("exp", nil),
		"not yet valid":   with("nbf", now.Add(time.Hour).Unix()),
		"wrong issuer":    with("iss", "https://evil.example"),
		"wrong audience":  with("aud", "someone-else"),
		"wrong key":       mint(t, other, testClaims, time.Hour),
		"tampered":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2],
		"HS256 confusion": hsTok,
		"garbage":         "not.a.jwt",
		"empty":           "",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := iss.Verify(tok); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestExpiresWithClock(t *testing.T) {
	iss := newIssuer(t)
	start := time.Now()
	iss.now = func() time.Time { return start }
	tok := mint(t, iss, testClaims, time.Minute)
	if _, err := iss.Verify(tok); err != nil {
		t.Fatalf("fresh token rejected: %v", err)
	}
	iss.now = func() time.Time { return start.Add(2 * time.Minute) }
	if _, err := iss.Verify(tok); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("Verify after expiry err = %v, want ErrTokenExpired", err)
	}
}

func TestMintValidates(t *testing.T) {
	iss := newIssuer(t)
	bad := map[string]Claims{
		"tenant":  {Project: "p", Role: "viewer", Subject: "s"},
		"project": {Tenant: "t", Role: "viewer", Subject: "s"},
		"role":    {Tenant: "t", Project: "p", Role: "root", Subject: "s"},
		"subject": {Tenant: "t", Project: "p", Role: "viewer"},
	}
	for field, c := range bad {
		_, err := iss.Mint(c, time.Hour)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("Mint(%+v) err = %v, want FieldError on %s", c, err, field)
		}
	}
	if _, err := iss.Mint(testClaims, 0); err == nil {
		t.Error("Mint with zero ttl succeeded")
	}
}

// TestJWKSVerifiesToken proves the published key set is enough for a third
// party (like API Gateway's authorizer) to verify a token.
func TestJWKSVerifiesToken(t *testing.T) {
	iss := newIssuer(t)
	srv := httptest.NewServer(iss.Handler())
	defer srv.Close()

	var disc Discovery
	getJSON(t, srv.URL+DiscoveryPath, &disc)
	if disc.Issuer != IssuerURL || disc.JWKSURI != srv.URL+JWKSPath {
		t.Fatalf("discovery = %+v", disc)
	}
	var set JWKS
	getJSON(t, disc.JWKSURI, &set)
	if len(set.Keys) != 1 || set.Keys[0].Kid != iss.KeyID() || set.Keys[0].Alg != "RS256" {
		t.Fatalf("jwks = %+v", set)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}

	tok := mint(t, iss, testClaims, time.Hour)
	_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithIssuer(disc.Issuer), jwt.WithAudience(Audience))
	if err != nil {
		t.Fatalf("token does not verify with the published JWKS: %v", err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}
