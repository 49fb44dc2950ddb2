// Command chaos is `make chaos`: it starts the local cloud, finds every
// mutating AWS call site of the provision and delete workflows from a clean
// run's call accounting, drives a cluster through each fault at each site,
// then creates and deletes many clusters at once in one account under
// EC2's request limits. It prints a table, the concurrency figures and ends
// with "N passed, M failed"; it exits non-zero when anything failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/clusterforge/clusterforge/chaos"
	"github.com/clusterforge/clusterforge/local/harness"
)

func main() {
	mode := flag.String("mode", "all", "all | faults | concurrency | discover")
	parallel := flag.Int("parallel", 4, "fault cases at once (each is a whole cluster lifecycle)")
	fast := flag.Bool("fast", false, "one fault case per kind instead of every site × kind")
	clusters := flag.Int("clusters", 30, "clusters at once in the concurrency mode")
	scale := flag.String("time-scale", "0.02", "LOCALCLOUD_TIME_SCALE: wall seconds per AWS second")
	lambdas := flag.Int("concurrency", 8, "Lambda processes per function")
	only := flag.String("only", "", "run only cases whose name contains one of these comma-separated strings")
	kind := flag.String("kind", "self-managed", "the cluster kind the fault matrix provisions: self-managed or eks")
	flag.Parse()
	filter = *only
	switch *kind {
	case "self-managed":
	case "eks":
		faultShape = chaos.EKSFaultShape
	default:
		fmt.Fprintf(os.Stderr, "chaos: --kind %q: want self-managed or eks\n", *kind)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, *mode, *parallel, *fast, *clusters, *scale, *lambdas))
}

func run(ctx context.Context, mode string, parallel int, fast bool, clusters int, scale string, lambdas int) int {
	logDir, err := os.MkdirTemp("", "chaos-logs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	stderr, err := os.Create(filepath.Join(logDir, "launcher-stderr.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	defer stderr.Close()
	cloud, err := harness.Start(ctx, harness.Options{
		LogDir: logDir, Log: stderr,
		Env:       []string{"LOCALCLOUD_TIME_SCALE=" + scale},
		ExtraArgs: []string{fmt.Sprintf("--concurrency=%d", lambdas)},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: local cloud:", err)
		return 1
	}
	defer cloud.Stop()
	fmt.Printf("local cloud up (logs %s, time scale %s, %d Lambda processes per function)\n", logDir, scale, lambdas)

	// The concurrency run goes first in the output and last in the table,
	// so the table and its "N passed, M failed" line end the report.
	var results []chaos.Result
	if mode == "all" || mode == "faults" || mode == "discover" {
		results = append(results, faults(ctx, cloud, mode == "discover", fast, parallel)...)
	}
	if mode == "all" || mode == "concurrency" {
		results = append(results, concurrency(ctx, cloud, clusters))
	}
	if len(results) == 0 {
		return 0
	}
	fmt.Println()
	return min(chaos.Table(os.Stdout, results), 1)
}

var timeouts = chaos.Timeouts{Running: 8 * time.Minute, Deleted: 8 * time.Minute}

// faultShape is the cluster every fault case provisions (--kind).
var faultShape = chaos.FaultShape

// faults discovers the call sites, then runs the matrix and returns its
// results (a failed discovery is one failed result).
func faults(ctx context.Context, cloud *harness.Cloud, discoverOnly, fast bool, parallel int) []chaos.Result {
	failed := func(what string, err error) []chaos.Result {
		return []chaos.Result{{Case: what, Phase: "discover", Detail: err.Error()}}
	}
	start := time.Now()
	e, err := chaos.NewEnv(ctx, cloud, "discover", chaos.ChaosQuotas)
	if err != nil {
		return failed("discovery setup", err)
	}
	sites, err := chaos.Discover(ctx, e, faultShape, timeouts.Running)
	if err != nil {
		return failed("discovery", err)
	}
	fmt.Printf("clean run in %s: %d mutating call sites\n", chaos.Elapsed(time.Since(start)), len(sites))
	for _, s := range sites {
		fmt.Printf("  %-8s %-40s first real call #%d, %d calls\n", s.Phase, s, s.FirstReal, s.Calls)
	}
	if discoverOnly {
		return nil
	}
	cases := chaos.Matrix(sites)
	if fast {
		cases = chaos.Fast(cases, chaos.FastPreference...)
	}
	cases = selected(cases)
	fmt.Printf("running %d cases, %d at once\n", len(cases), parallel)
	start = time.Now()
	done := 0
	results := chaos.RunAll(ctx, cloud, cases, faultShape, timeouts, parallel, func(r chaos.Result) {
		done++
		verdict := "pass"
		if !r.Pass {
			verdict = "FAIL " + r.Detail
		}
		fmt.Fprintf(os.Stderr, "[%d/%d %s] %s: %s\n", done, len(cases), chaos.Elapsed(time.Since(start)), r.Case, verdict)
	})
	fmt.Printf("fault matrix: %d cases in %s\n", len(cases), chaos.Elapsed(time.Since(start)))
	return results
}

// filter is -only.
var filter string

// selected keeps the cases -only names, for rerunning a failure.
func selected(cases []chaos.Case) []chaos.Case {
	if filter == "" {
		return cases
	}
	var out []chaos.Case
	for _, c := range cases {
		for _, f := range strings.Split(filter, ",") {
			if strings.Contains(c.Name(), f) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
