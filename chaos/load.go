package chaos

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

// LoadShape is the concurrency run's cluster: one to three AZs (varied so
// the Maps differ), a single NAT gateway, one control-plane node and one
// worker, so dozens fit on two cores within minutes.
func LoadShape(i int) Shape {
	return Shape{AZs: 1 + i%3, NATGateways: "single", ControlPlane: 1, Workers: 1}
}

// LoadReport is what the concurrency run measured.
type LoadReport struct {
	Clusters, Running, Deleted int
	CreateWall, DeleteWall     time.Duration
	ServiceCalls               int // calls the service's Lambdas made in the account
	Throttles                  int // RequestLimitExceeded answers the service absorbed
	Resumed                    int // stuck deletions resumed by a second DELETE
	Leftovers                  []string
	Failures                   []string // one line per cluster that did not converge
}

// Pass is the run's verdict: all Running, all Deleted, nothing left, and
// no throttle surfaced as a failure.
func (r LoadReport) Pass() bool {
	return r.Running == r.Clusters && r.Deleted == r.Clusters && len(r.Leftovers) == 0 && len(r.Failures) == 0
}

func (r LoadReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clusters %d, Running %d, Deleted %d\n", r.Clusters, r.Running, r.Deleted)
	fmt.Fprintf(&b, "wall time: create→all Running %s, delete→all Deleted %s\n", Elapsed(r.CreateWall), Elapsed(r.DeleteWall))
	fmt.Fprintf(&b, "service AWS calls %d, RequestLimitExceeded absorbed %d\n", r.ServiceCalls, r.Throttles)
	fmt.Fprintf(&b, "stuck deletions resumed by a second DELETE %d\n", r.Resumed)
	fmt.Fprintf(&b, "leftovers %d %v\n", len(r.Leftovers), r.Leftovers)
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  failed: %s\n", f)
	}
	return b.String()
}

// LoadQuotas make room for many clusters in one account: VPCs per region,
// Elastic IPs, NAT gateways per AZ and on-demand vCPUs.
func LoadQuotas(n int) Quotas {
	return Quotas{"L-F678F1CE": n + 5, "max-elastic-ips": n + 5, "L-FE5A380F": n + 5, "L-1216C47A": 16 * n}
}

// Load creates n clusters at once in one account and region, waits for all
// to run, deletes them all at once and waits for all to go, under the
// local cloud's EC2 request-token buckets.
func Load(ctx context.Context, cloud *harness.Cloud, n int, to Timeouts) (LoadReport, error) {
	rep := LoadReport{Clusters: n}
	e, err := NewEnv(ctx, cloud, "load", LoadQuotas(n))
	if err != nil {
		return rep, err
	}
	ids := make([]string, n)
	var mu sync.Mutex
	fail := func(i int, format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		rep.Failures = append(rep.Failures, fmt.Sprintf("cluster %d: ", i)+fmt.Sprintf(format, a...))
	}
	// each runs step for every cluster at once and counts those that got to
	// want; it returns the wall time until the last one did.
	each := func(want string, step func(i int) error) (int, time.Duration) {
		start := time.Now()
		var wg sync.WaitGroup
		reached := 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := step(i); err != nil {
					fail(i, "%v", err)
					return
				}
				v, err := e.Wait(ctx, ids[i], want, to.Running)
				if err == nil && v.Stuck() {
					// The documented way on: DELETE again resumes the
					// deletion where it stopped. Counted, not hidden.
					mu.Lock()
					rep.Resumed++
					mu.Unlock()
					if err = e.Call(ctx, http.MethodDelete, "/v1/clusters/"+ids[i], nil, http.StatusAccepted, nil); err == nil {
						v, err = e.Wait(ctx, ids[i], want, to.Running)
					}
				}
				if err != nil || v.Status != want {
					fail(i, "%s, want %s: %v %s [%s]", v.Status, want, err, v.StatusMessage, v.failedTasks())
					return
				}
				mu.Lock()
				reached++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return reached, time.Since(start)
	}
	rep.Running, rep.CreateWall = each("Running", func(i int) (err error) {
		ids[i], err = e.Create(ctx, LoadShape(i).Spec(fmt.Sprintf("load-%02d", i), e.AccountID, e.ProfileID))
		return err
	})
	rep.Deleted, rep.DeleteWall = each("Deleted", func(i int) error {
		if ids[i] == "" {
			return fmt.Errorf("never created")
		}
		return e.Call(ctx, http.MethodDelete, "/v1/clusters/"+ids[i], nil, http.StatusAccepted, nil)
	})
	for _, id := range ids {
		if id == "" {
			continue
		}
		got, err := e.Inventory(ctx, id)
		if err != nil {
			return rep, err
		}
		for _, l := range Leftovers(got) {
			rep.Leftovers = append(rep.Leftovers, id+": "+l)
		}
	}
	sort.Strings(rep.Failures)
	calls, err := e.Calls(ctx)
	if err != nil {
		return rep, err
	}
	for _, c := range calls {
		if strings.HasPrefix(c.AppID, "lambda.") {
			rep.ServiceCalls++
			if c.ErrorCode == "RequestLimitExceeded" {
				rep.Throttles++
			}
		}
	}
	return rep, nil
}
