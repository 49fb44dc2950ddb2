package main

import (
	"context"
	"fmt"
	"time"

	"github.com/clusterforge/clusterforge/chaos"
	"github.com/clusterforge/clusterforge/local/harness"
)

// concurrency runs the many-clusters-in-one-account mode, prints its
// figures and returns it as one row of the table.
func concurrency(ctx context.Context, cloud *harness.Cloud, clusters int) chaos.Result {
	fmt.Printf("\nconcurrency: %d clusters created and deleted at once in one account (%s)\n", clusters, chaos.Region)
	start := time.Now()
	rep, err := chaos.Load(ctx, cloud, clusters, chaos.Timeouts{Running: 15 * time.Minute, Deleted: 15 * time.Minute})
	fmt.Print(rep)
	r := chaos.Result{Case: fmt.Sprintf("concurrency/%d-clusters-one-account", clusters), Phase: "load",
		Pass: err == nil && rep.Pass(), Duration: time.Since(start).Round(time.Second)}
	switch {
	case err != nil:
		r.Detail = err.Error()
	case !r.Pass:
		r.Detail = fmt.Sprintf("%d/%d Running, %d/%d Deleted, %d leftovers, %d failures", rep.Running, clusters, rep.Deleted, clusters, len(rep.Leftovers), len(rep.Failures))
	default:
		r.Detail = fmt.Sprintf("%d throttles absorbed, 0 leftovers", rep.Throttles)
	}
	return r
}
