package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/chaos"
)

// TestChaosFast is `make chaos` in small: the call sites come from a clean
// run's call accounting as there, then one case per fault kind (throttle,
// 5xx, lost response, crash after the call, capacity once and in every
// AZ until lifted, which must fail resumably and converge on retry) runs a whole
// lifecycle in its own account: converge, nothing twice, nothing left.
// Two at a time: the suite shares two cores with other tests.
func TestChaosFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e, err := chaos.NewEnv(ctx, cloud, "discover", chaos.ChaosQuotas)
	if err != nil {
		t.Fatal(err)
	}
	to := chaos.Timeouts{Running: 2 * time.Minute, Deleted: 2 * time.Minute}
	sites, err := chaos.Discover(ctx, e, chaos.FaultShape, to.Running)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) < 20 {
		t.Fatalf("a clean run shows %d mutating call sites, want the whole workflow's: %v", len(sites), sites)
	}
	cases := chaos.Fast(chaos.Matrix(sites), chaos.FastPreference...)
	if len(cases) != len(chaos.Kinds)+2 { // + capacity once and capacity everywhere
		t.Fatalf("fast subset has %d cases, want one per fault kind", len(cases))
	}
	for _, r := range chaos.RunAll(ctx, cloud, cases, chaos.FaultShape, to, 2, nil) {
		if !r.Pass {
			t.Errorf("%s: %s", r.Case, r.Detail)
		} else {
			t.Logf("%s: pass in %s (fault fired %d×)", r.Case, r.Duration, r.Fired)
		}
	}
}
