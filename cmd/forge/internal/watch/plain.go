package watch

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// Plain writes one line per change, for logs and CI where stdout is not a
// terminal: cursor movement would be garbage there, and repeating
// unchanged lines every poll would bury the interesting ones.
type Plain struct {
	w           io.Writer
	est         *Estimator
	lastCluster string
	lastTask    map[string]string
}

// NewPlain writes to w.
func NewPlain(w io.Writer) *Plain {
	return &Plain{w: w, est: NewEstimator(100), lastTask: map[string]string{}}
}

// Update prints the cluster line when its status or progress moved and a
// line for each task whose state, counts or message changed. A task
// still Pending is not news.
func (p *Plain) Update(c *client.Cluster, now time.Time) {
	p.est.Observe(float64(c.Progress), now)
	stamp := fmt.Sprintf("[%6s]", FormatDuration(p.est.Elapsed(now)))

	done, total := taskCounts(c.Tasks)
	key := fmt.Sprintf("%s %d%% (%d/%d tasks)", c.Status, c.Progress, done, total)
	if c.StatusMessage != "" {
		key += " " + c.StatusMessage
	}
	if key != p.lastCluster {
		p.lastCluster = key
		eta := ""
		if !settledStatus(c.Status) {
			eta = "  " + formatETA(p.est.ETA(now))
		}
		fmt.Fprintf(p.w, "%s cluster %s %s%s\n", stamp, c.Name, key, eta)
	}
	for _, t := range c.Tasks {
		line := taskLine(t)
		prev, seen := p.lastTask[t.Name]
		p.lastTask[t.Name] = line
		if line == prev || (!seen && t.State == client.TaskPending) {
			continue
		}
		extra := ""
		if d, ok := taskElapsed(t, now); ok && t.Finished() {
			extra = " (" + FormatDuration(d) + ")"
		}
		fmt.Fprintf(p.w, "%s   %s%s\n", stamp, line, extra)
	}
}

// Close adds nothing: every change was printed when it happened.
func (p *Plain) Close(*client.Cluster, time.Time) {}

// taskLine is what identifies a task's visible state: glyph, name, state,
// counts and message; elapsed time is left out so it alone is no change.
func taskLine(t client.Task) string {
	parts := []string{glyph(t.State), fmt.Sprintf("%-24s", t.Name), fmt.Sprintf("%-9s", t.State)}
	// "1/3" unless the message already starts with it, as most do.
	if c := counts(t); c != "" && !strings.HasPrefix(t.Message, c) {
		parts = append(parts, c)
	}
	if t.Message != "" {
		parts = append(parts, t.Message)
	}
	return strings.TrimRight(strings.Join(parts, " "), " ")
}
