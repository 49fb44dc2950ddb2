// Package harness starts the local cloud as a black box (the same binary
// `make local` runs), reads its contract line, and gives tests, the demo and
// the benchmarks typed access to its three endpoints: the service's API, the
// AWS endpoint and the admin endpoint.
package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Contract is the first stdout line of `make local`.
type Contract struct {
	API      string          `json:"api"`
	AWS      string          `json:"aws"`
	Admin    string          `json:"admin"`
	Customer CustomerAccount `json:"customer"`
}

// CustomerAccount holds administrator keys of a simulated customer account.
type CustomerAccount struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Options says which binaries to run and how.
type Options struct {
	Root         string   // repository root; defaults to CLUSTERFORGE_ROOT or the git top level
	Bin          string   // directory with localcloud and functions/; defaults to <Root>/bin
	ExtraArgs    []string // more localcloud flags, e.g. --time-scale=0.02
	Env          []string // more environment for the launcher
	Log          io.Writer
	StartTimeout time.Duration
	LogDir       string // where the launcher writes its and the Lambdas' logs
	// WebDir is the web console's build, served by the local API gateway at
	// / (--web). Empty means <Root>/web/dist when it holds an index.html
	// (`make web` built it), so tests and the demo get the console whenever
	// it exists; NoWeb turns it off.
	WebDir string
}

// NoWeb as Options.WebDir starts the local cloud without the web console.
const NoWeb = "-"

// Cloud is a running local cloud.
type Cloud struct {
	Contract
	LogDir string
	cmd    *exec.Cmd
	once   sync.Once
	done   chan struct{}
}

// Start runs bin/localcloud and waits for its contract line.
func Start(ctx context.Context, opt Options) (*Cloud, error) {
	root, err := repoRoot(opt.Root)
	if err != nil {
		return nil, err
	}
	bin := opt.Bin
	if bin == "" {
		bin = os.Getenv("CLUSTERFORGE_BIN")
	}
	if bin == "" {
		bin = filepath.Join(root, "bin")
	}
	exe := filepath.Join(bin, "localcloud")
	if _, err := os.Stat(exe); err != nil {
		return nil, fmt.Errorf("%s not built (run `make build`): %w", exe, err)
	}
	logDir := opt.LogDir
	if logDir == "" {
		if logDir, err = os.MkdirTemp("", "localcloud-logs-"); err != nil {
			return nil, fmt.Errorf("log dir: %w", err)
		}
	}
	args := append([]string{
		"--functions", filepath.Join(bin, "functions"),
		"--statemachines", filepath.Join(root, "statemachines"),
		"--sfn-dir", filepath.Join(root, "local", "sfn"),
		"--log-dir", logDir,
	}, webArgs(root, opt.WebDir)...)
	args = append(args, opt.ExtraArgs...)
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), opt.Env...)
	if opt.Log != nil {
		cmd.Stderr = opt.Log
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("localcloud stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start localcloud: %w", err)
	}
	c := &Cloud{LogDir: logDir, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	timeout := opt.StartTimeout
	if timeout == 0 {
		timeout = 120 * time.Second
	}
	select {
	case line, ok := <-lines:
		if !ok {
			c.Stop()
			return nil, fmt.Errorf("localcloud exited before printing its contract line (logs in %s)", logDir)
		}
		if err := json.Unmarshal([]byte(line), &c.Contract); err != nil {
			c.Stop()
			return nil, fmt.Errorf("contract line %q: %w", line, err)
		}
		return c, nil
	case <-time.After(timeout):
		c.Stop()
		return nil, fmt.Errorf("localcloud printed no contract line within %s (logs in %s)", timeout, logDir)
	case <-ctx.Done():
		c.Stop()
		return nil, ctx.Err()
	}
}

// Stop sends SIGTERM (as Ctrl-C would), then SIGKILL after a grace period.
func (c *Cloud) Stop() {
	c.once.Do(func() {
		if c.cmd.Process == nil {
			return
		}
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.done
		}
	})
}

// Done is closed when the launcher has exited.
func (c *Cloud) Done() <-chan struct{} { return c.done }

// Pid is the launcher's process id.
func (c *Cloud) Pid() int { return c.cmd.Process.Pid }

// webArgs is the --web flag for dir, or for the default build under root.
func webArgs(root, dir string) []string {
	switch dir {
	case NoWeb:
		return nil
	case "":
		dir = filepath.Join(root, "web", "dist")
		if fi, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || fi.IsDir() {
			return nil
		}
	}
	return []string{"--web", dir}
}

func repoRoot(root string) (string, error) {
	if root != "" {
		return root, nil
	}
	if r := os.Getenv("CLUSTERFORGE_ROOT"); r != "" {
		return r, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found: set CLUSTERFORGE_ROOT")
		}
		dir = parent
	}
}

// LogLines returns every line of every log file the local cloud wrote
// (launcher and Lambda functions), for tests that look for leaked secrets.
func (c *Cloud) LogLines() ([]string, error) {
	var lines []string
	err := filepath.WalkDir(c.LogDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
		return nil
	})
	return lines, err
}
