// Package admin is the local cloud's admin endpoint: token minting, health,
// the issuer's key documents, and mount points the launcher fills with the
// fault, call-accounting, clock and account handlers.
package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/auth"
)

const (
	// DefaultTokenTTL is long enough for a demo or a benchmark run.
	DefaultTokenTTL = time.Hour
	// MaxTokenTTL bounds ttlSeconds so a typo does not mint a token that
	// outlives any sensible run.
	MaxTokenTTL  = 7 * 24 * time.Hour
	maxBodyBytes = 1 << 20
)

// Config wires the admin mux. Auth is required.
type Config struct {
	Auth *auth.Issuer
	// Extra maps Go 1.22 ServeMux patterns ("GET /clock", "/faults",
	// "PUT /accounts/{id}/quotas") to the launcher's handlers.
	Extra map[string]http.Handler
}

// TokenRequest is the body of POST /tokens.
type TokenRequest struct {
	Tenant     string `json:"tenant"`
	Project    string `json:"project"`
	Role       string `json:"role"`
	Subject    string `json:"subject,omitempty"`
	TTLSeconds int    `json:"ttlSeconds,omitempty"`
}

// TokenResponse is the answer to POST /tokens.
type TokenResponse struct {
	Token string `json:"token"`
}

// New builds the admin mux.
func New(cfg Config) (*http.ServeMux, error) {
	if cfg.Auth == nil {
		return nil, errors.New("admin: Auth is required")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tokens", tokens(cfg.Auth))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// The issuer's discovery and JWKS documents, for anything that wants to
	// verify tokens the way a real JWT authorizer would.
	keys := cfg.Auth.Handler()
	mux.Handle("GET "+auth.JWKSPath, keys)
	mux.Handle("GET "+auth.DiscoveryPath, keys)
	for pattern, h := range cfg.Extra {
		if err := handle(mux, pattern, h); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// handle registers an Extra handler, turning ServeMux's panic on an invalid
// or conflicting pattern into an error the launcher can report.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	if h == nil {
		return fmt.Errorf("admin: nil handler for %q", pattern)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("admin: mount %q: %v", pattern, r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

func tokens(iss *auth.Issuer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req TokenRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		// Unknown fields are rejected so a misspelt "ttl" or "tenantId"
		// fails loudly instead of minting a token without it.
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, "", "invalid JSON body: "+err.Error())
			return
		}
		ttl := DefaultTokenTTL
		if req.TTLSeconds != 0 {
			ttl = time.Duration(req.TTLSeconds) * time.Second
			if req.TTLSeconds < 0 || ttl > MaxTokenTTL {
				writeError(w, "ttlSeconds", fmt.Sprintf("ttlSeconds must be between 1 and %d", int(MaxTokenTTL.Seconds())))
				return
			}
		}
		claims := auth.Claims{Tenant: req.Tenant, Project: req.Project, Role: req.Role, Subject: req.Subject}
		if strings.TrimSpace(claims.Subject) == "" {
			// A stable, readable default so logs and audit trails show who.
			claims.Subject = fmt.Sprintf("local:%s:%s:%s", req.Tenant, req.Project, req.Role)
		}
		if err := claims.Validate(); err != nil {
			var fe *auth.FieldError
			if errors.As(err, &fe) {
				writeError(w, fe.Field, fe.Message)
				return
			}
			writeError(w, "", err.Error())
			return
		}
		tok, err := iss.Mint(claims, ttl)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, apiError("InternalError", "", err.Error()))
			return
		}
		writeJSON(w, http.StatusOK, TokenResponse{Token: tok})
	}
}

// writeError answers 400 in the API's error shape (DESIGN §5).
func writeError(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusBadRequest, apiError("ValidationError", field, msg))
}

func apiError(code, field, msg string) any {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	return map[string]body{"error": {Code: code, Message: msg, Field: field}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a write error means the client left
}
