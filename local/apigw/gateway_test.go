package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/clusterforge/clusterforge/local/auth"
)

// fakeInvoker records every invocation and answers with out/err.
type fakeInvoker struct {
	mu    sync.Mutex
	calls []*lambda.InvokeInput
	out   *lambda.InvokeOutput
	err   error
}

func (f *fakeInvoker) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	return f.out, f.err
}

// event decodes the nth invocation's payload.
func (f *fakeInvoker) event(t *testing.T, n int) events.APIGatewayV2HTTPRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) <= n {
		t.Fatalf("Lambda invoked %d times, want call #%d", len(f.calls), n+1)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(f.calls[n].Payload, &ev); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	return ev
}

func (f *fakeInvoker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func respondWith(t *testing.T, resp any) *lambda.InvokeOutput {
	t.Helper()
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return &lambda.InvokeOutput{StatusCode: 200, Payload: b}
}

type harness struct {
	gw     *Gateway
	fake   *fakeInvoker
	issuer *auth.Issuer
	logs   *bytes.Buffer
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	iss, err := auth.New()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{fake: &fakeInvoker{}, issuer: iss, logs: &bytes.Buffer{}}
	h.fake.out = respondWith(t, events.APIGatewayV2HTTPResponse{StatusCode: 204})
	cfg := Config{
		Invoker:      h.fake,
		FunctionName: "api",
		Routes: []string{
			"GET /v1/clusters/{id}",
			"POST /v1/clusters/{id}/nodepools/{name}",
		},
		PublicRoutes: []string{"GET /v1/openapi.json"},
		Verifier:     iss,
		Logger:       slog.New(slog.NewJSONHandler(h.logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	if h.gw, err = New(cfg); err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func (h *harness) token(t *testing.T) string {
	t.Helper()
	tok, err := h.issuer.Mint(auth.Claims{Tenant: "t1", Project: "p1", Role: "project-admin", Subject: "alice"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (h *harness) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.gw.ServeHTTP(rec, req)
	return rec
}

func TestEventFields(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.token(t)
	req := httptest.NewRequest("POST",
		"http://api.clusterforge.test:8080/v1/clusters/c-123/nodepools/gpu%20pool?limit=5&tag=a&tag=b",
		strings.NewReader(`{"instanceType":"g5.xlarge"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cf-test/1.0")
	req.Header.Add("X-Multi", "1")
	req.Header.Add("X-Multi", "2")
	req.Header.Set("Cookie", "a=1; b=2")
	before := time.Now()

	rec := h.do(req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
	}
	if got := *h.fake.calls[0].FunctionName; got != "api" {
		t.Errorf("FunctionName = %q", got)
	}
	ev := h.fake.event(t, 0)

	const key = "POST /v1/clusters/{id}/nodepools/{name}"
	check := map[string][2]string{
		"version":              {ev.Version, "2.0"},
		"routeKey":             {ev.RouteKey, key},
		"rawPath":              {ev.RawPath, "/v1/clusters/c-123/nodepools/gpu%20pool"},
		"rawQueryString":       {ev.RawQueryString, "limit=5&tag=a&tag=b"},
		"body":                 {ev.Body, `{"instanceType":"g5.xlarge"}`},
		"rc.routeKey":          {ev.RequestContext.RouteKey, key},
		"rc.accountId":         {ev.RequestContext.AccountID, DefaultAccountID},
		"rc.apiId":             {ev.RequestContext.APIID, DefaultAPIID},
		"rc.stage":             {ev.RequestContext.Stage, "$default"},
		"rc.domainName":        {ev.RequestContext.DomainName, "api.clusterforge.test"},
		"rc.domainPrefix":      {ev.RequestContext.DomainPrefix, "api"},
		"rc.requestId":         {ev.RequestContext.RequestID, rec.Header().Get("Apigw-Requestid")},
		"rc.http.method":       {ev.RequestContext.HTTP.Method, "POST"},
		"rc.http.path":         {ev.RequestContext.HTTP.Path, "/v1/clusters/c-123/nodepools/gpu pool"},
		"rc.http.protocol":     {ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		"rc.http.sourceIp":     {ev.RequestContext.HTTP.SourceIP, "192.0.2.1"},
		"rc.http.userAgent":    {ev.RequestContext.HTTP.UserAgent, "cf-test/1.0"},
		"header x-multi":       {ev.Headers["x-multi"], "1,2"},
		"header authorization": {ev.Headers["authorization"], "Bearer " + tok},
		"header content-type":  {ev.Headers["content-type"], "application/json"},
		"header host":          {ev.Headers["host"], "api.clusterforge.test:8080"},
		"header x-fwd-for":     {ev.Headers["x-forwarded-for"], "192.0.2.1"},
		"header x-fwd-port":    {ev.Headers["x-forwarded-port"], "8080"},
		"header x-fwd-proto":   {ev.Headers["x-forwarded-proto"], "http"},
	}
	for name, c := range check {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if ev.RequestContext.RequestID == "" {
		t.Error("empty requestId")
	}
	if ev.IsBase64Encoded {
		t.Error("JSON body marked base64")
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Error("cookie header passed through; API Gateway moves it to cookies")
	}
	for k := range ev.Headers {
		if k != strings.ToLower(k) {
			t.Errorf("header %q not lower-cased", k)
		}
	}
	if !slices.Equal(ev.Cookies, []string{"a=1", "b=2"}) {
		t.Errorf("cookies = %q", ev.Cookies)
	}
	if want := map[string]string{"limit": "5", "tag": "a,b"}; !maps.Equal(ev.QueryStringParameters, want) {
		t.Errorf("queryStringParameters = %v, want %v", ev.QueryStringParameters, want)
	}
	if want := map[string]string{"id": "c-123", "name": "gpu pool"}; !maps.Equal(ev.PathParameters, want) {
		t.Errorf("pathParameters = %v, want %v", ev.PathParameters, want)
	}
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatal("no authorizer.jwt in requestContext")
	}
	claims := ev.RequestContext.Authorizer.JWT.Claims
	for k, v := range map[string]string{"tenant": "t1", "project": "p1", "role": "project-admin",
		"sub": "alice", "iss": auth.IssuerURL, "aud": auth.Audience} {
		if claims[k] != v {
			t.Errorf("claim %s = %q, want %q", k, claims[k], v)
		}
	}
	epoch := ev.RequestContext.TimeEpoch
	if epoch < before.UnixMilli() || epoch > time.Now().UnixMilli() {
		t.Errorf("timeEpoch %d outside the request window", epoch)
	}
	parsed, err := time.Parse(requestTimeLayout, ev.RequestContext.Time)
	if err != nil || parsed.Unix() != epoch/1000 {
		t.Errorf("time %q does not match timeEpoch %d (%v)", ev.RequestContext.Time, epoch, err)
	}
}

func TestBinaryBodyIsBase64(t *testing.T) {
	h := newHarness(t, nil)
	raw := []byte{0x00, 0xff, 0x10, 'x'}
	req := httptest.NewRequest("GET", "/v1/clusters/c-1", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+h.token(t))
	req.Header.Set("Content-Type", "application/octet-stream")
	h.do(req)
	ev := h.fake.event(t, 0)
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(raw) {
		t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
	}
	if ev.QueryStringParameters != nil || ev.Cookies != nil {
		t.Errorf("empty query/cookies should be omitted: %v %v", ev.QueryStringParameters, ev.Cookies)
	}
}

func TestResponseMapping(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.out = respondWith(t, events.APIGatewayV2HTTPResponse{
		StatusCode:        201,
		Headers:           map[string]string{"content-type": "application/octet-stream", "x-single": "s"},
		MultiValueHeaders: map[string][]string{"x-multi": {"1", "2"}},
		Cookies:           []string{"s=1; HttpOnly", "t=2"},
		Body:              base64.StdEncoding.EncodeToString([]byte{1, 2, 3}),
		IsBase64Encoded:   true,
	})
	req := httptest.NewRequest("GET", "/v1/clusters/c-1", nil)
	req.Header.Set("Authorization", "Bearer "+h.token(t))
	rec := h.do(req)

	if rec.Code != 201 {
		t.Errorf("status = %d", rec.Code)
	}
	hd := rec.Header()
	if hd.Get("Content-Type") != "application/octet-stream" || hd.Get("X-Single") != "s" {
		t.Errorf("headers = %v", hd)
	}
	if !slices.Equal(hd.Values("X-Multi"), []string{"1", "2"}) {
		t.Errorf("X-Multi = %q", hd.Values("X-Multi"))
	}
	if !slices.Equal(hd.Values("Set-Cookie"), []string{"s=1; HttpOnly", "t=2"}) {
		t.Errorf("Set-Cookie = %q", hd.Values("Set-Cookie"))
	}
	if !bytes.Equal(rec.Body.Bytes(), []byte{1, 2, 3}) {
		t.Errorf("body = %v", rec.Body.Bytes())
	}
}

func TestResponseInferredFromPlainJSON(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.out = &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{"hello":"world"}`)}
	req := httptest.NewRequest("GET", "/v1/clusters/c-1", nil)
	req.Header.Set("Authorization", "Bearer "+h.token(t))
	rec := h.do(req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != `{"hello":"world"}` {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestUnauthorizedNeverInvokes(t *testing.T) {
	h := newHarness(t, nil)
	other, err := auth.New()
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Mint(auth.Claims{Tenant: "t", Project: "p", Role: "viewer", Subject: "s"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, authz := range map[string]string{
		"missing":     "",
		"empty":       "Bearer ",
		"garbage":     "Bearer nope",
		"foreign key": "Bearer " + foreign,
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/v1/clusters/c-1", "/v1/unrouted"} {
				req := httptest.NewRequest("GET", path, nil)
				if authz != "" {
					req.Header.Set("Authorization", authz)
				}
				rec := h.do(req)
				if rec.Code != 401 || rec.Body.String() != "{\"message\":\"Unauthorized\"}\n" {
					t.Errorf("%s: got %d %q", path, rec.Code, rec.Body)
				}
			}
		})
	}
	if n := h.fake.count(); n != 0 {
		t.Errorf("Lambda invoked %d times for unauthorized requests", n)
	}
}

func TestPublicRouteWithoutToken(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do(httptest.NewRequest("GET", "/v1/openapi.json", nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d %s", rec.Code, rec.Body)
	}
	ev := h.fake.event(t, 0)
	if ev.RouteKey != "GET /v1/openapi.json" || ev.RequestContext.Authorizer != nil {
		t.Errorf("routeKey %q authorizer %+v", ev.RouteKey, ev.RequestContext.Authorizer)
	}
	// Only that method is public.
	if rec := h.do(httptest.NewRequest("POST", "/v1/openapi.json", nil)); rec.Code != 401 {
		t.Errorf("POST on public path: %d", rec.Code)
	}
}

func TestDefaultRoute(t *testing.T) {
	h := newHarness(t, nil)
	req := httptest.NewRequest("GET", "/v1/nothing/here", nil)
	req.Header.Set("Authorization", h.token(t)) // the authorizer also takes a bare token
	if rec := h.do(req); rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d %s", rec.Code, rec.Body)
	}
	if ev := h.fake.event(t, 0); ev.RouteKey != DefaultRouteKey || ev.PathParameters != nil {
		t.Errorf("routeKey %q pathParameters %v", ev.RouteKey, ev.PathParameters)
	}
}

func TestLambdaFailures(t *testing.T) {
	cases := map[string]struct {
		out    *lambda.InvokeOutput
		err    error
		status int
		body   string
	}{
		"function error": {out: &lambda.InvokeOutput{FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorMessage":"boom"}`)},
			status: 500, body: "Internal Server Error"},
		"not JSON":          {out: &lambda.InvokeOutput{Payload: []byte("hello")}, status: 500, body: "Internal Server Error"},
		"bad status":        {out: &lambda.InvokeOutput{Payload: []byte(`{"statusCode":42}`)}, status: 500, body: "Internal Server Error"},
		"bad base64":        {out: &lambda.InvokeOutput{Payload: []byte(`{"statusCode":200,"body":"!!","isBase64Encoded":true}`)}, status: 500, body: "Internal Server Error"},
		"Lambda API errors": {err: errors.New("connection refused"), status: 503, body: "Service Unavailable"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.fake.out, h.fake.err = c.out, c.err
			req := httptest.NewRequest("GET", "/v1/clusters/c-1", nil)
			req.Header.Set("Authorization", "Bearer "+h.token(t))
			rec := h.do(req)
			want := `{"message":"` + c.body + "\"}\n"
			if rec.Code != c.status || rec.Body.String() != want {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, c.status, want)
			}
		})
	}
}

func TestStaticFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>console</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(c *Config) { c.StaticDir = dir })
	rec := h.do(httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "console") {
		t.Errorf("GET / = %d %q", rec.Code, rec.Body)
	}
	if h.fake.count() != 0 {
		t.Error("static request reached the Lambda")
	}
	// /v1 stays the API's, even with a static dir.
	if rec := h.do(httptest.NewRequest("GET", "/v1/clusters/x", nil)); rec.Code != 401 {
		t.Errorf("GET /v1/clusters/x = %d, want 401", rec.Code)
	}
}

func TestAccessLog(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.token(t)
	req := httptest.NewRequest("POST", "/v1/clusters/c-1/nodepools/p?secret=q", strings.NewReader(`{"password":"hunter2"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := h.do(req)

	logs := h.logs.String()
	for _, leak := range []string{tok, "hunter2", "secret=q"} {
		if strings.Contains(logs, leak) {
			t.Errorf("log leaks %q: %s", leak, logs)
		}
	}
	var line map[string]any
	last := strings.TrimSpace(logs)
	last = last[strings.LastIndex(last, "\n")+1:]
	if err := json.Unmarshal([]byte(last), &line); err != nil {
		t.Fatalf("log line not JSON: %v: %s", err, last)
	}
	for k, v := range map[string]any{"method": "POST", "path": "/v1/clusters/c-1/nodepools/p",
		"status": float64(204), "requestId": rec.Header().Get("Apigw-Requestid")} {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["durationMs"]; !ok {
		t.Error("log line has no durationMs")
	}
}

func TestNewValidates(t *testing.T) {
	iss, _ := auth.New()
	good := Config{Invoker: &fakeInvoker{}, FunctionName: "api", Verifier: iss}
	for name, mod := range map[string]func(*Config){
		"no invoker":  func(c *Config) { c.Invoker = nil },
		"no function": func(c *Config) { c.FunctionName = "" },
		"no verifier": func(c *Config) { c.Verifier = nil },
		"bad route":   func(c *Config) { c.Routes = []string{"/v1/x"} },
		"bad static":  func(c *Config) { c.StaticDir = "/does/not/exist" },
	} {
		c := good
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

var _ LambdaInvoker = (*lambda.Client)(nil)
var _ Verifier = (*auth.Issuer)(nil)
