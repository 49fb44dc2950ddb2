package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/api/apitest"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/store/storetest"
)

const (
	keyID     = "AKIAIOSFODNN7EXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	roleARN   = "arn:aws:iam::222222222222:role/ClusterForge"
	platform  = "111111111111"
)

var (
	contractOnce sync.Once
	contract     *apitest.ContractValidator
	contractErr  error
)

// fakeValidator records what the handler gave it.
type fakeValidator struct {
	mu     sync.Mutex
	calls  []cloud.Access
	region string
	err    error
}

func (f *fakeValidator) Validate(_ context.Context, access cloud.Access, region string) (cloud.ValidationReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, access)
	f.region = region
	if f.err != nil {
		return cloud.ValidationReport{}, f.err
	}
	return cloud.ValidationReport{Region: region, Identity: cloud.Identity{Account: "222222222222", ARN: "arn:aws:sts::222222222222:assumed-role/x", UserID: "AROA:x"},
		MissingPermissions: []string{"ec2:CreateNatGateway"}}, nil
}

// deniedError is how a validator reports access that does not work.
type deniedError struct{}

func (deniedError) Error() string      { return "sts:AssumeRole denied" }
func (deniedError) AccessDenied() bool { return true }

type harness struct {
	t         *testing.T
	env       *storetest.Env
	handler   *api.Handler
	validator *fakeValidator
	logs      *syncBuffer
	requests  int
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	contractOnce.Do(func() { contract, contractErr = apitest.NewContractValidator() })
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	h := &harness{t: t, env: storetest.New(t), validator: &fakeValidator{}, logs: &syncBuffer{}}
	h.handler = api.New(api.Deps{
		Store: h.env.Store, Secrets: h.env.Secrets, Validator: h.validator,
		PlatformAccountID: platform, Logger: api.NewLogger(h.logs, "debug"),
	})
	return h
}

// claims builds JWT claims; role "" means no claims at all.
func claims(tenant, project, role string) map[string]string {
	if role == "" {
		return nil
	}
	return map[string]string{"tenant": tenant, "project": project, "role": role, "sub": "user-" + role}
}

var (
	acmeAdmin  = claims("acme", "web", "project-admin")
	acmeEditor = claims("acme", "web", "project-editor")
	acmeViewer = claims("acme", "web", "viewer")
	globex     = claims("globex", "web", "tenant-admin")
)

type call struct {
	method, path, body string
	claims             map[string]string
	headers            map[string]string
	query              map[string]string
	routeKey           string
	params             map[string]string
	allowFault         bool // the test provokes a 500 on purpose
}

type result struct {
	status  int
	headers map[string]string
	body    string
	json    map[string]any
}

// errorField returns error.field and error.code of an error response.
func (r result) errorField() (field, code string) {
	e, _ := r.json["error"].(map[string]any)
	field, _ = e["field"].(string)
	code, _ = e["code"].(string)
	return field, code
}

func (h *harness) do(c call) result {
	h.t.Helper()
	h.requests++
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: c.routeKey, RawPath: c.path, Body: c.body,
		Headers: map[string]string{"content-type": "application/json"}, QueryStringParameters: c.query,
		PathParameters: c.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "api-req-" + strings.Repeat("x", h.requests%5+1),
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: c.method, Path: c.path},
		},
	}
	if ev.RouteKey == "" {
		ev.RouteKey = "$default"
	}
	var raw []string
	for k, v := range c.query {
		raw = append(raw, k+"="+v)
	}
	ev.RawQueryString = strings.Join(raw, "&")
	for k, v := range c.headers {
		ev.Headers[strings.ToLower(k)] = v
	}
	if c.claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: c.claims},
		}
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-req-1"})
	resp, err := h.handler.Handle(ctx, ev)
	if err != nil {
		h.t.Fatalf("%s %s: handler error %v", c.method, c.path, err)
	}
	if err := contract.ValidateEvent(ctx, ev, resp); err != nil {
		h.t.Errorf("contract: %v", err)
	}
	if resp.StatusCode >= 500 && resp.StatusCode != 501 && !c.allowFault {
		h.t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, secretKey) {
		h.t.Fatalf("%s %s: response contains the secret access key", c.method, c.path)
	}
	r := result{status: resp.StatusCode, headers: resp.Headers, body: resp.Body}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &r.json); err != nil {
			h.t.Fatalf("%s %s: body is not a JSON object: %v: %s", c.method, c.path, err, resp.Body)
		}
	}
	return r
}

// must asserts the status and returns the result.
func (h *harness) must(status int, c call) result {
	h.t.Helper()
	r := h.do(c)
	if r.status != status {
		h.t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, r.status, status, r.body)
	}
	return r
}

func secretAccountBody(name string) string {
	return `{"name":"` + name + `","type":"secret","accessKeyId":"` + keyID + `","secretAccessKey":"` + secretKey + `"}`
}

func stsAccountBody(name string) string {
	return `{"name":"` + name + `","type":"sts","roleArn":"` + roleARN + `"}`
}

const profileBody = `{"name":"base","description":"ubuntu + k8s","layers":[
 {"type":"os","name":"ubuntu","version":"22.04"},
 {"type":"kubernetes","name":"kubernetes","version":"1.30.4","values":"podCIDR: 192.168.0.0/16\n"},
 {"type":"cni","name":"cilium","version":"1.16.0","values":"ipam:\n  mode: kubernetes\n"}]}`

// checkLogs asserts every log line is JSON with both request ids and that
// no line carries the secret.
func (h *harness) checkLogs() {
	h.t.Helper()
	out := h.logs.String()
	if strings.Contains(out, secretKey) {
		h.t.Fatal("logs contain the secret access key")
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			h.t.Fatalf("log line is not JSON: %s", line)
		}
		if rec["awsRequestId"] != "lambda-req-1" || !strings.HasPrefix(rec["apiRequestId"].(string), "api-req-") {
			h.t.Fatalf("log line lacks request ids: %s", line)
		}
	}
}

func init() { slog.SetDefault(slog.New(slog.DiscardHandler)) }

var errBoom = errors.New("boom")
