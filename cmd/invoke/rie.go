package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/clusterforge/clusterforge/local/harness"
)

// platformAccount is the local cloud's platform account (GET {admin}/platform).
type platformAccount struct {
	AccountID       string `json:"accountId"`
	Region          string `json:"region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// functionEnv is the process environment of fn as the local cloud runs it:
// its configured variables, the local endpoint and the platform's keys.
func functionEnv(ctx context.Context, cloud *harness.Cloud, fn string) ([]string, error) {
	var p platformAccount
	if _, err := cloud.Admin(ctx, http.MethodGet, "/platform", nil, &p); err != nil {
		return nil, fmt.Errorf("platform account: %w", err)
	}
	cfg, err := harness.StaticConfig(ctx, cloud.AWS, p.Region, p.AccessKeyID, p.SecretAccessKey, "")
	if err != nil {
		return nil, err
	}
	conf, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	if err != nil {
		return nil, fmt.Errorf("configuration of %s in the local cloud: %w", fn, err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TZ=UTC",
		"AWS_ENDPOINT_URL=" + cloud.AWS,
		"AWS_REGION=" + p.Region, "AWS_DEFAULT_REGION=" + p.Region,
		"AWS_ACCESS_KEY_ID=" + p.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + p.SecretAccessKey,
		"AWS_LAMBDA_FUNCTION_NAME=" + fn,
	}
	if conf.Environment != nil {
		for k, v := range conf.Environment.Variables {
			env = append(env, k+"="+v)
		}
	}
	return env, nil
}

// rieRun is one emulator run: one bootstrap, one event.
type rieRun struct {
	RIE, Bootstrap string
	Env            []string
	Event          []byte
	Log            io.Writer // the emulator's and the function's own output
}

type rieResult struct {
	Body          []byte
	FunctionError bool
}

// invokeRIE starts the emulator on free loopback ports, posts the event to
// its invoke endpoint and stops it.
func invokeRIE(ctx context.Context, r rieRun) (rieResult, error) {
	if _, err := os.Stat(r.RIE); err != nil {
		return rieResult{}, fmt.Errorf("%s missing (make invoke installs it): %w", r.RIE, err)
	}
	invokeAddr, err := freeAddr()
	if err != nil {
		return rieResult{}, err
	}
	runtimeAddr, err := freeAddr()
	if err != nil {
		return rieResult{}, err
	}
	cmd := exec.Command(r.RIE,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		r.Bootstrap)
	cmd.Env = r.Env
	// Once the response is in, stop relaying: what the function says while
	// the emulator is being stopped (its next-invoke poll failing) is noise.
	out := &gate{w: r.Log}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return rieResult{}, fmt.Errorf("start %s: %w", r.RIE, err)
	}
	defer func() {
		out.close()
		// The emulator's process group: it and the bootstrap it started.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	if err := waitListening(ctx, invokeAddr); err != nil {
		return rieResult{}, err
	}
	url := "http://" + invokeAddr + "/2015-03-31/functions/function/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.Event))
	if err != nil {
		return rieResult{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rieResult{}, fmt.Errorf("invoke through the emulator: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return rieResult{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return rieResult{}, fmt.Errorf("emulator answered %d: %s", resp.StatusCode, body)
	}
	return rieResult{Body: body, FunctionError: isFunctionError(resp.Header, body)}, nil
}

// isFunctionError: Lambda marks a handler error with X-Amz-Function-Error;
// the emulator may only return the error document.
func isFunctionError(h http.Header, body []byte) bool {
	return h.Get("X-Amz-Function-Error") != "" ||
		(bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) && strings.Contains(string(body), `"errorType"`))
}

// gate is a writer that can be shut.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the emulator did not listen on " + addr + " within 10s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
