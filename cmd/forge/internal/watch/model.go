package watch

import (
	"strconv"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// Renderer shows successive snapshots of one cluster. Update is called
// with every poll's answer (the renderer decides what changed); Close
// once with the last one, after which nothing more is written.
type Renderer interface {
	Update(c *client.Cluster, now time.Time)
	Close(c *client.Cluster, now time.Time)
}

// taskCounts is how many tasks are finished for good (Succeeded or
// Skipped, what the API's progress percent counts) out of all.
func taskCounts(tasks []client.Task) (done, total int) {
	for _, t := range tasks {
		if t.State == client.TaskSucceeded || t.State == client.TaskSkipped {
			done++
		}
	}
	return done, len(tasks)
}

// taskProgress is a task's bar position. Tasks that report counts (NAT
// gateways 1/3) use them; others are 0 of 1 until they finish.
func taskProgress(t client.Task) (cur, total int) {
	cur, total = t.Done, t.Total
	if total <= 0 {
		cur, total = 0, 1
	}
	if t.State == client.TaskSucceeded || t.State == client.TaskSkipped {
		cur = total
	}
	return min(cur, total), total
}

// taskElapsed is how long a task ran (finished) or has been running. The
// server's timestamps are used as given; a negative span from clock skew
// shows as 0 rather than confusing the user.
func taskElapsed(t client.Task, now time.Time) (time.Duration, bool) {
	if t.StartedAt == nil {
		return 0, false
	}
	end := now
	if t.Finished() && t.FinishedAt != nil {
		end = *t.FinishedAt
	}
	return max(end.Sub(*t.StartedAt), 0), true
}

// taskETA estimates a running task's time left from its own counts.
func taskETA(t client.Task, now time.Time) (time.Duration, bool) {
	if t.State != client.TaskRunning || t.Total <= 0 {
		return 0, false
	}
	elapsed, ok := taskElapsed(t, now)
	if !ok {
		return 0, false
	}
	return Remaining(0, float64(t.Done), float64(t.Total), elapsed)
}

// counts renders "1/3" for tasks that report counts.
func counts(t client.Task) string {
	if t.Total <= 0 {
		return ""
	}
	return strconv.Itoa(t.Done) + "/" + strconv.Itoa(t.Total)
}

// glyph is a one-character state for narrow columns.
func glyph(state string) string {
	switch state {
	case client.TaskSucceeded:
		return "✓"
	case client.TaskFailed:
		return "✗"
	case client.TaskRunning:
		return "▸"
	case client.TaskSkipped:
		return "–"
	}
	return "·"
}

// settledStatus is a cluster status no workflow is running in, where an
// ETA means nothing.
func settledStatus(status string) bool {
	return status == client.StatusRunning || status == client.StatusDeleted || status == client.StatusFailed
}
