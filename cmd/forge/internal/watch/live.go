package watch

import (
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// Live redraws a block of progress bars in place (mpb): one for the
// cluster, one per task. Decorators read the latest snapshot under mu,
// because mpb renders on its own goroutine between our polls; reading
// time.Now there keeps elapsed and ETA ticking between polls too.
type Live struct {
	p       *mpb.Progress
	now     func() time.Time
	mu      sync.Mutex
	cluster client.Cluster
	tasks   map[string]client.Task
	est     *Estimator
	overall *mpb.Bar
	bars    map[string]*mpb.Bar
	order   []string
}

// nameWidth fits the longest task names the workflows use
// ("nodePool:control-plane").
const nameWidth = 24

// barWidth leaves room on a 120-column terminal for counts, times and
// the task's message; mpb truncates whatever still does not fit.
const barWidth = 24

// NewLive draws on w, which must be a terminal (or forceTTY for tests).
func NewLive(w io.Writer, forceTTY bool) *Live {
	l := &Live{
		now:   time.Now,
		tasks: map[string]client.Task{},
		bars:  map[string]*mpb.Bar{},
		est:   NewEstimator(100),
	}
	l.p = mpb.New(
		mpb.WithOutput(w),
		mpb.WithRefreshRate(200*time.Millisecond),
		// ForceTTY alone does not start the refresh loop in this mpb.
		mpb.ContainerOptional(mpb.ForceTTY(), forceTTY),
		mpb.ContainerOptional(mpb.WithAutoRefresh(), forceTTY),
	)
	l.overall = l.p.AddBar(100, mpb.BarWidth(barWidth),
		mpb.PrependDecorators(decor.Any(l.clusterLabel, decor.WC{W: nameWidth + 12, C: decor.DindentRight})),
		mpb.AppendDecorators(decor.Any(l.clusterStats)),
	)
	return l
}

// Update takes a poll's snapshot; bars for tasks seen the first time are
// added in the order the API lists them (the workflow's order).
func (l *Live) Update(c *client.Cluster, now time.Time) {
	l.mu.Lock()
	l.cluster = *c
	l.est.Observe(float64(c.Progress), now)
	var fresh []client.Task
	for _, t := range c.Tasks {
		if _, ok := l.tasks[t.Name]; !ok {
			fresh = append(fresh, t)
			l.order = append(l.order, t.Name)
		}
		l.tasks[t.Name] = t
	}
	l.mu.Unlock()

	for _, t := range fresh {
		l.bars[t.Name] = l.addTaskBar(t.Name)
	}
	l.overall.SetCurrent(int64(c.Progress))
	for _, t := range c.Tasks {
		bar := l.bars[t.Name]
		cur, total := taskProgress(t)
		bar.SetTotal(int64(total), false)
		bar.SetCurrent(int64(cur))
		if t.State == client.TaskFailed {
			bar.Abort(false) // keep the row: it carries the reason
		}
	}
}

// Close finishes every bar (aborting the ones that never will) so mpb
// draws the final frame, then waits for it to be written.
func (l *Live) Close(c *client.Cluster, now time.Time) {
	if c != nil {
		l.Update(c, now)
	}
	for _, name := range l.order {
		l.finish(l.bars[name], l.tasks[name].State == client.TaskSucceeded || l.tasks[name].State == client.TaskSkipped)
	}
	l.finish(l.overall, c != nil && (c.Status == client.StatusRunning || c.Status == client.StatusDeleted))
	l.p.Wait()
}

func (l *Live) finish(bar *mpb.Bar, ok bool) {
	if bar.Completed() || bar.Aborted() {
		return
	}
	if ok {
		bar.SetTotal(-1, true)
		return
	}
	bar.Abort(false)
}

func (l *Live) addTaskBar(name string) *mpb.Bar {
	return l.p.AddBar(1, mpb.BarWidth(barWidth),
		mpb.PrependDecorators(
			decor.Any(func(decor.Statistics) string {
				t := l.task(name)
				return fmt.Sprintf("  %s %-*s %-9s", glyph(t.State), nameWidth-2, name, t.State)
			}),
		),
		mpb.AppendDecorators(decor.Any(func(st decor.Statistics) string { return l.taskStats(name, st.AvailableWidth) })),
	)
}

func (l *Live) task(name string) client.Task {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tasks[name]
}

// taskStats is "done/total  elapsed  ETA  message" for one task. mpb
// sizes the bar from what the decorators leave over, so the message is
// cut to the room left after a full-width bar: bars stay aligned.
func (l *Live) taskStats(name string, avail int) string {
	t, now := l.task(name), l.now()
	elapsed := ""
	if d, ok := taskElapsed(t, now); ok {
		elapsed = FormatDuration(d)
	}
	eta := ""
	if t.State == client.TaskRunning {
		eta = formatETA(taskETA(t, now))
	}
	stats := fmt.Sprintf("%5s %6s %-8s ", counts(t), elapsed, eta)
	room := avail - barWidth - 2 - utf8.RuneCountInString(stats)
	return stats + truncate(t.Message, room)
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}

func (l *Live) clusterLabel(decor.Statistics) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%s %s", l.cluster.Name, l.cluster.Status)
}

// clusterStats is "42%  5/12 tasks  elapsed 31s  ETA 40s".
func (l *Live) clusterStats(decor.Statistics) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	done, total := taskCounts(l.cluster.Tasks)
	eta := formatETA(l.est.ETA(now))
	if settledStatus(l.cluster.Status) {
		eta = ""
	}
	return fmt.Sprintf("%3d%%  %d/%d tasks  elapsed %s  %s", l.cluster.Progress, done, total, FormatDuration(l.est.Elapsed(now)), eta)
}
