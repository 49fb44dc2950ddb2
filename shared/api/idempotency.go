package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/clusterforge/clusterforge/shared/store"
)

// IdempotencyHeader lets clients retry mutations safely.
const IdempotencyHeader = "Idempotency-Key"

const maxIdempotencyKey = 255

// withIdempotency runs next at most once per Idempotency-Key: the same key
// with the same request replays the stored response; with a different
// request it is a 409. Server faults release the key so a retry runs again.
func (h *Handler) withIdempotency(ctx context.Context, r *request, next func(context.Context) response) response {
	key := header(r, IdempotencyHeader)
	if key == "" {
		return next(ctx)
	}
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return errorResponse(badRequest(IdempotencyHeader, "must be 1-255 printable ASCII characters"))
	}
	scope := r.principal.Scope
	fp := fingerprint(r)
	existing, err := h.deps.Store.ClaimIdempotencyKey(ctx, scope, key, fp)
	if err != nil {
		r.log.ErrorContext(ctx, "claim idempotency key", "err", err)
		return errorResponse(faultError())
	}
	switch {
	case existing == nil:
	case existing.Fingerprint != fp:
		return errorResponse(&Error{Status: http.StatusConflict, Code: "idempotency_key_reused",
			Message: "this Idempotency-Key was used with a different request", Field: IdempotencyHeader})
	case existing.State != store.IdempotencyCompleted:
		return errorResponse(&Error{Status: http.StatusConflict, Code: "request_in_progress",
			Message: "a request with this Idempotency-Key is still in progress; retry later", Field: IdempotencyHeader})
	default:
		headers := map[string]string{"Idempotent-Replayed": "true"}
		for k, v := range existing.Headers {
			headers[k] = v
		}
		return response{status: existing.StatusCode, raw: []byte(existing.Body), headers: headers}
	}

	resp := next(ctx)
	// The claim outlives a cancelled request context: finish bookkeeping.
	bg := context.WithoutCancel(ctx)
	if resp.status >= 500 {
		if err := h.deps.Store.ReleaseIdempotencyKey(bg, scope, key); err != nil {
			r.log.ErrorContext(ctx, "release idempotency key", "err", err)
		}
		return resp
	}
	out, err := encode(resp)
	if err != nil {
		r.log.ErrorContext(ctx, "encode response for idempotency", "err", err)
		return resp
	}
	rec := store.IdempotencyRecord{Fingerprint: fp, StatusCode: out.StatusCode, Body: out.Body, Headers: resp.headers}
	if err := h.deps.Store.CompleteIdempotencyKey(bg, scope, key, rec); err != nil {
		r.log.ErrorContext(ctx, "complete idempotency key", "err", err)
	}
	return resp
}

// fingerprint identifies "the same request": route, path and body. It is a
// hash, so the stored record never holds a body with a secret in it.
func fingerprint(r *request) string {
	h := sha256.New()
	h.Write([]byte(r.route.key() + "\n" + requestPath(r.event) + "\n"))
	h.Write(r.body)
	return hex.EncodeToString(h.Sum(nil))
}

// header reads a request header; API Gateway v2 lower-cases names, local
// callers may not.
func header(r *request, name string) string {
	if v, ok := r.event.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range r.event.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
