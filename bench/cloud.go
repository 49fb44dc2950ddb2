package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/clusterforge/clusterforge/local/harness"
)

// session is one running local cloud with a registered customer account and
// profile: everything a cluster request needs.
type session struct {
	cloud     *harness.Cloud
	token     string
	accountID string // the service's cloud account id (acc-…)
	profileID string
	scale     float64            // wall seconds per simulated AWS second
	latencies map[string]float64 // AWS seconds by latency kind, from GET /clock
	sfn       *sfn.Client        // platform account: execution status and history
}

// startSession starts a fresh local cloud (its own log dir under dir) and
// registers what a customer would: an account, a profile, the SSH key pair.
func startSession(ctx context.Context, o options, name string, extra ...string) (*session, error) {
	logDir := filepath.Join(o.logDir, name)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	stderr, err := os.Create(filepath.Join(logDir, "launcher-stderr.log"))
	if err != nil {
		return nil, err
	}
	cloud, err := harness.Start(ctx, harness.Options{
		Root: o.root, Bin: o.bin, LogDir: logDir, Log: stderr, StartTimeout: 120 * time.Second,
		ExtraArgs: extra,
	})
	if err != nil {
		return nil, fmt.Errorf("start local cloud (%s): %w", name, err)
	}
	s := &session{cloud: cloud}
	if err := s.setup(ctx); err != nil {
		cloud.Stop()
		return nil, fmt.Errorf("set up %s: %w", name, err)
	}
	return s, nil
}

func (s *session) stop() { s.cloud.Stop() }

func (s *session) setup(ctx context.Context) error {
	var clock struct {
		Scale        float64            `json:"scale"`
		AWSLatencies map[string]float64 `json:"awsLatencies"`
	}
	if _, err := s.cloud.Admin(ctx, http.MethodGet, "/clock", nil, &clock); err != nil {
		return err
	}
	s.scale, s.latencies = clock.Scale, clock.AWSLatencies
	var err error
	if s.token, err = s.cloud.Token(ctx, "bench", "default", "tenant-admin"); err != nil {
		return err
	}
	if s.sfn, err = s.platformSFN(ctx); err != nil {
		return err
	}
	var acc struct{ ID string }
	if err := s.api(ctx, http.MethodPost, "/v1/cloudaccounts", map[string]string{
		"name": "bench-customer", "type": "secret",
		"accessKeyId": s.cloud.Customer.AccessKeyID, "secretAccessKey": s.cloud.Customer.SecretAccessKey,
	}, &acc); err != nil {
		return err
	}
	s.accountID = acc.ID
	var prof struct{ ID string }
	if err := s.api(ctx, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("bench-ubuntu-k8s131"), &prof); err != nil {
		return err
	}
	s.profileID = prof.ID
	cfg, err := s.cloud.CustomerConfig(ctx, harness.ExampleRegion)
	if err != nil {
		return err
	}
	_, err = ec2.NewFromConfig(cfg).CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("ops")})
	return err
}

// platformSFN is a Step Functions client with the platform account's keys,
// which the admin endpoint's read-only GET /platform hands out: execution
// history is the service's own view and not part of the public contract.
func (s *session) platformSFN(ctx context.Context) (*sfn.Client, error) {
	var p struct{ Region, AccessKeyID, SecretAccessKey string }
	if _, err := s.cloud.Admin(ctx, http.MethodGet, "/platform", nil, &p); err != nil {
		return nil, fmt.Errorf("platform keys (GET {admin}/platform): %w", err)
	}
	cfg, err := harness.StaticConfig(ctx, s.cloud.AWS, p.Region, p.AccessKeyID, p.SecretAccessKey, "")
	if err != nil {
		return nil, err
	}
	return sfn.NewFromConfig(cfg), nil
}

// api sends one request as the bench's tenant-admin; non-2xx is an error.
func (s *session) api(ctx context.Context, method, path string, in, out any) error {
	resp, err := harness.Do(ctx, method, s.cloud.API+path, s.token, in, out)
	if err != nil {
		return err
	}
	if resp.Status >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.Status, strings.TrimSpace(string(resp.Body)))
	}
	return nil
}

// raiseQuotas lifts the customer account's EC2 quotas in the example region
// so n concurrent clusters fit: the scale runs measure rate limits and the
// service, not the default quota of 5 VPCs.
func (s *session) raiseQuotas(ctx context.Context, n int) error {
	body := map[string]int{
		"max-vpcs":         n + 5,
		"max-elastic-ips":  3*n + 5,
		"max-nat-gateways": n + 5,
		"max-vcpus":        16*n + 64,
	}
	_, err := s.cloud.Admin(ctx, http.MethodPut, "/accounts/"+s.cloud.Customer.AccountID+"/quotas?region="+harness.ExampleRegion, body, nil)
	return err
}

// simSeconds turns a wall duration into simulated AWS seconds.
func (s *session) simSeconds(d time.Duration) float64 { return d.Seconds() / s.scale }
