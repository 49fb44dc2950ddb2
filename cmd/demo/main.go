// Command demo is `make demo`'s driver: it starts the local cloud as a black
// box (local/harness), then drives the real API the way a customer would,
// one named step after another, printing `[demo] …` progress lines and, last,
// one JSON line `{"demo": …}` summarising the run for scripts.
//
// The steps are a list (steps.go) so later issues append theirs — create a
// cluster, watch it to Running, delete it — without touching this file.
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

// options are the Makefile's flags.
type options struct {
	localcloud    string
	functions     string
	statemachines string
	sfnDir        string
	logDir        string
	tenant        string
	project       string
	kind          string // self-managed | eks
}

func main() {
	os.Exit(run())
}

func run() int {
	var o options
	flag.StringVar(&o.localcloud, "localcloud", "bin/localcloud", "the local cloud launcher binary")
	flag.StringVar(&o.functions, "functions", "bin/functions", "directory of <name>/bootstrap Lambda binaries")
	flag.StringVar(&o.statemachines, "statemachines", "statemachines", "directory of *.asl.json")
	flag.StringVar(&o.sfnDir, "sfn-dir", "local/sfn", "the local Step Functions server with node_modules")
	flag.StringVar(&o.logDir, "log-dir", "", "where the local cloud writes its logs (default: a new temp dir)")
	flag.StringVar(&o.tenant, "tenant", "demo", "tenant claim of the demo's token")
	flag.StringVar(&o.project, "project", "default", "project claim of the demo's token")
	flag.StringVar(&o.kind, "kind", "self-managed", "the cluster kind to create: self-managed or eks")
	flag.Parse()
	if o.kind != "self-managed" && o.kind != "eks" {
		fmt.Fprintf(os.Stderr, "[demo] --kind %q: want self-managed or eks\n", o.kind)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := &demo{opts: o, out: os.Stdout, start: time.Now()}
	defer d.stopCloud() // on a panic; normally already stopped below

	err := d.runSteps(ctx, steps(o.kind))
	wall := time.Since(d.start)
	// Stop before the summary so the JSON line is the last line on stdout.
	d.stopCloud()
	d.printSummary(err, wall)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[demo] FAILED: %v\n", err)
		if d.logDir != "" {
			fmt.Fprintf(os.Stderr, "[demo] local cloud logs: %s\n%s", d.logDir, logTail(d.logDir, 10))
		}
		return 1
	}
	return 0
}

// stepResult is one step's line in the summary.
type stepResult struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	OK      bool    `json:"ok"`
}

// summary is the last stdout line: `{"demo": "ok"|"failed", …}`.
type summary struct {
	Demo              string          `json:"demo"`
	Status            string          `json:"status"`
	Error             string          `json:"error,omitempty"`
	ProvisionSeconds  float64         `json:"provisionSeconds"` // simulated AWS time
	DeleteSeconds     float64         `json:"deleteSeconds"`    // simulated AWS time
	AWSCalls          int             `json:"awsCalls"`
	Resources         map[string]int  `json:"resources"`
	LeftoverResources int             `json:"leftoverResources"`
	Cluster           *clusterSummary `json:"cluster,omitempty"`
	Account           *accountSummary `json:"account"`
	Profile           *profileSummary `json:"profile"`
	Steps             []stepResult    `json:"steps"`
	WallSeconds       float64         `json:"wallSeconds"`
}

func (d *demo) runSteps(ctx context.Context, list []step) error {
	for _, s := range list {
		d.logf("%s …", s.name)
		began := time.Now()
		err := s.run(d, ctx)
		d.results = append(d.results, stepResult{Name: s.name, Seconds: seconds(time.Since(began)), OK: err == nil})
		if err != nil {
			if ctx.Err() != nil {
				err = errors.Join(err, fmt.Errorf("interrupted: %w", ctx.Err()))
			}
			return fmt.Errorf("step %q: %w", s.name, err)
		}
	}
	return nil
}

func (d *demo) printSummary(err error, wall time.Duration) {
	s := summary{Demo: "ok", Account: d.account, Profile: d.profile, Steps: d.results, WallSeconds: seconds(wall)}
	if c := d.cluster; c != nil {
		s.Cluster, s.Status, s.Resources, s.LeftoverResources, s.AWSCalls = c, c.Status, c.Resources, c.Leftovers, c.TotalCalls
		s.ProvisionSeconds = seconds(time.Duration(float64(c.ProvisionWall) / d.timeScale))
		s.DeleteSeconds = seconds(time.Duration(float64(c.DeleteWall) / d.timeScale))
	}
	if err != nil {
		s.Demo, s.Error = "failed", err.Error()
	}
	if s.Steps == nil {
		s.Steps = []stepResult{}
	}
	line, jerr := json.Marshal(s)
	if jerr != nil { // only plain types above: cannot happen, but say so if it does
		fmt.Fprintln(os.Stderr, "[demo] summary:", jerr)
		return
	}
	fmt.Fprintln(d.out, string(line))
}

func (d *demo) logf(format string, args ...any) {
	fmt.Fprintf(d.out, "[demo] "+format+"\n", args...)
}

func (d *demo) stopCloud() {
	if d.cloud != nil {
		d.logf("stopping the local cloud")
		d.cloud.Stop()
		d.cloud = nil
	}
}

// startOptions turns the Makefile's flags into harness options. The harness
// derives the launcher's flags from a bin directory and the repository
// root; the explicit flags are appended after them, and the launcher's Go
// flag parsing lets the last occurrence win, so what the Makefile passes is
// what runs.
func (o options) startOptions(logDir string, stderr io.Writer) (harness.Options, error) {
	exe, err := filepath.Abs(o.localcloud)
	if err != nil {
		return harness.Options{}, err
	}
	if filepath.Base(exe) != "localcloud" {
		return harness.Options{}, fmt.Errorf("--localcloud %s: the harness runs <dir>/localcloud; point it at a file named localcloud", o.localcloud)
	}
	var extra []string
	dirs := map[string]string{}
	for _, f := range []struct{ name, dir string }{
		{"--functions", o.functions}, {"--statemachines", o.statemachines}, {"--sfn-dir", o.sfnDir},
	} {
		abs, err := filepath.Abs(f.dir)
		if err != nil {
			return harness.Options{}, err
		}
		if _, err := os.Stat(abs); err != nil {
			return harness.Options{}, fmt.Errorf("%s: %w (run `make build node`)", f.name, err)
		}
		extra = append(extra, f.name, abs)
		dirs[f.name] = abs
	}
	return harness.Options{
		// The root only feeds the harness's defaults, which extra overrides;
		// naming it keeps the demo runnable from any working directory.
		Root:         filepath.Dir(dirs["--statemachines"]),
		Bin:          filepath.Dir(exe),
		ExtraArgs:    extra,
		LogDir:       logDir,
		Log:          stderr,
		StartTimeout: 120 * time.Second,
	}, nil
}

func seconds(d time.Duration) float64 {
	return float64(d.Milliseconds()) / 1000
}
