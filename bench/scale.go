package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/clusterforge/clusterforge/local/harness"
)

// ScaleFigures are the concurrent runs, smallest first.
type ScaleFigures struct {
	Runs    []ScaleRun `json:"runs"`
	Skipped []string   `json:"skipped,omitempty"`
	Setup   string     `json:"setup"`
}

// ScaleRun is n clusters created together, then deleted together, in one
// account and region with EC2's request-token buckets on.
type ScaleRun struct {
	Clusters          int              `json:"clusters"`
	LambdaConcurrency int              `json:"lambdaProcessesPerFunction"`
	WallSeconds       float64          `json:"wallSeconds"`
	SimulatedSeconds  float64          `json:"simulatedSeconds"`
	ProvisionP50      float64          `json:"provisionSecondsP50"`
	ProvisionMax      float64          `json:"provisionSecondsMax"`
	DeleteP50         float64          `json:"deleteSecondsP50"`
	DeleteMax         float64          `json:"deleteSecondsMax"`
	AWSCalls          int              `json:"awsCalls"`
	Throttled         int64            `json:"throttledAbsorbed"`
	ThrottledByClass  map[string]int64 `json:"throttledByClass"`
	Failures          int              `json:"failures"`
	FailureMessages   []string         `json:"failureMessages,omitempty"`
	Leftovers         int              `json:"leftovers"`
	LoadAvg           string           `json:"loadAvgAfter"`
}

// scaleRun runs n lifecycles concurrently on a fresh local cloud. When
// latency is not nil it measures the API with the n clusters stored and
// Running, before deleting them.
func scaleRun(ctx context.Context, o options, n int, latency **APILatency) (ScaleRun, error) {
	conc := min(32, max(8, n/3))
	run := ScaleRun{Clusters: n, LambdaConcurrency: conc}
	s, err := startSession(ctx, o, fmt.Sprintf("scale-%d", n), "--concurrency", fmt.Sprint(conc))
	if err != nil {
		return run, err
	}
	defer s.stop()
	if err := s.raiseQuotas(ctx, n); err != nil {
		return run, err
	}
	if err := s.resetCalls(ctx); err != nil {
		return run, err
	}
	began := time.Now()

	// Create all n at once (16 requests in flight, as a busy client would).
	clusters := make([]clusterView, n)
	requested := make([]time.Time, n)
	errs := parallel(n, 16, func(i int) error {
		requested[i] = time.Now()
		return s.api(ctx, http.MethodPost, "/v1/clusters", harness.ExampleCluster(fmt.Sprintf("scale-%03d", i), s.accountID, s.profileID), &clusters[i])
	})
	fail := func(i int, stage string, err error) {
		run.Failures++
		if len(run.FailureMessages) < 5 {
			run.FailureMessages = append(run.FailureMessages, fmt.Sprintf("cluster %d %s: %v", i, stage, err))
		}
	}
	var live []int
	for i, err := range errs {
		if err != nil {
			fail(i, "create", err)
			continue
		}
		live = append(live, i)
	}
	prov := s.waitAll(ctx, clusters, live, requested, "SUCCEEDED", fail)
	run.ProvisionP50, run.ProvisionMax = p50max(prov)
	if latency != nil {
		if *latency, err = measureAPI(ctx, s, clusters, live); err != nil {
			return run, fmt.Errorf("api latency: %w", err)
		}
	}

	// Delete every cluster that was created, Running or not.
	errs = parallel(len(live), 16, func(k int) error {
		i := live[k]
		requested[i] = time.Now()
		if err := s.api(ctx, http.MethodDelete, "/v1/clusters/"+clusters[i].ID, nil, nil); err != nil {
			return err
		}
		return s.api(ctx, http.MethodGet, "/v1/clusters/"+clusters[i].ID, nil, &clusters[i])
	})
	var deleting []int
	for k, err := range errs {
		if err != nil {
			fail(live[k], "delete", err)
			continue
		}
		deleting = append(deleting, live[k])
	}
	del := s.waitAll(ctx, clusters, deleting, requested, "SUCCEEDED", fail)
	run.DeleteP50, run.DeleteMax = p50max(del)
	wall := time.Since(began)
	run.WallSeconds, run.SimulatedSeconds = round(wall.Seconds(), 1), round(s.simSeconds(wall), 0)

	log, err := s.calls(ctx)
	if err != nil {
		return run, err
	}
	// From the counts: 100 clusters overflow the call log itself.
	run.AWSCalls = log.total(s.cloud.Customer.AccountID)
	run.ThrottledByClass = log.Throttled
	for _, v := range log.Throttled {
		run.Throttled += v
	}
	ids := map[string]bool{}
	for _, c := range clusters {
		ids[c.ID] = true
	}
	if run.Leftovers, err = leftovers(ctx, s, ids); err != nil {
		return run, err
	}
	run.LoadAvg = loadAvg()
	return run, nil
}

// waitAll polls the executions of clusters[idx] (one sweep a second, so n
// pollers don't compete with the workflows for the CPU) and returns the
// simulated seconds from each request to its execution's end.
func (s *session) waitAll(ctx context.Context, clusters []clusterView, idx []int, requested []time.Time, want string, fail func(int, string, error)) []float64 {
	pending := append([]int(nil), idx...)
	var secs []float64
	deadline := time.Now().Add(20 * time.Minute)
	for len(pending) > 0 && ctx.Err() == nil {
		var still []int
		for _, i := range pending {
			out, err := s.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(clusters[i].ExecutionARN)})
			switch {
			case err != nil:
				fail(i, "describe execution", err)
			case out.Status == sfntypes.ExecutionStatusRunning:
				still = append(still, i)
			case string(out.Status) != want:
				fail(i, "execution", fmt.Errorf("%s: %s", out.Status, aws.ToString(out.Cause)))
			default:
				secs = append(secs, s.simSeconds(aws.ToTime(out.StopDate).Sub(requested[i])))
			}
		}
		pending = still
		if time.Now().After(deadline) {
			for _, i := range pending {
				fail(i, "wait", fmt.Errorf("still running after 20 min"))
			}
			break
		}
		if len(pending) > 0 {
			time.Sleep(time.Second)
		}
	}
	return secs
}

// leftovers counts resources still in the customer account that carry one
// of the clusters' ids, from the local cloud's EC2 inventory (admin, so the
// scan spends none of the account's request tokens). ELBv2 lives in kumo and
// is not in the inventory; the single-lifecycle run checks it with the
// harness's tag scan.
func leftovers(ctx context.Context, s *session, ids map[string]bool) (int, error) {
	var inv []struct {
		Type, ID, State string
		Tags            map[string]string
	}
	if _, err := s.cloud.Admin(ctx, http.MethodGet, "/accounts/"+s.cloud.Customer.AccountID+"/inventory", nil, &inv); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range inv {
		if ids[r.Tags[harness.ClusterIDTag]] && r.State != "deleted" && r.State != "terminated" {
			n++
		}
	}
	return n, nil
}

// parallel runs f(0..n-1) with at most width in flight and returns each error.
func parallel(n, width int, f func(int) error) []error {
	errs := make([]error, n)
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}

func p50max(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	sort.Float64s(v)
	return round(v[len(v)/2], 1), round(v[len(v)-1], 1)
}
