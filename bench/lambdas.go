package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LambdaSize is one function's deployment package.
type LambdaSize struct {
	Function    string  `json:"function"`
	BinaryBytes int64   `json:"binaryBytes"`
	ZippedBytes int64   `json:"zippedBytes"`
	ZippedMB    float64 `json:"zippedMB"`
}

// lambdaSizes zips each bin/functions/<name>/bootstrap the way the CDK
// asset is packaged (one file, deflate) and reports the archive's size.
func lambdaSizes(functionsDir string) ([]LambdaSize, error) {
	names, err := functionNames(functionsDir)
	if err != nil {
		return nil, err
	}
	var out []LambdaSize
	for _, name := range names {
		path := filepath.Join(functionsDir, name, "bootstrap")
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
		hdr.SetMode(0o755)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		out = append(out, LambdaSize{Function: name, BinaryBytes: int64(len(raw)), ZippedBytes: int64(buf.Len()),
			ZippedMB: round(float64(buf.Len())/(1<<20), 2)})
	}
	return out, nil
}

func functionNames(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*", "bootstrap"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no %s/*/bootstrap (run `make build`)", dir)
	}
	var names []string
	for _, m := range matches {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	sort.Strings(names)
	return names, nil
}

// ColdStart is each function's init duration under aws-lambda-rie.
type ColdStart struct {
	Method    string          `json:"method"`
	Functions []FunctionInits `json:"functions"`
}

// FunctionInits are one function's cold starts.
type FunctionInits struct {
	Function string    `json:"function"`
	InitMs   []float64 `json:"initMs"`
	MedianMs float64   `json:"medianMs"`
	MaxMs    float64   `json:"maxMs"`
}

const coldStartsPerFunction = 5

// initReport is the emulator's own line at the end of the init phase:
// "INIT REPORT(durationMs: 26.619000)" — from starting the bootstrap to its
// first Runtime API /next, which is what AWS bills and reports as Init
// Duration. (The emulator's REPORT line also prints an "Init Duration", but
// measured around its own handler, not the runtime's start.)
var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

func coldStarts(ctx context.Context, rie, functionsDir string) (*ColdStart, error) {
	names, err := functionNames(functionsDir)
	if err != nil {
		return nil, err
	}
	cs := &ColdStart{Method: fmt.Sprintf("aws-lambda-rie (the emulator SAM local runs), one fresh emulator and process per cold start, %d per function; the init phase's duration (bootstrap start → first /next) from the emulator's INIT REPORT line; 256 MB configured, no CPU limit", coldStartsPerFunction)}
	for _, name := range names {
		f := FunctionInits{Function: name}
		for range coldStartsPerFunction {
			d, err := oneColdStart(ctx, rie, filepath.Join(functionsDir, name, "bootstrap"), name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			f.InitMs = append(f.InitMs, d)
		}
		sorted := append([]float64(nil), f.InitMs...)
		sort.Float64s(sorted)
		f.MedianMs, f.MaxMs = sorted[len(sorted)/2], sorted[len(sorted)-1]
		cs.Functions = append(cs.Functions, f)
	}
	return cs, nil
}

// oneColdStart starts the emulator around the binary, invokes it once (the
// emulator initialises on the first invoke), and reads the init duration.
func oneColdStart(ctx context.Context, rie, bootstrap, name string) (float64, error) {
	addr, apiAddr := freeAddr(), freeAddr()
	cmd := exec.CommandContext(ctx, rie, "--log-level", "info", "--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Env = coldStartEnv(name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", rie, err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the emulator and the function it started
		_ = cmd.Wait()
	}()
	found := make(chan float64, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := initReport.FindStringSubmatch(sc.Text()); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				found <- v
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	if err := invokeOnce(ctx, "http://"+addr+"/2015-03-31/functions/function/invocations"); err != nil {
		return 0, err
	}
	select {
	case v := <-found:
		return round(v, 2), nil
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("no INIT REPORT from the emulator")
	}
}

// invokeOnce posts an empty event, retrying while the emulator starts to listen.
func invokeOnce(ctx context.Context, url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("invoke through the emulator: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// coldStartEnv is the configuration a function reads at init, pointing the
// SDK at an address where nothing listens: init must not call AWS.
func coldStartEnv(name string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_TIMEOUT=60",
		"TABLE_NAME=clusterforge", "SECRET_PREFIX=clusterforge/", "PLATFORM_ACCOUNT_ID=111111111111",
		"PROVISION_STATE_MACHINE_ARN=arn:aws:states:us-east-1:111111111111:stateMachine:provision-cluster",
		"DELETE_STATE_MACHINE_ARN=arn:aws:states:us-east-1:111111111111:stateMachine:delete-cluster",
		"SCHEDULE_GROUP=clusterforge", "LOG_LEVEL=warn",
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}
