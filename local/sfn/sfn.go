// Package sfn runs the local Step Functions server (server.mjs: the Step
// Functions API over aws-local-stepfunctions, which runs the real ASL with
// Retry, Catch, Map, Parallel and Wait) as a Node 22 child process.
//
// The node binary comes from the node@22 npm package installed by `npm ci`
// in local/sfn, so the local cloud needs no system Node. State is in memory
// only: executions running when the server stops are lost.
package sfn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled reports that local/sfn/node_modules is missing.
var ErrNotInstalled = errors.New("local Step Functions dependencies are not installed: run `npm ci` in local/sfn")

const (
	startTimeout = 30 * time.Second
	// stopGrace lets node close its listener before the group is killed.
	stopGrace = 3 * time.Second
)

var listeningLine = regexp.MustCompile(`^local-sfn listening on (http://\S+)$`)

// Options configures the server.
type Options struct {
	// Dir is the local/sfn directory (server.mjs and node_modules).
	Dir string
	// NodeBin overrides the node binary; default <Dir>/node_modules/node/bin/node.
	NodeBin string
	// Port to listen on (127.0.0.1); 0 picks a free port.
	Port int
	// AccountID and Region name the state machine and execution ARNs.
	AccountID string
	Region    string
	// LambdaEndpoint is where Task states invoke Lambda functions.
	LambdaEndpoint string
	// AccessKeyID and SecretAccessKey sign the Lambda calls (platform account).
	AccessKeyID     string
	SecretAccessKey string
	// TimeScale is wall seconds per AWS second for Wait states, Retry
	// intervals and execution timeouts; 0 means 1 (real time).
	TimeScale float64
	// LogWriter receives the server's stdout and stderr; nil discards them.
	LogWriter io.Writer
}

// Server is a running local Step Functions server.
type Server struct {
	cmd      *exec.Cmd
	url      string
	exited   chan struct{}
	stopOnce sync.Once
}

// Start runs server.mjs and returns once it answers API calls. The server
// stops when ctx is done or Stop is called.
func Start(ctx context.Context, o Options) (*Server, error) {
	node, err := nodeBinary(o)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, node, serverArgs(o)...)
	cmd.Dir = o.Dir
	cmd.Env = serverEnv(o)
	// Own process group, so Stop (and ctx) end node and anything it spawns.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd, syscall.SIGKILL) }
	cmd.WaitDelay = stopGrace

	logs := o.LogWriter
	if logs == nil {
		logs = io.Discard
	}
	tail := &tailBuffer{}
	cmd.Stderr = io.MultiWriter(logs, tail)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("sfn: stdout pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sfn: start %s: %w", node, err)
	}
	s := &Server{cmd: cmd, exited: make(chan struct{})}
	urlCh := make(chan string, 1)
	go func() {
		// Wait only after stdout is drained, as os/exec requires.
		scanStdout(stdout, io.MultiWriter(logs, tail), urlCh)
		_ = cmd.Wait()
		close(s.exited)
	}()

	if err := s.awaitReady(ctx, urlCh, tail); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func nodeBinary(o Options) (string, error) {
	if o.Dir == "" {
		return "", errors.New("sfn: Options.Dir (the local/sfn directory) is required")
	}
	lib := filepath.Join(o.Dir, "node_modules", "aws-local-stepfunctions")
	if _, err := os.Stat(lib); err != nil {
		return "", fmt.Errorf("%w (%s: %v)", ErrNotInstalled, lib, err)
	}
	node := o.NodeBin
	if node == "" {
		node = filepath.Join(o.Dir, "node_modules", "node", "bin", "node")
	}
	if _, err := os.Stat(node); err != nil {
		return "", fmt.Errorf("%w (%s: %v)", ErrNotInstalled, node, err)
	}
	return node, nil
}

func serverArgs(o Options) []string {
	scale := o.TimeScale
	if scale <= 0 {
		scale = 1
	}
	args := []string{"server.mjs", "--host", "127.0.0.1", "--port", strconv.Itoa(o.Port),
		"--time-scale", strconv.FormatFloat(scale, 'g', -1, 64)}
	if o.AccountID != "" {
		args = append(args, "--account-id", o.AccountID)
	}
	if o.Region != "" {
		args = append(args, "--region", o.Region)
	}
	return args
}

// serverEnv drops the caller's AWS settings (profiles, real credentials, a
// global endpoint) so Lambda calls can only go where Options say.
func serverEnv(o Options) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "LOCAL_SFN_") {
			env = append(env, kv)
		}
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	return append(env,
		"AWS_ENDPOINT_URL_LAMBDA="+o.LambdaEndpoint,
		"AWS_ACCESS_KEY_ID="+o.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+o.SecretAccessKey,
		"AWS_REGION="+region,
		// Step Functions does not retry a failed Invoke by itself: Retry
		// fields in the ASL do. SDK retries would hide Lambda.* errors and
		// multiply kumo's 30 s pickup timeout.
		"AWS_MAX_ATTEMPTS=1",
		"AWS_EC2_METADATA_DISABLED=true",
	)
}

// scanStdout forwards every line and reports the listening URL once.
func scanStdout(r io.Reader, logs io.Writer, urlCh chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		_, _ = fmt.Fprintln(logs, line)
		if m := listeningLine.FindStringSubmatch(line); m != nil {
			select {
			case urlCh <- m[1]:
			default:
			}
		}
	}
	// A line longer than the scanner's buffer stops it; keep draining so
	// node never blocks on a full pipe.
	_, _ = io.Copy(logs, r)
}

func (s *Server) awaitReady(ctx context.Context, urlCh <-chan string, tail *tailBuffer) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case s.url = <-urlCh:
	case <-s.exited:
		return fmt.Errorf("sfn: server exited during start-up: %s", tail.String())
	case <-ctx.Done():
		return fmt.Errorf("sfn: waiting for start-up: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("sfn: server did not start within %s: %s", startTimeout, tail.String())
	}
	// The listening line is printed from the listen callback; one real call
	// proves the API answers.
	return s.ping(ctx)
}

func (s *Server) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader("{}"))
	if err != nil {
		return fmt.Errorf("sfn: ping request: %w", err)
	}
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("sfn: ping %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sfn: ping %s: HTTP %d", s.url, resp.StatusCode)
	}
	return nil
}

// URL is the server's endpoint, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Stop ends the server's process group (SIGTERM, then SIGKILL after a grace
// period) and waits until it has exited. Running executions are lost.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		_ = killGroup(s.cmd, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(stopGrace):
		}
		// Also reaps anything node left in its group.
		_ = killGroup(s.cmd, syscall.SIGKILL)
		<-s.exited
	})
}

func killGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// tailBuffer keeps the last few KiB of output for start-up error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4096

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = t.buf[len(t.buf)-tailSize:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
