package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// bodyLog keeps every API response body any test's client received, for
// the secret-leak check.
type bodyLog struct {
	mu     sync.Mutex
	bodies []string
}

func (l *bodyLog) add(method, path string, body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bodies = append(l.bodies, method+" "+path+" → "+string(body))
}

func (l *bodyLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.bodies...)
}

// recorder is the innermost transport: it records the raw response body
// before the contract check sees it.
type recorder struct{ base http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	seen.add(req.Method, req.URL.Path, raw)
	return resp, nil
}

// client calls the API as one caller. Its transport checks every exchange
// against the OpenAPI contract and reports violations to the test.
type client struct {
	token string
	http  *http.Client
}

func newClient(t testing.TB, token string) *client {
	t.Helper()
	return &client{token: token, http: &http.Client{
		Timeout:   60 * time.Second,
		Transport: contract.Transport(recorder{base: http.DefaultTransport}, t),
	}}
}

// apiResponse is one answer of the API.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiError is the API's error envelope.
type apiError struct {
	Error struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Field   *string `json:"field"`
	} `json:"error"`
}

func (r apiResponse) err(t testing.TB) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.Body)
	}
	return e
}

// send makes one request. body may be nil, raw ([]byte or string, sent as
// is, so tests can send broken JSON) or a value to encode.
func (c *client) send(t testing.TB, method, path string, body any) apiResponse {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(v)
	case string:
		rd = strings.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("encode %s %s body: %v", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, cloud.API+path, rd)
	if err != nil {
		t.Fatalf("build %s %s: %v", method, path, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	return apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// must sends a request that has to answer want, and decodes the body into
// out (when not nil).
func (c *client) must(t testing.TB, want int, method, path string, body, out any) apiResponse {
	t.Helper()
	r := c.send(t, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("decode %s %s: %v: %s", method, path, err, r.Body)
		}
	}
	return r
}

// mint asks the admin endpoint for a token; ttl 0 means the default.
func mint(t testing.TB, tenant, project, role string, ttl time.Duration) string {
	t.Helper()
	in := map[string]any{"tenant": tenant, "project": project, "role": role}
	if ttl > 0 {
		in["ttlSeconds"] = int(ttl.Seconds())
	}
	var out struct {
		Token string `json:"token"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cloud.Admin(ctx, http.MethodPost, "/tokens", in, &out); err != nil {
		t.Fatalf("mint %s token for %s/%s: %v", role, tenant, project, err)
	}
	return out.Token
}

// as is a client for a fresh token with the default lifetime.
func as(t testing.TB, tenant, project, role string) *client {
	t.Helper()
	return newClient(t, mint(t, tenant, project, role, 0))
}

// Wire shapes the tests read (the contract validator has already checked
// them against the schema; these pick out what the assertions need).
type (
	cloudAccount struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Type        string `json:"type"`
		AccessKeyID string `json:"accessKeyId"`
		RoleARN     string `json:"roleArn"`
		Version     int    `json:"version"`
	}
	accountList struct {
		Items     []cloudAccount `json:"items"`
		NextToken string         `json:"nextToken"`
	}
	externalID struct {
		ExternalID        string `json:"externalId"`
		PlatformAccountID string `json:"platformAccountId"`
	}
	validationReport struct {
		Region   string `json:"region"`
		Identity struct {
			Account string `json:"account"`
			ARN     string `json:"arn"`
			UserID  string `json:"userId"`
		} `json:"identity"`
		MissingPermissions    []string `json:"missingPermissions"`
		UnverifiedPermissions []string `json:"unverifiedPermissions"`
		Quotas                []struct {
			Name      string `json:"name"`
			Scope     string `json:"scope"`
			Limit     int    `json:"limit"`
			Used      int    `json:"used"`
			Available int    `json:"available"`
			Error     string `json:"error"`
		} `json:"quotas"`
	}
)

// secretAccount is the create body of a secret account with the simulated
// customer's administrator keys.
func secretAccount(name string) map[string]string {
	return map[string]string{
		"name": name, "type": "secret",
		"accessKeyId": cloud.Customer.AccessKeyID, "secretAccessKey": cloud.Customer.SecretAccessKey,
	}
}

func stsAccount(name, roleARN string) map[string]string {
	return map[string]string{"name": name, "type": "sts", "roleArn": roleARN}
}

// listAccounts returns every account of the caller's project, following
// nextToken, so counts do not depend on the page size.
func (c *client) listAccounts(t testing.TB) []cloudAccount {
	t.Helper()
	var all []cloudAccount
	path := "/v1/cloudaccounts"
	for {
		var page accountList
		c.must(t, http.StatusOK, http.MethodGet, path, nil, &page)
		all = append(all, page.Items...)
		if page.NextToken == "" {
			return all
		}
		path = "/v1/cloudaccounts?nextToken=" + url.QueryEscape(page.NextToken)
	}
}
