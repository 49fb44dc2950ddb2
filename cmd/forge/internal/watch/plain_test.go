package watch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

func snapshot(status string, progress int, tasks ...client.Task) *client.Cluster {
	return &client.Cluster{Name: "prod", Status: status, Progress: progress, Tasks: tasks}
}

func TestPlainPrintsOnlyChanges(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	p := NewPlain(&b)
	lines := func() []string {
		out := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		b.Reset()
		if len(out) == 1 && out[0] == "" {
			return nil
		}
		return out
	}

	started := t0
	vpc := client.Task{Name: "vpc", State: client.TaskRunning, StartedAt: &started}
	nat := client.Task{Name: "natGateways", State: client.TaskPending}
	p.Update(snapshot("Provisioning", 0, vpc, nat), t0)
	got := lines()
	if len(got) != 2 || !strings.Contains(got[0], "cluster prod Provisioning 0% (0/2 tasks)") || !strings.Contains(got[1], "▸ vpc") {
		t.Fatalf("first update printed %q; want the cluster line and the running task only", got)
	}

	// Same state a second later: time passed, nothing changed, no output.
	p.Update(snapshot("Provisioning", 0, vpc, nat), t0.Add(time.Second))
	if got := lines(); got != nil {
		t.Fatalf("unchanged snapshot printed %q", got)
	}

	// One task moves: exactly its line, plus the cluster's new progress.
	fin := t0.Add(3 * time.Second)
	vpc.State, vpc.FinishedAt = client.TaskSucceeded, &fin
	nat.State, nat.Total, nat.StartedAt = client.TaskRunning, 2, &fin
	p.Update(snapshot("Provisioning", 50, vpc, nat), t0.Add(4*time.Second))
	got = lines()
	if len(got) != 3 {
		t.Fatalf("printed %q; want cluster, vpc and natGateways lines", got)
	}
	if !strings.Contains(got[0], "50% (1/2 tasks)") || !strings.Contains(got[0], "ETA 4s") {
		t.Errorf("cluster line %q: want 50%% and an ETA from the rate (50 points in 4s → 4s)", got[0])
	}
	if !strings.Contains(got[1], "✓ vpc") || !strings.HasSuffix(got[1], "(3s)") {
		t.Errorf("vpc line %q: want ✓ and its 3s duration", got[1])
	}
	if !strings.Contains(got[2], "natGateways") || !strings.Contains(got[2], "0/2") {
		t.Errorf("nat line %q: want counts 0/2", got[2])
	}

	// A count change is a change; the message alone is too.
	nat.Done = 1
	p.Update(snapshot("Provisioning", 50, vpc, nat), t0.Add(5*time.Second))
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], "1/2") {
		t.Errorf("count change printed %q", got)
	}
	nat.Message = "1/2 NAT gateways available"
	p.Update(snapshot("Provisioning", 50, vpc, nat), t0.Add(6*time.Second))
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], "NAT gateways available") {
		t.Errorf("message change printed %q", got)
	}
}
