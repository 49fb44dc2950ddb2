package chaos

import (
	"context"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

// ChaosQuotas lift every quota a chaos cluster touches, so a case fails
// only for its fault.
var ChaosQuotas = Quotas{"L-F678F1CE": 50, "max-elastic-ips": 100, "L-FE5A380F": 50, "L-1216C47A": 2000}

// RunAll runs the cases, at most parallel at once, each in a fresh
// account, and returns the results in case order. progress (may be nil)
// hears of each result as it finishes.
func RunAll(ctx context.Context, cloud *harness.Cloud, cases []Case, shape Shape, to Timeouts, parallel int, progress func(Result)) []Result {
	results := make([]Result, len(cases))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			e, err := NewEnv(ctx, cloud, fmt.Sprintf("c%d", i), ChaosQuotas)
			if err != nil {
				results[i] = Result{Case: c.Name(), Phase: c.Site.Phase, Detail: "setup: " + err.Error()}
			} else {
				results[i] = Run(ctx, e, c, shape, to)
			}
			if progress != nil {
				mu.Lock()
				progress(results[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results
}

// Table writes the results in the order given and ends with "N passed, M failed" alone on a
// line; it returns the number failed.
func Table(w io.Writer, results []Result) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tPHASE\tRESULT\tFIRED\tRETRY\tTIME\tDETAIL")
	failed := 0
	for _, r := range results {
		verdict, retry := "pass", ""
		if !r.Pass {
			verdict = "FAIL"
			failed++
		}
		if r.Retried {
			retry = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%.160s\n", r.Case, r.Phase, verdict, r.Fired, retry, r.Duration, r.Detail)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%d passed, %d failed\n", len(results)-failed, failed)
	return failed
}

// Elapsed formats a wall time for reports.
func Elapsed(d time.Duration) string { return d.Round(time.Second).String() }
