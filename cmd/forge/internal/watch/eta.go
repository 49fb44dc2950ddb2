package watch

import (
	"fmt"
	"time"
)

// Remaining estimates the time left for work that went from done0 to done
// (of total) in elapsed, assuming the observed rate holds. ok is false
// while nothing has moved yet: a guess from no progress would be noise.
func Remaining(done0, done, total float64, elapsed time.Duration) (left time.Duration, ok bool) {
	if done >= total {
		return 0, true
	}
	moved := done - done0
	if moved <= 0 || elapsed <= 0 {
		return 0, false
	}
	rate := moved / elapsed.Seconds() // units per second
	return time.Duration((total - done) / rate * float64(time.Second)), true
}

// Estimator is Remaining for a value sampled over time (the cluster's
// progress percent): it remembers the first sample, so the rate is the
// one seen while watching, not since some server-side start whose clock
// may differ from ours.
type Estimator struct {
	total   float64
	start   time.Time
	started bool
	done0   float64
	done    float64
}

// NewEstimator tracks progress towards total.
func NewEstimator(total float64) *Estimator { return &Estimator{total: total} }

// Observe records the value at now.
func (e *Estimator) Observe(done float64, now time.Time) {
	if !e.started {
		e.start, e.done0, e.started = now, done, true
	}
	e.done = done
}

// ETA is the time left at now, by the rate since the first sample.
func (e *Estimator) ETA(now time.Time) (time.Duration, bool) {
	if !e.started {
		return 0, false
	}
	return Remaining(e.done0, e.done, e.total, now.Sub(e.start))
}

// Elapsed is the time since the first sample.
func (e *Estimator) Elapsed(now time.Time) time.Duration {
	if !e.started {
		return 0
	}
	return now.Sub(e.start)
}

// FormatDuration is a short, fixed-precision duration for a narrow column:
// 7s, 4m05s, 1h02m.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// formatETA renders an estimate, or a dash while there is none.
func formatETA(d time.Duration, ok bool) string {
	if !ok {
		return "ETA  --"
	}
	return "ETA " + FormatDuration(d)
}
