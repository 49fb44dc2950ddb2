package e2e

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentPoolEdits: two PATCHes of a node pool carrying the same
// cluster version race; the optimistic lock lets exactly one through and
// answers the other 409 version_conflict, so neither edit is lost silently.
func TestConcurrentPoolEdits(t *testing.T) {
	e := newTenant(t, newCustomerAccount(t))
	id := e.createCluster(t, "edits")
	c := e.waitStatus(t, id, "Running", 5*time.Minute)

	statuses := make([]int, 2)
	bodies := make([]string, 2)
	var wg sync.WaitGroup
	for i, tier := range []string{"blue", "green"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.api.send(t, http.MethodPatch, "/v1/clusters/"+id+"/nodepools/general",
				map[string]any{"version": c.Version, "labels": map[string]string{"tier": tier}})
			statuses[i], bodies[i] = r.Status, string(r.Body)
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for i, s := range statuses {
		switch {
		case s >= 200 && s < 300:
			won++
		case s == http.StatusConflict:
			lost++
		default:
			t.Errorf("PATCH %d = %d: %s", i, s, bodies[i])
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("same-version PATCHes: %d accepted, %d conflicts (%v), want 1 and 1", won, lost, statuses)
	}

	e.waitStatus(t, id, "Running", 5*time.Minute)
	e.api.must(t, http.StatusAccepted, http.MethodDelete, "/v1/clusters/"+id, nil, nil)
	e.waitStatus(t, id, "Deleted", 5*time.Minute)
	if left := tagged(t, e.customer, id); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
