// Package lambdatest sets up, for tests, an in-process kumo with the
// testlambda fixture running under a lambdarun.Runner. It is shared by the
// tests of local/lambdarun, local/sfn and local/scheduler.
package lambdatest

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/sivchari/kumo"

	"github.com/clusterforge/clusterforge/local/lambdarun"
)

// Test credentials and region; kumo accepts any keys.
const (
	Region          = "us-east-1"
	AccessKeyID     = "AKIALOCALTEST000001"
	SecretAccessKey = "local-test-secret"
)

// Env is a kumo with a runner in front of it.
type Env struct {
	Kumo   *kumo.Server
	Config aws.Config // points at Kumo
	Lambda *lambda.Client
	Runner *lambdarun.Runner
}

// FunctionARN is the ARN kumo gives a function (its fixed account id).
func FunctionARN(name string) string {
	return "arn:aws:lambda:" + Region + ":000000000000:function:" + name
}

// Fixture builds testdata/testlambda into the test's temp dir.
func Fixture(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	pkg := filepath.Join(filepath.Dir(file), "..", "testdata", "testlambda")
	out := filepath.Join(t.TempDir(), "bootstrap")
	if err := lambdarun.BuildBinary(t.Context(), pkg, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Start runs an in-process kumo and a runner for fns; both stop at the end
// of the test. Function logs go to the test log.
func Start(t testing.TB, fns ...lambdarun.Function) *Env {
	t.Helper()
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	lc := lambda.NewFromConfig(cfg)
	r, err := lambdarun.Start(context.WithoutCancel(t.Context()), lambdarun.Options{
		LambdaClient:    lc,
		RuntimeURL:      srv.URL,
		Region:          Region,
		AWSEndpointURL:  srv.URL,
		AccessKeyID:     AccessKeyID,
		SecretAccessKey: SecretAccessKey,
		LogDir:          t.TempDir(),
		LogWriter:       testWriter{t},
	}, fns...)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after kumo's Close, so it runs first: processes end
	// before their Runtime API goes away.
	t.Cleanup(r.Stop)
	return &Env{Kumo: srv, Config: cfg, Lambda: lc, Runner: r}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-min(len(p), 1)]))
	return len(p), nil
}
