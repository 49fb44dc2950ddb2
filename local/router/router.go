// Package router is the front door of the local cloud: one HTTP endpoint
// that answers every AWS API of every simulated account. For each request
// it identifies the call, resolves and verifies the signer, enforces the
// signer's IAM policies, applies EC2 throttling and injected faults, records
// the call, and dispatches it to the emulator of the signer's account.
package router

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/calls"
	"github.com/clusterforge/clusterforge/local/elbhealth"
	"github.com/clusterforge/clusterforge/local/faults"
	"github.com/clusterforge/clusterforge/local/iammirror"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/local/ratelimit"
	"github.com/clusterforge/clusterforge/local/sts"
)

// Config wires the router. Accounts is required; every other field is
// optional and its feature is off (or the service unavailable) when nil.
type Config struct {
	Accounts *accounts.Registry

	// EC2 and ServiceQuotas return the project's emulator for an account.
	EC2           func(accountID string) http.Handler
	ServiceQuotas func(accountID string) http.Handler
	// EKS returns the account's EKS emulator (local/eks); kumo answers
	// EKS when nil.
	EKS func(accountID string) http.Handler
	// StepFunctions serves the platform account only.
	StepFunctions     http.Handler
	PlatformAccountID string

	IAM     *iammirror.Mirror // created when nil
	Faults  *faults.Injector
	Limits  *ratelimit.Limiter
	Calls   *calls.Recorder
	Health  *elbhealth.Tracker
	Latency *latency.Model

	// OnCrash is called by crash-after-call faults with the calling SDK's
	// app id (User-Agent "app/<id>"); the launcher kills that Lambda.
	OnCrash func(appID string)

	// Transport reaches the kumo processes; http.DefaultTransport when nil.
	Transport http.RoundTripper
}

// Router is an http.Handler.
type Router struct {
	cfg Config
	sts *sts.Service
}

// New returns a router for cfg.
func New(cfg Config) *Router {
	if cfg.IAM == nil {
		cfg.IAM = iammirror.New()
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	return &Router{cfg: cfg, sts: sts.New(cfg.Accounts, cfg.IAM)}
}

// IAM is the mirror the router keeps (for the admin endpoint and tests).
func (rt *Router) IAM() *iammirror.Mirror { return rt.cfg.IAM }

// STS is the router's STS service.
func (rt *Router) STS() *sts.Service { return rt.sts }

// request is one call as it travels through the pipeline.
type request struct {
	http      *http.Request
	call      awsproto.Call
	principal accounts.Principal
	account   accounts.Account
	form      url.Values // query-protocol parameters; nil for JSON and REST
	body      []byte
}

// freshBody gives the next handler an unread copy of the request body.
func (req *request) freshBody() *http.Request {
	req.http.Body = io.NopCloser(bytes.NewReader(req.body))
	req.http.ContentLength = int64(len(req.body))
	return req.http
}

func (req *request) dryRun() bool { return strings.EqualFold(req.form.Get("DryRun"), "true") }

// ServeHTTP runs the pipeline: parse, authenticate, authorize, throttle,
// inject faults, dispatch — recording the outcome whatever happens.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call, err := awsproto.Parse(r)
	if err != nil {
		call = guessCall(r)
		awsproto.WriteError(w, call, missingAuthentication(call.Protocol))
		return
	}
	req, err := readRequest(r, call)
	if err != nil {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err))
		return
	}
	rec := newRecordingWriter(w)
	defer rt.record(req, rec)

	if err := rt.authenticate(req); err != nil {
		awsproto.WriteError(rec, call, err)
		return
	}
	ctx := accounts.WithPrincipal(awsproto.WithCall(r.Context(), call), req.principal)
	req.http = r.WithContext(ctx)

	if err := rt.authorize(req); err != nil {
		awsproto.WriteError(rec, call, err)
		return
	}
	if err := rt.throttle(req); err != nil {
		awsproto.WriteError(rec, call, err)
		return
	}
	if rt.cfg.Faults != nil {
		if rule, ok := rt.cfg.Faults.Match(req.account.ID, call.Service, call.Action); ok {
			rt.injectFault(rec, req, rule)
			return
		}
	}
	rt.dispatch(rec, req)
}

func readRequest(r *http.Request, call awsproto.Call) (*request, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := &request{http: r, call: call, body: body}
	if call.Protocol == awsproto.ProtocolQuery || call.Protocol == awsproto.ProtocolEC2Query {
		if req.form, err = awsproto.ReadForm(r); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// guessCall names the protocol of a request Parse refused, so even the
// "not signed" answer has the shape the client expects.
func guessCall(r *http.Request) awsproto.Call {
	c := awsproto.Call{RequestID: awsproto.NewRequestID(), Protocol: awsproto.ProtocolREST}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		c.Protocol = awsproto.ProtocolJSON
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		c.Protocol = awsproto.ProtocolQuery
	}
	return c
}

func (rt *Router) throttle(req *request) error {
	if req.call.Service != "ec2" || rt.cfg.Limits == nil {
		return nil
	}
	if rt.cfg.Limits.Allow(req.account.ID, req.call.Region, req.call.Action, req.form) {
		return nil
	}
	return awsproto.Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
}

func (rt *Router) record(req *request, rec *recordingWriter) {
	if rt.cfg.Calls == nil || rec.recorded {
		return
	}
	rec.recorded = true
	rt.cfg.Calls.Record(calls.Call{
		Time:      req.call.Time,
		Account:   req.account.ID,
		Principal: req.principal.ARN,
		Service:   req.call.Service,
		Action:    req.call.Action,
		Status:    rec.Status(),
		ErrorCode: rec.ErrorCode(),
		AppID:     AppID(req.http.Header.Get("User-Agent")),
		DryRun:    req.call.Service == "ec2" && req.dryRun(),
	})
}

// AppID returns the SDK application id from a User-Agent's "app/<id>" token.
func AppID(userAgent string) string {
	for _, tok := range strings.Fields(userAgent) {
		if id, ok := strings.CutPrefix(tok, "app/"); ok {
			return id
		}
	}
	return ""
}
