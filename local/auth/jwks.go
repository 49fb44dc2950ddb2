package auth

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
)

// Well-known paths of the documents a JWT authorizer fetches.
const (
	JWKSPath      = "/.well-known/jwks.json"
	DiscoveryPath = "/.well-known/openid-configuration"
)

// JWK is the public half of the signing key in RFC 7517 form.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is the key set document.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// Discovery is the subset of the OIDC discovery document a JWT verifier
// reads: the issuer to match `iss` against and where the keys are.
type Discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
}

// JWKS returns the key set verifiers use to check this issuer's tokens.
func (i *Issuer) JWKS() JWKS {
	return JWKS{Keys: []JWK{publicJWK(&i.key.PublicKey, i.kid)}}
}

// Discovery returns the discovery document; jwksURI is where the caller
// serves JWKSPath.
func (i *Issuer) Discovery(jwksURI string) Discovery {
	return Discovery{
		Issuer:                           IssuerURL,
		JWKSURI:                          jwksURI,
		ResponseTypesSupported:           []string{"id_token"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		ClaimsSupported:                  []string{"sub", "iss", "aud", "exp", "iat", "tenant", "project", "role"},
	}
}

// Handler serves JWKSPath and DiscoveryPath. The discovery document's
// jwks_uri points at the host the request came in on rather than at
// IssuerURL, because IssuerURL does not resolve on a developer machine and
// a verifier must be able to follow the link.
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, i.JWKS())
	})
	mux.HandleFunc("GET "+DiscoveryPath, func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		writeJSON(w, i.Discovery(scheme+"://"+r.Host+JWKSPath))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// Encoding these fixed structs cannot fail; a write error means the
	// client went away and there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}

func publicJWK(pub *rsa.PublicKey, kid string) JWK {
	return JWK{
		Kty: "RSA",
		Use: "sig",
		Alg: "RS256",
		Kid: kid,
		N:   b64(pub.N.Bytes()),
		E:   b64(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// thumbprint is the RFC 7638 JWK thumbprint, a stable key id derived from
// the key itself so two issuers never share a kid.
func thumbprint(pub *rsa.PublicKey) (string, error) {
	jwk := publicJWK(pub, "")
	// RFC 7638 fixes the member set and their lexicographic order.
	canon, err := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{jwk.E, jwk.Kty, jwk.N})
	if err != nil {
		return "", fmt.Errorf("marshal JWK: %w", err)
	}
	sum := sha256.Sum256(canon)
	return b64(sum[:]), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
