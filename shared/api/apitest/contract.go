// Package apitest checks real traffic against the API's OpenAPI contract.
// Handler tests feed it API Gateway events; end-to-end tests wrap their
// HTTP client with Transport.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// ContractValidator validates requests and responses against the embedded
// OpenAPI document.
type ContractValidator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewContractValidator loads and validates the document.
func NewContractValidator() (*ContractValidator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIYAML())
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not valid OpenAPI: %w", err)
	}
	doc.Servers = nil // match any host: local gateway, test server or AWS
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.yaml: %w", err)
	}
	return &ContractValidator{doc: doc, router: router}, nil
}

// Doc is the loaded document.
func (c *ContractValidator) Doc() *openapi3.T { return c.doc }

// ValidateExchange checks one request and its response:
//   - the response must be declared for the operation (status, headers,
//     body schema);
//   - a request the contract rejects must not succeed (2xx). A contract-valid
//     request may still get a 400 for rules the schema cannot express.
//
// Unknown paths must answer 404 or 405.
func (c *ContractValidator) ValidateExchange(ctx context.Context, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("%s %s is not in the contract but answered %d: %w", req.Method, req.URL.Path, status, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && status < 300 {
		return fmt.Errorf("%s %s: contract rejects the request but the server answered %d: %w", req.Method, req.URL.Path, status, reqErr)
	}
	if header == nil {
		header = http.Header{}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Body:    io.NopCloser(bytes.NewReader(respBody)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s %s → %d: response breaks the contract: %w\nbody: %s", req.Method, req.URL.Path, status, err, respBody)
	}
	return nil
}

// ValidateEvent checks an API Gateway v2 event and the handler's response.
func (c *ContractValidator) ValidateEvent(ctx context.Context, ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) error {
	body := []byte(ev.Body)
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	u := &url.URL{Scheme: "https", Host: "api.clusterforge.test", Path: path, RawQuery: ev.RawQueryString}
	req, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	header := http.Header{}
	for k, v := range resp.Headers {
		header.Set(k, v)
	}
	return c.ValidateExchange(ctx, req, body, resp.StatusCode, header, []byte(resp.Body))
}

// Reporter receives contract violations; *testing.T is one.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Transport wraps base (nil: http.DefaultTransport) so every exchange is
// checked and violations are reported, for end-to-end tests over real HTTP.
func (c *ContractValidator) Transport(base http.RoundTripper, report Reporter) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &contractTransport{c: c, base: base, report: report}
}

type contractTransport struct {
	c      *ContractValidator
	base   http.RoundTripper
	report Reporter
	mu     sync.Mutex
}

func (t *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	check := req.Clone(req.Context())
	check.URL.Path = stripBase(check.URL.Path)
	if verr := t.c.ValidateExchange(req.Context(), check, reqBody, resp.StatusCode, resp.Header, respBody); verr != nil {
		t.mu.Lock()
		t.report.Errorf("contract: %v", verr)
		t.mu.Unlock()
	}
	return resp, nil
}

// stripBase removes an API Gateway stage prefix before /v1.
func stripBase(path string) string {
	if i := strings.Index(path, "/v1/"); i > 0 {
		return path[i:]
	}
	return path
}
