// Command bench is `make bench`: it measures ClusterForge on the local cloud
// and writes bench/results.json, bench/RESULTS.md and the PNG plots.
//
// It is its own Go module (bench/go.mod) so its plotting and emulator
// dependencies stay out of the service's go.mod, and it drives the local
// cloud only as a black box through local/harness, like the demo and the
// end-to-end tests. The phases run one after another, each on a fresh local
// cloud, so one phase's load does not skew the next.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

type options struct {
	root, bin, rie, out, logDir string
	render                      string
	counts                      []int
	budget                      time.Duration
}

func main() {
	var o options
	var counts string
	flag.StringVar(&o.root, "root", "..", "repository root")
	flag.StringVar(&o.bin, "bin", "../bin", "directory with localcloud and functions/")
	flag.StringVar(&o.rie, "rie", "../.cache/bin/aws-lambda-rie", "the aws-lambda-rie binary")
	flag.StringVar(&o.out, "out", ".", "where results.json, RESULTS.md and the plots go")
	flag.StringVar(&o.logDir, "log-dir", "", "local cloud logs (default: a new temp dir)")
	flag.StringVar(&counts, "counts", "10,50,100", "cluster counts of the scale runs")
	flag.StringVar(&o.render, "render", "", "only re-render RESULTS.md and the plots from this results.json")
	flag.DurationVar(&o.budget, "budget", 24*time.Minute, "skip a scale run that would not finish within this much wall time from the start")
	flag.Parse()
	for _, c := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: bad --counts %q\n", counts)
			os.Exit(2)
		}
		o.counts = append(o.counts, n)
	}
	for _, p := range []*string{&o.root, &o.bin, &o.rie, &o.out} {
		*p, _ = filepath.Abs(*p)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if o.logDir == "" {
		o.logDir, _ = os.MkdirTemp("", "clusterforge-bench-")
	}
	if o.render != "" {
		os.Exit(rerender(o))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, o))
}

func run(ctx context.Context, o options) int {
	start := time.Now()
	r := &Results{Machine: Machine{
		Date: start.UTC().Format(time.RFC3339), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		LoadAvgStart: loadAvg(),
		SharedCPUNote: "measured on a shared 2-core machine while other engineers were building and testing on it: " +
			"wall-clock figures (API latency, init, scale wall time) carry that noise; simulated times inflate by local CPU time / time scale",
	}}
	logf("logs in %s", o.logDir)
	phases := []struct {
		name string
		run  func(context.Context, options, *Results) error
	}{
		{"lambda sizes and cold starts", lambdaPhase},
		{"one lifecycle of the example cluster", lifecyclePhase},
		{"concurrent clusters", scalePhase},
	}
	for _, p := range phases {
		logf("%s …", p.name)
		t0 := time.Now()
		if err := p.run(ctx, o, r); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", p.name, err))
			logf("%s FAILED: %v", p.name, err)
		}
		logf("%s: %.0fs", p.name, time.Since(t0).Seconds())
	}
	r.Machine.LoadAvgEnd = loadAvg()
	r.Machine.WallSeconds = round(time.Since(start).Seconds(), 0)
	r.Goals = goals(r)
	if err := writePlots(o.out, r); err != nil {
		r.Errors = append(r.Errors, "plots: "+err.Error())
	}
	if err := writeOutputs(o.out, r); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	logf("wrote %s and %s in %.0fs", filepath.Join(o.out, "results.json"), filepath.Join(o.out, "RESULTS.md"), time.Since(start).Seconds())
	if len(r.Errors) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d phase(s) failed:\n  %s\n", len(r.Errors), strings.Join(r.Errors, "\n  "))
		return 1
	}
	return 0
}

func lambdaPhase(ctx context.Context, o options, r *Results) error {
	fdir := filepath.Join(o.bin, "functions")
	var err error
	if r.LambdaSize, err = lambdaSizes(fdir); err != nil {
		return err
	}
	r.LambdaColdStart, err = coldStarts(ctx, o.rie, fdir)
	return err
}

func lifecyclePhase(ctx context.Context, o options, r *Results) error {
	s, err := startSession(ctx, o, "lifecycle")
	if err != nil {
		return err
	}
	defer s.stop()
	r.Machine.TimeScale = s.scale
	lc, err := runLifecycle(ctx, s, "prod-eu")
	if err != nil {
		return err
	}
	r.lifecycle = lc
	if r.ProvisionVsCritical, err = criticalPathFigure(s, lc); err != nil {
		return err
	}
	byState := map[string][]call{}
	for _, ph := range []struct {
		machine string
		p       phase
		calls   []call
	}{
		{"provision-cluster", lc.provision, lc.provisionCalls(lc.customer)},
		{"delete-cluster", lc.delete, lc.deleteCalls(lc.customer)},
	} {
		fns, waits, err := aslStates(o.root, ph.machine)
		if err != nil {
			return err
		}
		attributed := attribute(ph.calls, ph.p.exec.taskIntervals(fns))
		for st, cs := range attributed {
			byState[strings.TrimSuffix(ph.machine, "-cluster")+"/"+st] = cs
		}
		r.PollingBackoff = append(r.PollingBackoff, pollLoops(s, strings.TrimSuffix(ph.machine, "-cluster"), ph.p.exec, attributed, waits)...)
	}
	r.AWSCalls = callFigures(lc, byState)
	r.StateTransitions = transitionFigures(lc)
	r.PlatformCost = costFigure(s, lc, r.StateTransitions.Total)

	// Leftovers with an independent client, as the demo checks them.
	cfg, err := s.cloud.CustomerConfig(ctx, harness.ExampleRegion)
	if err != nil {
		return err
	}
	found, err := harness.TaggedResources(ctx, cfg, harness.ClusterIDTag, lc.clusterID)
	if err != nil {
		return err
	}
	if n := countAll(found); n > 0 {
		return fmt.Errorf("%d resources left after delete: %v", n, found)
	}
	return nil
}

func scalePhase(ctx context.Context, o options, r *Results) error {
	r.Scale = &ScaleFigures{Setup: "one customer account, region eu-west-1, EC2 request-token buckets on (the local cloud's default); " +
		"quotas raised first via PUT {admin}/accounts/{id}/quotas (VPCs n+5, EIPs 3n+5, NAT gateways per AZ n+5, vCPUs 16n+64); " +
		"each run on a fresh local cloud; creates then deletes sent 16 at a time; --concurrency sets Lambda processes per function"}
	var lastWall time.Duration
	for _, n := range o.counts {
		elapsed := time.Since(programStart)
		// Time grows a little faster than the count on 2 cores: budget the
		// next run at the last one's wall time scaled by the count, doubled.
		if lastWall > 0 {
			prev := r.Scale.Runs[len(r.Scale.Runs)-1].Clusters
			estimate := time.Duration(float64(lastWall) * float64(n) / float64(prev) * 2)
			if elapsed+estimate > o.budget {
				r.Scale.Skipped = append(r.Scale.Skipped, fmt.Sprintf("%d clusters: estimated %.0fs would pass the %s budget (%.0fs elapsed)", n, estimate.Seconds(), o.budget, elapsed.Seconds()))
				continue
			}
		}
		t0 := time.Now()
		var lat *APILatency
		run, err := scaleRun(ctx, o, n, &lat)
		lastWall = time.Since(t0)
		r.Scale.Runs = append(r.Scale.Runs, run)
		if lat != nil {
			r.APILatency = lat // the largest run's: most clusters stored
		}
		logf("%d clusters: %.0fs wall, %d failures, %d throttled, %d leftovers", n, run.WallSeconds, run.Failures, run.Throttled, run.Leftovers)
		if err != nil {
			return fmt.Errorf("%d clusters: %w", n, err)
		}
	}
	return nil
}

var programStart = time.Now()

func countAll(found map[string][]string) int {
	n := 0
	for _, ids := range found {
		n += len(ids)
	}
	return n
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func writeOutputs(dir string, r *Results) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "RESULTS.md"), []byte(renderMarkdown(r)), 0o644)
}

// rerender rebuilds RESULTS.md and the plots from a results.json, so a
// change to the report's wording or the plots needs no new 20-minute run.
func rerender(o options) int {
	if err := rerenderFile(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	return 0
}

func rerenderFile(o options) error {
	raw, err := os.ReadFile(o.render)
	if err != nil {
		return err
	}
	r := &Results{}
	if err := json.Unmarshal(raw, r); err != nil {
		return fmt.Errorf("%s: %w", o.render, err)
	}
	if r.ProvisionVsCritical != nil {
		if err := r.ProvisionVsCritical.bound(); err != nil {
			return err
		}
	}
	r.Plots = nil
	r.Goals = goals(r)
	if err := writePlots(o.out, r); err != nil {
		return err
	}
	return writeOutputs(o.out, r)
}
