package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	// A process that dies sooner than this after starting is crash-looping;
	// restarts then back off up to maxRestartDelay.
	healthyUptime   = time.Second
	maxRestartDelay = 5 * time.Second
	// exitReportTimeout bounds posting Runtime.ExitError to kumo.
	exitReportTimeout = 5 * time.Second
)

// slot is one execution environment of a function: one process at a time,
// restarted when it exits. Its state is shared with the runtime proxy.
type slot struct {
	r     *Runner
	fn    Function
	idx   int
	appID string
	sink  *sink
	ready chan struct{} // closed at the first process's first poll

	mu        sync.Mutex
	proc      *process // nil between an exit and the restart
	gen       int      // increments per process start; part of the proxy path
	readyOnce sync.Once
	// fetch is the upstream /next poll, if any. It belongs to the slot, not
	// to a process: if the process dies while polling, the invocation kumo
	// hands out is given to the restarted process instead of being lost.
	fetch *nextFetch
	// inflight is the request id the current process is handling.
	inflight string
}

type process struct {
	cmd     *exec.Cmd
	gen     int
	started time.Time
	polled  bool
	exited  chan struct{}
}

func newSlot(r *Runner, fn Function, idx int, sk *sink) *slot {
	return &slot{r: r, fn: fn, idx: idx, appID: AppID(fn.Name, idx), sink: sk, ready: make(chan struct{})}
}

// supervise runs the slot's process until the runner stops, restarting it
// whenever it exits.
func (s *slot) supervise() {
	defer s.r.wg.Done()
	delay := 100 * time.Millisecond
	for {
		p, err := s.start()
		if err != nil {
			s.sink.logf(s.appID, "start failed: %v", err)
		}
		if p == nil {
			if s.r.isStopping() {
				return
			}
		} else {
			<-p.exited
			s.exited(p)
			if time.Since(p.started) >= healthyUptime {
				delay = 100 * time.Millisecond
			}
		}
		if s.r.isStopping() {
			return
		}
		select {
		case <-time.After(delay):
		case <-s.r.stopping:
			return
		}
		delay = min(delay*2, maxRestartDelay)
	}
}

// start launches a new process unless the runner is stopping. Checking
// under s.mu pairs with kill: Stop either sees the new process or start
// sees Stop, so no process escapes.
func (s *slot) start() (*process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r.isStopping() {
		return nil, nil
	}
	s.gen++
	cmd := exec.Command(s.fn.Binary)
	cmd.Dir = filepath.Dir(s.fn.Binary)
	cmd.Env = s.env(s.gen)
	cmd.Stdout = s.sink.lineWriter(s.appID)
	cmd.Stderr = s.sink.lineWriter(s.appID)
	// Own process group, so signals to the launcher's group do not reach
	// it; die with the runner even if it is killed without calling Stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.fn.Binary, err)
	}
	p := &process{cmd: cmd, gen: s.gen, started: time.Now(), exited: make(chan struct{})}
	s.proc = p
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// env is the process environment: the function's variables, then what the
// Lambda service sets (reserved, so they win), then the local cloud's
// endpoint and credentials. The host environment is not inherited, as on AWS.
func (s *slot) env(gen int) []string {
	o := s.r.opts
	vars := map[string]string{}
	for k, v := range s.fn.Env {
		vars[k] = v
	}
	set := map[string]string{
		"PATH":                            os.Getenv("PATH"),
		"TZ":                              ":UTC",
		"_HANDLER":                        "bootstrap",
		"AWS_LAMBDA_RUNTIME_API":          fmt.Sprintf("%s/p/%s/%d/%d", s.r.addr, s.fn.Name, s.idx, gen),
		"AWS_LAMBDA_FUNCTION_NAME":        s.fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(int(s.fn.MemoryMB)),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + s.fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      fmt.Sprintf("%s/[$LATEST]%s.%d", time.Now().UTC().Format("2006/01/02"), s.appID, gen),
		"AWS_REGION":                      o.Region,
		"AWS_DEFAULT_REGION":              o.Region,
		"AWS_SDK_UA_APP_ID":               s.appID,
		"AWS_ENDPOINT_URL":                o.AWSEndpointURL,
		"AWS_ACCESS_KEY_ID":               o.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           o.SecretAccessKey,
		"AWS_SESSION_TOKEN":               o.SessionToken,
		"AWS_EC2_METADATA_DISABLED":       "true",
	}
	for k, v := range set {
		if v != "" {
			vars[k] = v
		}
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// exited handles a process's end: its in-flight invocation, if any, fails
// with Runtime.ExitError right away, as on AWS.
func (s *slot) exited(p *process) {
	s.mu.Lock()
	id := s.inflight
	s.inflight = ""
	if s.proc == p {
		s.proc = nil
	}
	s.mu.Unlock()

	state := p.cmd.ProcessState.String()
	s.sink.logf(s.appID, "process exited: %s", state)
	if id == "" {
		return
	}
	if err := s.reportExit(id, state); err != nil {
		s.sink.logf(s.appID, "reporting Runtime.ExitError for %s: %v", id, err)
	}
}

func (s *slot) reportExit(id, state string) error {
	body, err := json.Marshal(map[string]string{
		"errorType":    "Runtime.ExitError",
		"errorMessage": fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", id, state),
	})
	if err != nil {
		return fmt.Errorf("encode exit error: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), exitReportTimeout)
	defer cancel()
	url := fmt.Sprintf("%s/_runtime/%s/2018-06-01/runtime/invocation/%s/error", s.r.opts.RuntimeURL, s.fn.Name, id)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ExitError")
	resp, err := s.r.client.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post %s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}

// kill SIGKILLs the current process; it reports whether one ran. A
// process that has exited is left alone even before exited() has cleared
// s.proc: Wait reaped it, so its pid may already belong to another process
// (pid_max can be 32768 on a busy machine) and a kill(-pid) could take
// down an unrelated process group, such as a kumo account process.
// Process.Kill signals through the pidfd Go holds, which cannot name a
// reused pid. The binaries spawn no children, so the leader is enough.
func (s *slot) kill() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil || s.proc.cmd.Process == nil {
		return false
	}
	select {
	case <-s.proc.exited:
		return false
	default:
	}
	return s.proc.cmd.Process.Kill() == nil
}

// polledLocked records a process's first poll (init duration, readiness).
// Called with s.mu held.
func (s *slot) polledLocked(p *process) {
	if p.polled {
		return
	}
	p.polled = true
	s.r.recordInit(s.fn.Name, time.Since(p.started))
	s.readyOnce.Do(func() { close(s.ready) })
}

// currentLocked returns the live process of generation gen, or nil if that
// process has exited or been replaced. Called with s.mu held.
func (s *slot) currentLocked(gen int) *process {
	if s.proc == nil || s.proc.gen != gen {
		return nil
	}
	select {
	case <-s.proc.exited:
		return nil
	default:
		return s.proc
	}
}
