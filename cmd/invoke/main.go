// Command invoke runs one Lambda binary with one event under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie, what `sam local invoke` runs
// inside its container) against the local cloud, and prints the function's
// response on stdout — `make invoke FN=<name> EVENT=events/<file>.json`.
//
// The function gets exactly the environment the local cloud gives it (read
// back with lambda:GetFunctionConfiguration, so there is no second list to
// drift), plus AWS_ENDPOINT_URL and the platform account's keys. Without
// --contract it starts a local cloud (bin/localcloud) for the one call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

type options struct {
	fn, event, rie, bin, root, contract string
	timeout                             time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.fn, "fn", "", "function name (a directory under functions/)")
	flag.StringVar(&o.event, "event", "", "event JSON file, e.g. events/api-get-clusters.json")
	flag.StringVar(&o.rie, "rie", ".cache/bin/aws-lambda-rie", "the aws-lambda-rie binary")
	flag.StringVar(&o.bin, "bin", "bin", "directory with localcloud and functions/<name>/bootstrap (host architecture)")
	flag.StringVar(&o.root, "root", "", "repository root (default: CLUSTERFORGE_ROOT or the go.mod above the working directory)")
	flag.StringVar(&o.contract, "contract", os.Getenv("CLUSTERFORGE_CONTRACT"), "contract line of a running local cloud (`make local`'s first line); empty starts one")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute, "overall limit, local cloud start included")
	flag.Parse()
	code, err := run(o, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
	}
	os.Exit(code)
}

// run returns 0 when the function answered, 3 when it answered with an
// error (the response is printed either way), 1 when it could not be run.
func run(o options, stdout, stderr io.Writer) (int, error) {
	if o.fn == "" || o.event == "" {
		return 2, errors.New("usage: invoke --fn <name> --event <file>")
	}
	event, err := os.ReadFile(o.event)
	if err != nil {
		return 1, err
	}
	bootstrap := filepath.Join(o.bin, "functions", o.fn, "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		return 1, fmt.Errorf("%s not built (run `make functions`): %w", bootstrap, err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, o.timeout)
	defer cancelT()

	cloud, stop, err := localCloud(ctx, o, stderr)
	if err != nil {
		return 1, err
	}
	defer stop()
	env, err := functionEnv(ctx, cloud, o.fn)
	if err != nil {
		return 1, err
	}
	res, err := invokeRIE(ctx, rieRun{RIE: o.rie, Bootstrap: bootstrap, Env: env, Event: event, Log: stderr})
	if err != nil {
		return 1, err
	}
	fmt.Fprintln(stdout, string(res.Body))
	if res.FunctionError {
		return 3, nil
	}
	return 0, nil
}

// localCloud attaches to the cloud of --contract or starts one.
func localCloud(ctx context.Context, o options, log io.Writer) (*harness.Cloud, func(), error) {
	if o.contract != "" {
		var ct harness.Contract
		if err := json.Unmarshal([]byte(o.contract), &ct); err != nil || ct.AWS == "" || ct.Admin == "" {
			return nil, nil, fmt.Errorf("--contract %q: want the JSON line `make local` prints first (%v)", o.contract, err)
		}
		return &harness.Cloud{Contract: ct}, func() {}, nil
	}
	logDir, err := os.MkdirTemp("", "invoke-localcloud-")
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(log, "invoke: starting the local cloud (logs in %s)\n", logDir)
	c, err := harness.Start(ctx, harness.Options{Root: o.root, Bin: o.bin, LogDir: logDir, Log: io.Discard})
	if err != nil {
		return nil, nil, err
	}
	return c, c.Stop, nil
}
