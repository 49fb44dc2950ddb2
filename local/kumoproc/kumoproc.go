// Package kumoproc runs one kumo emulator per simulated AWS account. kumo keeps
// a single global store per process (its services register in init()), so
// accounts are isolated by giving each its own process.
package kumoproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/sivchari/kumo"
)

// Subcommand is the argument that makes the launcher binary act as a kumo
// account process (see Serve).
const Subcommand = "kumo-account"

// Serve runs kumo in this process and prints its URL as the first stdout
// line. It returns when stdin closes or a signal arrives, so the child never
// outlives its parent even if the parent is killed.
func Serve(stop <-chan os.Signal) {
	srv := kumo.NewServer()
	defer srv.Close()
	fmt.Println(srv.URL)
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-stop:
	case <-stdinClosed:
	}
}

// Process is a running kumo account process.
type Process struct {
	Account string
	URL     string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
}

// Start launches exe with the kumo-account subcommand and waits for its URL.
func Start(ctx context.Context, exe, account string, logs io.Writer) (*Process, error) {
	cmd := exec.Command(exe, Subcommand, "--account", account)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = logs
	cmd.Env = append(os.Environ(), "KUMO_LOG_LEVEL=error")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("kumo %s stdin: %w", account, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("kumo %s stdout: %w", account, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start kumo for account %s: %w", account, err)
	}
	p := &Process{Account: account, cmd: cmd, stdin: stdin}
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			urlCh <- strings.TrimSpace(sc.Text())
		}
		close(urlCh)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u, ok := <-urlCh:
		if !ok || !strings.HasPrefix(u, "http") {
			p.Stop()
			return nil, fmt.Errorf("kumo for account %s did not report its URL", account)
		}
		p.URL = u
		return p, nil
	case <-time.After(30 * time.Second):
		p.Stop()
		return nil, errors.New("kumo did not start within 30s")
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// Stop ends the process group and waits for it.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.stdin.Close()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}
