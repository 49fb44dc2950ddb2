// Command localcloud runs the local cloud and the service in the foreground
// (`make local`). Its first stdout line is the JSON contract of
// local/CONTRACTS.md; Ctrl-C or SIGTERM stops every process it started.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/clusterforge/clusterforge/local/kumoproc"
	"github.com/clusterforge/clusterforge/local/launcher"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == kumoproc.Subcommand {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		kumoproc.Serve(sig)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		os.Exit(1)
	}
}

func run() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	opts := launcher.Options{Exe: exe, Log: os.Stderr}
	flag.StringVar(&opts.FunctionsDir, "functions", "bin/functions", "directory of <name>/bootstrap Lambda binaries")
	flag.StringVar(&opts.StateMachinesDir, "statemachines", "statemachines", "directory of *.asl.json")
	flag.StringVar(&opts.SFNDir, "sfn-dir", "local/sfn", "aws-local-stepfunctions server with node_modules")
	flag.StringVar(&opts.StaticDir, "web", "", "the web console's build (web/dist), served at / by the API gateway as a single-page app")
	flag.StringVar(&opts.StaticDir, "static", "", "same as --web (older name)")
	flag.StringVar(&opts.LogDir, "log-dir", envOr("LOCALCLOUD_LOG_DIR", ".cache/logs"), "where the launcher and every Lambda write logs")
	flag.Float64Var(&opts.TimeScale, "time-scale", envFloat("LOCALCLOUD_TIME_SCALE", 0.05), "wall seconds per simulated AWS second")
	flag.StringVar(&opts.AWSAddr, "aws-addr", envOr("LOCALCLOUD_AWS_ADDR", "127.0.0.1:0"), "listen address of the AWS endpoint")
	flag.StringVar(&opts.APIAddr, "api-addr", envOr("LOCALCLOUD_API_ADDR", "127.0.0.1:0"), "listen address of the API gateway")
	flag.StringVar(&opts.AdminAddr, "admin-addr", envOr("LOCALCLOUD_ADMIN_ADDR", "127.0.0.1:0"), "listen address of the admin endpoint")
	flag.IntVar(&opts.Concurrency, "concurrency", 4, "processes per Lambda function")
	flag.DurationVar(&opts.ForceDeleteDelay, "force-delete-delay", envDuration("FORCE_DELETE_DELAY", 15*time.Minute), "how long a deletion runs before force delete unlocks")
	flag.BoolVar(&opts.RateLimits, "rate-limits", true, "enforce EC2 request-token buckets")
	flag.Parse()
	for _, dir := range []*string{&opts.FunctionsDir, &opts.StateMachinesDir, &opts.SFNDir, &opts.StaticDir, &opts.LogDir} {
		if *dir != "" {
			if *dir, err = filepath.Abs(*dir); err != nil {
				return err
			}
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cloud, err := launcher.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer cloud.Stop()
	line, err := json.Marshal(cloud.Contract())
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	if opts.StaticDir != "" {
		fmt.Fprintf(os.Stderr, "localcloud: web console at %s/ (from %s)\n", cloud.Contract().API, opts.StaticDir)
	}
	fmt.Fprintln(os.Stderr, "localcloud: ready; Ctrl-C stops everything")
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "localcloud: stopping")
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
