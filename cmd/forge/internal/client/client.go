// Package client calls the ClusterForge public API: JSON in and out, the
// error envelope decoded into *APIError, retries where they are safe.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client is one caller of the API.
type Client struct {
	Endpoint string // e.g. https://api.example.com (no /v1)
	Token    string
	HTTP     *http.Client
	// Retries is how often a throttled (429) or failed (5xx, network)
	// request is tried again; mutations carry an Idempotency-Key, so a
	// retry can never create a second cluster.
	Retries int
	Backoff time.Duration
}

// New returns a client with the defaults a terminal user wants.
func New(endpoint, token string) *Client {
	return &Client{
		Endpoint: strings.TrimRight(endpoint, "/"),
		Token:    token,
		HTTP:     &http.Client{Timeout: 60 * time.Second},
		Retries:  3,
		Backoff:  500 * time.Millisecond,
	}
}

// Do sends one request and returns the raw answer of a 2xx, decoded into
// out as well when out is not nil. body is nil, json.RawMessage (sent as
// is) or a value to encode. Any other status is an *APIError.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) (json.RawMessage, error) {
	payload, err := encode(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
	}
	idemKey := ""
	if method != http.MethodGet {
		idemKey = newKey()
	}
	var raw json.RawMessage
	for attempt := 0; ; attempt++ {
		var status int
		raw, status, err = c.once(ctx, method, path, payload, idemKey)
		if !retryable(status, err) || attempt >= c.Retries {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.Backoff << attempt):
		}
	}
	if err != nil {
		return nil, err
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("decode the answer of %s %s: %w", method, path, err)
		}
	}
	return raw, nil
}

// once makes one attempt.
func (c *Client) once(ctx context.Context, method, path string, payload []byte, idemKey string) (json.RawMessage, int, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Endpoint+path, rd)
	if err != nil {
		return nil, 0, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "forge")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, &NetworkError{Endpoint: c.Endpoint, Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, &NetworkError{Endpoint: c.Endpoint, Err: err}
	}
	if resp.StatusCode/100 == 2 {
		return raw, resp.StatusCode, nil
	}
	return nil, resp.StatusCode, decodeError(resp.StatusCode, method, path, raw)
}

// decodeError reads the API's envelope, or API Gateway's {"message"} that
// its authorizer and missing routes answer with, or plain text.
func decodeError(status int, method, path string, raw []byte) *APIError {
	var env struct {
		Error   *APIError `json:"error"`
		Message string    `json:"message"`
	}
	e := &APIError{}
	if json.Unmarshal(raw, &env) == nil {
		switch {
		case env.Error != nil:
			e = env.Error
		case env.Message != "":
			e.Message = env.Message
		}
	} else if text := strings.TrimSpace(string(raw)); text != "" && len(text) < 300 {
		e.Message = text
	}
	e.Status, e.Method, e.Path = status, method, path
	return e
}

// NetworkError is a request that got no HTTP answer.
type NetworkError struct {
	Endpoint string
	Err      error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("cannot reach the API at %s: %v", e.Endpoint, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

func retryable(status int, err error) bool {
	var netErr *NetworkError
	switch {
	case errors.As(err, &netErr):
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	case status == http.StatusTooManyRequests, status >= 500 && status != http.StatusNotImplemented:
		return true
	}
	return false
}

func encode(body any) ([]byte, error) {
	switch v := body.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return v, nil
	default:
		return json.Marshal(v)
	}
}

// newKey is a fresh Idempotency-Key: one per command invocation, reused
// by its retries only.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "forge-" + hex.EncodeToString(b)
}

// ListAll follows nextToken and returns every item of a list route, so
// what a user sees never depends on the page size.
func (c *Client) ListAll(ctx context.Context, path string) ([]json.RawMessage, error) {
	var all []json.RawMessage
	next := ""
	for {
		p := path
		if next != "" {
			p += sep(path) + "nextToken=" + url.QueryEscape(next)
		}
		var page struct {
			Items     []json.RawMessage `json:"items"`
			NextToken string            `json:"nextToken"`
		}
		if _, err := c.Do(ctx, http.MethodGet, p, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextToken == "" || page.NextToken == next {
			return all, nil
		}
		next = page.NextToken
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// DecodeAll decodes raw list items into typed values for a table.
func DecodeAll[T any](items []json.RawMessage) ([]T, error) {
	out := make([]T, len(items))
	for i, raw := range items {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("decode item %d: %w", i, err)
		}
	}
	return out, nil
}
