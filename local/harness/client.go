package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

var httpClient = &http.Client{Timeout: 60 * time.Second}

// Token mints a JWT through the admin endpoint.
func (c *Cloud) Token(ctx context.Context, tenant, project, role string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	body := map[string]string{"tenant": tenant, "project": project, "role": role}
	if _, err := c.Admin(ctx, http.MethodPost, "/tokens", body, &out); err != nil {
		return "", err
	}
	return out.Token, nil
}

// Admin calls the admin endpoint; out may be nil.
func (c *Cloud) Admin(ctx context.Context, method, path string, in, out any) (int, error) {
	resp, err := Do(ctx, method, c.Contract.Admin+path, "", in, out)
	if err != nil {
		return 0, err
	}
	if resp.Status >= 300 {
		return resp.Status, fmt.Errorf("admin %s %s: %d %s", method, path, resp.Status, resp.Body)
	}
	return resp.Status, nil
}

// Response is an HTTP answer with its raw body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a JSON request (with a bearer token when set) and decodes a JSON
// answer into out when the status is 2xx and out is not nil.
func Do(ctx context.Context, method, url, token string, in, out any) (*Response, error) {
	var body io.Reader
	if in != nil {
		switch v := in.(type) {
		case []byte:
			body = bytes.NewReader(v)
		case string:
			body = bytes.NewReader([]byte(v))
		default:
			b, err := json.Marshal(in)
			if err != nil {
				return nil, fmt.Errorf("encode request: %w", err)
			}
			body = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", method, url, err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return r, fmt.Errorf("decode %s %s: %w (%s)", method, url, err, raw)
		}
	}
	return r, nil
}

// CustomerConfig is an AWS SDK config for the simulated customer account
// with its administrator keys, pointed at the local AWS endpoint — an
// independent client, not the service's view.
func (c *Cloud) CustomerConfig(ctx context.Context, region string) (aws.Config, error) {
	return StaticConfig(ctx, c.Contract.AWS, region, c.Customer.AccessKeyID, c.Customer.SecretAccessKey, "")
}

// StaticConfig builds an SDK config for the local endpoint with given keys.
func StaticConfig(ctx context.Context, endpoint, region, key, secret, session string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, secret, session)),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(3),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	return cfg, nil
}
