package router_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/sivchari/kumo"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/calls"
	"github.com/clusterforge/clusterforge/local/elbhealth"
	"github.com/clusterforge/clusterforge/local/faults"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/local/ratelimit"
	"github.com/clusterforge/clusterforge/local/router"
)

const (
	platformID = "111111111111"
	customerID = "222222222222"
)

// Two kumo processes for the whole test binary: the customer's in-process,
// the platform's as a child process (kumo has one global store per process).
var customerKumoURL, platformKumoURL string

func TestMain(m *testing.M) {
	os.Exit(runWithKumo(m))
}

func runWithKumo(m *testing.M) int {
	customer := kumo.NewServer()
	defer customer.Close()
	customerKumoURL = customer.URL

	stop, url, err := startKumoProcess()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start platform kumo:", err)
		return 1
	}
	defer stop()
	platformKumoURL = url
	return m.Run()
}

func startKumoProcess() (stop func(), url string, err error) {
	dir, err := os.MkdirTemp("", "kumoaccount")
	if err != nil {
		return nil, "", fmt.Errorf("temp dir: %w", err)
	}
	bin := filepath.Join(dir, "kumoaccount")
	build := exec.Command("go", "build", "-o", bin, "./testdata/kumoaccount")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return nil, "", fmt.Errorf("build helper: %w", err)
	}
	cmd := exec.Command(bin)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", fmt.Errorf("stdin pipe: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", fmt.Errorf("stdout pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start helper: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, "", fmt.Errorf("read helper url: %w", err)
	}
	return func() {
		_ = stdin.Close() // the helper exits when stdin closes
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	}, strings.TrimSpace(line), nil
}

// cloud is a router in front of both accounts with every feature wired.
type cloud struct {
	t        *testing.T
	router   *router.Router
	url      string
	accounts *accounts.Registry
	platform accounts.Account
	customer accounts.Account
	faults   *faults.Injector
	calls    *calls.Recorder
	limits   *ratelimit.Limiter
	health   *elbhealth.Tracker
	latency  *latency.Model
	ec2      *fakeEC2
	crashes  chan string
}

func newCloud(t *testing.T) *cloud {
	t.Helper()
	reg := accounts.NewRegistry()
	platform, err := reg.Add(accounts.Account{ID: platformID, Name: "platform", KumoURL: platformKumoURL})
	if err != nil {
		t.Fatal(err)
	}
	customer, err := reg.Add(accounts.Account{ID: customerID, Name: "customer", KumoURL: customerKumoURL})
	if err != nil {
		t.Fatal(err)
	}
	c := &cloud{t: t, accounts: reg, platform: platform, customer: customer,
		faults: faults.New(), calls: calls.New(), limits: ratelimit.New(), latency: latency.New(1),
		ec2: &fakeEC2{states: map[string]string{}}, crashes: make(chan string, 4)}
	c.health = elbhealth.New(c.latency, c.ec2)
	c.router = router.New(router.Config{
		Accounts:          reg,
		EC2:               func(string) http.Handler { return c.ec2 },
		PlatformAccountID: platformID,
		Faults:            c.faults,
		Limits:            c.limits,
		Calls:             c.calls,
		Health:            c.health,
		Latency:           c.latency,
		OnCrash:           func(appID string) { c.crashes <- appID },
	})
	srv := httptest.NewServer(c.router)
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// config returns an SDK config for the router signed with these keys.
// Retries are off so tests see each answer.
func (c *cloud) config(key, secret, token string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, token),
		BaseEndpoint:     aws.String(c.url),
		RetryMaxAttempts: 1,
		AppID:            "test-app",
	}
}

func (c *cloud) admin(a accounts.Account) aws.Config { return c.config(a.AdminKey, a.AdminSecret, "") }

// uniqueName keeps names apart across tests sharing one kumo store.
func uniqueName(t *testing.T, suffix string) string {
	name := strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()) + "-" + suffix
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return strings.TrimLeft(name, "-")
}

// createRole creates a role in the customer account trusting the platform
// account with an ExternalId, and attaches inline policy documents.
func (c *cloud) createRole(name, externalID string, inline ...string) string {
	c.t.Helper()
	ctx := context.Background()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":%q}}}]}`, platformID, externalID)
	client := iam.NewFromConfig(c.admin(c.customer))
	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		c.t.Fatalf("CreateRole %s: %v", name, err)
	}
	for i, doc := range inline {
		_, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name),
			PolicyName: aws.String(fmt.Sprintf("inline-%d", i)), PolicyDocument: aws.String(doc)})
		if err != nil {
			c.t.Fatalf("PutRolePolicy: %v", err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// assume assumes roleARN with the platform's admin keys and returns a
// config signed with the temporary credentials.
func (c *cloud) assume(roleARN, externalID string) aws.Config {
	c.t.Helper()
	out, err := sts.NewFromConfig(c.admin(c.platform)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("test"), ExternalId: aws.String(externalID)})
	if err != nil {
		c.t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	cr := out.Credentials
	return c.config(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
}

// apiError asserts err is an AWS error with code and returns it.
func apiError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	return ae
}

func allowDoc(actions ...string) string { return statementDoc("Allow", actions...) }
func denyDoc(actions ...string) string  { return statementDoc("Deny", actions...) }

func statementDoc(effect string, actions ...string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":%q,"Action":["%s"],"Resource":"*"}]}`,
		effect, strings.Join(actions, `","`))
}

// fakeEC2 stands in for local/ec2: it answers DryRun as EC2 does, counts
// calls, and reports instance states to elbhealth.
type fakeEC2 struct {
	mu     sync.Mutex
	calls  map[string]int
	states map[string]string
}

func (f *fakeEC2) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := r.Form.Get("Action")
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[action]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if r.Form.Get("DryRun") == "true" {
		w.WriteHeader(http.StatusPreconditionFailed)
		fmt.Fprint(w, `<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>x</RequestID></Response>`)
		return
	}
	fmt.Fprintf(w, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>x</requestId></%sResponse>`, action, action)
}

func (f *fakeEC2) count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[action]
}

func (f *fakeEC2) InstanceState(_, _, id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.states[id]
}

func (f *fakeEC2) setState(id, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[id] = state
}
