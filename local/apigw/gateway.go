// Package apigw is the local API Gateway HTTP API: it turns HTTP requests
// into payload format 2.0 events, authorizes them with a JWT verifier as the
// JWT authorizer would, invokes the api Lambda through the Lambda API and
// maps its answer back to HTTP.
package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

const (
	// DefaultAccountID is the platform account (local/CONTRACTS.md).
	DefaultAccountID = "111111111111"
	// DefaultAPIID stands in for the 10-character id API Gateway assigns.
	DefaultAPIID = "clfgelocal"
	// DefaultTimeout is API Gateway's maximum integration timeout; past it
	// the client gets 503.
	DefaultTimeout = 30 * time.Second
	// maxBodyBytes is the HTTP API payload quota (10 MB).
	maxBodyBytes = 10 << 20
)

// LambdaInvoker is the one Lambda API call the gateway makes; *lambda.Client
// satisfies it, tests pass a fake.
type LambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Verifier checks a bearer token and returns its claims as strings;
// *auth.Issuer satisfies it.
type Verifier interface {
	Verify(token string) (map[string]string, error)
}

// Config wires the gateway. Invoker, FunctionName and Verifier are required.
type Config struct {
	Invoker      LambdaInvoker
	FunctionName string
	// Routes are route keys such as "GET /v1/clusters/{id}"; a request that
	// matches none goes to "$default".
	Routes []string
	// PublicRoutes are route keys served without a token, e.g.
	// "GET /v1/openapi.json". They need not be repeated in Routes.
	PublicRoutes []string
	Verifier     Verifier
	// StaticDir, if set, is served at / for every path outside /v1, as a
	// single-page app: client-side routes without a file get index.html
	// (static.go).
	StaticDir string
	AccountID string        // default DefaultAccountID
	APIID     string        // default DefaultAPIID
	Timeout   time.Duration // default DefaultTimeout
	Logger    *slog.Logger  // default JSON to stderr
}

// Gateway is an http.Handler; build it with New.
type Gateway struct {
	cfg    Config
	routes routeTable
	public map[string]bool
	static http.Handler
	log    *slog.Logger
}

// New validates cfg and fills its defaults.
func New(cfg Config) (*Gateway, error) {
	switch {
	case cfg.Invoker == nil:
		return nil, errors.New("apigw: Invoker is required")
	case cfg.FunctionName == "":
		return nil, errors.New("apigw: FunctionName is required")
	case cfg.Verifier == nil:
		return nil, errors.New("apigw: Verifier is required")
	}
	routes, err := newRouteTable(cfg.Routes, cfg.PublicRoutes)
	if err != nil {
		return nil, fmt.Errorf("apigw: %w", err)
	}
	g := &Gateway{cfg: cfg, routes: routes, public: map[string]bool{}, log: cfg.Logger}
	for _, k := range cfg.PublicRoutes {
		g.public[k] = true
	}
	if cfg.StaticDir != "" {
		if fi, err := os.Stat(cfg.StaticDir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("apigw: StaticDir %q is not a directory (%v)", cfg.StaticDir, err)
		}
		g.static = newStaticSite(cfg.StaticDir)
	}
	if g.cfg.AccountID == "" {
		g.cfg.AccountID = DefaultAccountID
	}
	if g.cfg.APIID == "" {
		g.cfg.APIID = DefaultAPIID
	}
	if g.cfg.Timeout <= 0 {
		g.cfg.Timeout = DefaultTimeout
	}
	if g.log == nil {
		g.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return g, nil
}

// ServeHTTP handles one request and writes one access log line. The line
// never carries the Authorization header, the query string or any body.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	// API Gateway returns its request id on every response.
	rec.Header().Set("Apigw-Requestid", reqID)

	routeKey := g.serve(rec, r, reqID, start)

	g.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("routeKey", routeKey),
		slog.Int("status", rec.status),
		slog.Float64("durationMs", float64(time.Since(start).Microseconds())/1000),
		slog.String("requestId", reqID),
	)
}

// serve answers r and returns the route key it resolved to, for the log.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, reqID string, received time.Time) string {
	if g.static != nil && !isAPIPath(r.URL.Path) {
		g.static.ServeHTTP(w, r)
		return "static"
	}
	routeKey, params := g.routes.lookup(r.Method, r.URL.EscapedPath())

	var claims map[string]string
	if !g.public[routeKey] {
		var ok bool
		if claims, ok = g.authorize(w, r); !ok {
			return routeKey
		}
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			msgEntityTooLarge.write(w)
		} else {
			g.fail(r, w, msgInternalError, "read request body", err)
		}
		return routeKey
	}

	ev := buildEvent(r, eventInput{
		routeKey: routeKey, pathParams: params, claims: claims, requestID: reqID,
		accountID: g.cfg.AccountID, apiID: g.cfg.APIID, body: body, received: received,
	})
	g.invoke(w, r, ev)
	return routeKey
}

// authorize plays the JWT authorizer: identity source
// $request.header.Authorization, with or without the "Bearer " prefix.
// On failure it has already answered 401.
func (g *Gateway) authorize(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	token := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		msgUnauthorized.write(w)
		return nil, false
	}
	claims, err := g.cfg.Verifier.Verify(token)
	if err != nil {
		// The reason goes to the log for the developer, not to the client.
		g.log.LogAttrs(r.Context(), slog.LevelInfo, "token rejected", slog.String("reason", err.Error()))
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		msgUnauthorized.write(w)
		return nil, false
	}
	return claims, true
}

// invoke calls the Lambda synchronously and maps the outcome.
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, ev any) {
	payload, err := json.Marshal(ev)
	if err != nil {
		g.fail(r, w, msgInternalError, "encode event", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.cfg.Timeout)
	defer cancel()
	out, err := g.cfg.Invoker.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(g.cfg.FunctionName),
		Payload:      payload,
	})
	if err != nil {
		g.fail(r, w, msgUnavailable, "invoke Lambda", err)
		return
	}
	if out.FunctionError != nil {
		g.fail(r, w, msgInternalError, "Lambda function error", errors.New(aws.ToString(out.FunctionError)))
		return
	}
	resp, err := decodeResponse(out.Payload)
	if err != nil {
		g.fail(r, w, msgInternalError, "map Lambda response", err)
		return
	}
	if err := writeResponse(w, resp); err != nil {
		g.fail(r, w, msgInternalError, "map Lambda response", err)
	}
}

// fail logs why the gateway answers with one of its own errors.
func (g *Gateway) fail(r *http.Request, w http.ResponseWriter, m gatewayMessage, what string, err error) {
	g.log.LogAttrs(r.Context(), slog.LevelWarn, what,
		slog.String("function", g.cfg.FunctionName),
		slog.String("error", err.Error()),
		slog.String("requestId", w.Header().Get("Apigw-Requestid")),
	)
	m.write(w)
}

func isAPIPath(p string) bool { return p == "/v1" || strings.HasPrefix(p, "/v1/") }

// statusRecorder captures the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and MaxBytesReader reach the
// underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
