package apigw

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/sivchari/kumo"

	"github.com/clusterforge/clusterforge/local/auth"
)

// TestRoundTripThroughKumoLambda drives the gateway against a real Lambda
// API (kumo) whose function is a Go binary speaking the Runtime API, the
// same way the local cloud runs the api Lambda.
func TestRoundTripThroughKumoLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a Lambda binary")
	}
	const fn = "echo-api"
	ctx := context.Background()
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)

	client := NewLambdaClient(LambdaEndpoint{URL: srv.URL, AccessKeyID: "AKIAPLATFORM", SecretAccessKey: "secret"})
	_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn),
		Role:         aws.String("arn:aws:iam::" + DefaultAccountID + ":role/echo"),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Timeout:      aws.Int32(10),
		Code:         &types.FunctionCode{ZipFile: []byte("not used: the handler runs outside kumo")},
	})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	startHandler(t, strings.TrimPrefix(srv.URL, "http://")+"/_runtime/"+fn)

	iss, err := auth.New()
	if err != nil {
		t.Fatal(err)
	}
	gw, err := New(Config{
		Invoker: client, FunctionName: fn, Verifier: iss,
		Routes: []string{"GET /v1/clusters/{id}", "ANY /v1/{proxy+}"},
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(gw)
	t.Cleanup(api.Close)
	tok, err := iss.Mint(auth.Claims{Tenant: "t9", Project: "p9", Role: "viewer", Subject: "bob"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	// Until the handler's first poll reaches kumo, Invoke has no backend
	// and the gateway answers 503; wait for that to pass.
	var resp *http.Response
	var body []byte
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body = get(t, api.URL+"/v1/clusters/c-42?view=full", tok)
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, body %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Echo") != "yes" || resp.Header.Get("Set-Cookie") != "echo=1; Path=/" {
		t.Errorf("response headers = %v", resp.Header)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("echoed body is not an event: %v: %s", err, body)
	}
	if ev.RouteKey != "GET /v1/clusters/{id}" || ev.PathParameters["id"] != "c-42" ||
		ev.QueryStringParameters["view"] != "full" || ev.RequestContext.Authorizer.JWT.Claims["tenant"] != "t9" {
		t.Errorf("echoed event = %+v", ev)
	}

	// A handler error comes back from kumo as X-Amz-Function-Error.
	if resp, body := get(t, api.URL+"/v1/fail", tok); resp.StatusCode != 500 ||
		string(body) != "{\"message\":\"Internal Server Error\"}\n" {
		t.Errorf("function error: %d %s", resp.StatusCode, body)
	}
}

// startHandler builds testdata/echo and runs it against runtimeAPI.
func startHandler(t *testing.T, runtimeAPI string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-o", bin, "./testdata/echo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build echo Lambda: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+runtimeAPI)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start echo Lambda: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

func get(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, body
}
