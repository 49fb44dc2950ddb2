// Package lambdarun makes the real Go Lambda binaries serve Invoke in the
// local cloud: it registers each function in the platform kumo and runs
// Concurrency processes of its binary against kumo's Lambda Runtime API, the
// mechanism SAM local and the Lambda RIE use.
//
// Each process talks to a runtime proxy inside the runner instead of kumo
// directly. The proxy knows which invocation each process holds, so when a
// process dies mid-invocation the runner reports Runtime.ExitError for it at
// once — as AWS does — instead of leaving the caller waiting for the
// function timeout, and then restarts the process.
package lambdarun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// readyTimeout bounds how long Start waits for every process's first poll.
const readyTimeout = 30 * time.Second

// Function is one Lambda function to run.
type Function struct {
	Name   string
	Binary string            // path of the built bootstrap binary
	Env    map[string]string // the function's environment variables
	// Concurrency is the number of processes (AWS execution environments); 0 means 1.
	Concurrency int
	// TimeoutSeconds is the function timeout; 0 means AWS's default of 3.
	TimeoutSeconds int32
	// MemoryMB is the configured memory; 0 means AWS's default of 128.
	MemoryMB int32
}

// Options configures the runner.
type Options struct {
	// LambdaClient calls the platform account's Lambda API (CreateFunction).
	LambdaClient *lambda.Client
	// RuntimeURL is the platform kumo's base URL serving /_runtime/… (kumo
	// itself, not the front router).
	RuntimeURL string
	// Region is the functions' AWS_REGION.
	Region string
	// RoleARN is the execution role given to CreateFunction; default
	// arn:aws:iam::000000000000:role/lambda-local.
	RoleARN string
	// AWSEndpointURL, AccessKeyID, SecretAccessKey and SessionToken are given
	// to the processes so their SDK calls reach the local cloud.
	AWSEndpointURL  string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// LogDir receives <fn>.log per function; empty disables log files.
	LogDir string
	// LogWriter, if set, also receives every log line.
	LogWriter io.Writer
}

// Runner supervises the function processes.
type Runner struct {
	opts   Options
	ctx    context.Context // canceled by Stop: ends upstream polls
	cancel context.CancelFunc
	proxy  *http.Server
	addr   string // proxy host:port
	client *http.Client
	slots  map[string]*slot // by app id
	sinks  []*sink

	stopping chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup // supervisors

	mu    sync.Mutex
	inits map[string][]time.Duration
}

// AppID names process idx of function fn; it is the process's
// AWS_SDK_UA_APP_ID, so the router can tell which process made a call.
func AppID(fn string, idx int) string { return fmt.Sprintf("lambda.%s.%d", fn, idx) }

// Start registers every function in kumo, starts its processes and returns
// once each process is polling for invocations. The runner stops when ctx
// is done or Stop is called.
func Start(ctx context.Context, o Options, fns ...Function) (*Runner, error) {
	if o.LambdaClient == nil || o.RuntimeURL == "" {
		return nil, errors.New("lambdarun: Options.LambdaClient and Options.RuntimeURL are required")
	}
	o.RuntimeURL = strings.TrimSuffix(o.RuntimeURL, "/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdarun: listen for the runtime proxy: %w", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &Runner{
		opts: o, ctx: rctx, cancel: cancel, addr: ln.Addr().String(),
		// Long polls: one connection per process, no overall timeout.
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
		slots:    make(map[string]*slot),
		stopping: make(chan struct{}),
		inits:    make(map[string][]time.Duration),
	}
	r.proxy = &http.Server{Handler: http.HandlerFunc(r.serveRuntime), ReadHeaderTimeout: 10 * time.Second}
	if err := r.startAll(ctx, ln, fns); err != nil {
		_ = ln.Close()
		r.Stop()
		return nil, err
	}
	go func() {
		select {
		case <-ctx.Done():
			r.Stop()
		case <-r.stopping:
		}
	}()
	return r, nil
}

// startAll registers the functions, then serves the proxy and starts the
// processes. r.slots is complete before the proxy serves, so the handlers
// read it without locking.
func (r *Runner) startAll(ctx context.Context, ln net.Listener, fns []Function) error {
	var slots []*slot
	for _, fn := range fns {
		fn = withDefaults(fn)
		if err := register(ctx, r.opts, fn); err != nil {
			return err
		}
		sk, err := openSink(r.opts.LogDir, fn.Name, r.opts.LogWriter)
		if err != nil {
			return err
		}
		r.sinks = append(r.sinks, sk)
		for idx := range fn.Concurrency {
			s := newSlot(r, fn, idx, sk)
			r.slots[s.appID] = s
			slots = append(slots, s)
		}
	}
	go func() { _ = r.proxy.Serve(ln) }()
	for _, s := range slots {
		r.wg.Add(1)
		go s.supervise()
	}
	return awaitReady(ctx, slots)
}

func withDefaults(fn Function) Function {
	if fn.Concurrency <= 0 {
		fn.Concurrency = 1
	}
	if fn.TimeoutSeconds <= 0 {
		fn.TimeoutSeconds = 3
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = 128
	}
	return fn
}

// awaitReady waits for every slot's first /next poll: until a process polls,
// kumo does not route Invoke to the Runtime API at all.
func awaitReady(ctx context.Context, slots []*slot) error {
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	for _, s := range slots {
		select {
		case <-s.ready:
		case <-ctx.Done():
			return fmt.Errorf("lambdarun: waiting for %s to poll: %w", s.appID, ctx.Err())
		case <-timer.C:
			return fmt.Errorf("lambdarun: %s did not poll for invocations within %s (see its log)", s.appID, readyTimeout)
		}
	}
	return nil
}

// Kill SIGKILLs the process with that app id (fault injection). The runner
// reports its in-flight invocation as Runtime.ExitError and restarts it.
// It reports whether such a process was running.
func (r *Runner) Kill(appID string) bool {
	s, ok := r.slots[appID]
	if !ok {
		return false
	}
	return s.kill()
}

// InitDurations returns, per function, each process start's init duration:
// the time from starting the binary to its first poll for an invocation.
func (r *Runner) InitDurations() map[string][]time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]time.Duration, len(r.inits))
	for fn, ds := range r.inits {
		out[fn] = append([]time.Duration(nil), ds...)
	}
	return out
}

func (r *Runner) recordInit(fn string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inits[fn] = append(r.inits[fn], d)
}

// Stop kills every process group, waits for the supervisors, then closes the
// proxy and the log files. Nothing is left running.
func (r *Runner) Stop() {
	r.stopOnce.Do(func() {
		close(r.stopping)
		for _, s := range r.slots {
			s.kill()
		}
		r.wg.Wait()
		r.cancel()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = r.proxy.Shutdown(shutdownCtx)
		_ = r.proxy.Close()
		for _, sk := range r.sinks {
			sk.close()
		}
	})
}

func (r *Runner) isStopping() bool {
	select {
	case <-r.stopping:
		return true
	default:
		return false
	}
}
