package watch

import (
	"testing"
	"time"
)

func TestRemaining(t *testing.T) {
	cases := []struct {
		name               string
		done0, done, total float64
		elapsed            time.Duration
		want               time.Duration
		ok                 bool
	}{
		{"half way", 0, 50, 100, time.Minute, time.Minute, true},
		{"quarter way", 0, 25, 100, 10 * time.Second, 30 * time.Second, true},
		{"rate since the first sample", 40, 60, 100, 20 * time.Second, 40 * time.Second, true},
		{"no progress yet", 0, 0, 100, time.Minute, 0, false},
		{"no time yet", 0, 10, 100, 0, 0, false},
		{"went backwards", 50, 40, 100, time.Minute, 0, false},
		{"done", 0, 3, 3, time.Second, 0, true},
		{"counts", 0, 1, 3, 6 * time.Second, 12 * time.Second, true},
	}
	for _, c := range cases {
		got, ok := Remaining(c.done0, c.done, c.total, c.elapsed)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: Remaining = %s, %v; want %s, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestEstimator(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	e := NewEstimator(100)
	if _, ok := e.ETA(t0); ok {
		t.Error("ETA before any sample")
	}
	e.Observe(20, t0) // watching a cluster already 20 % done
	if _, ok := e.ETA(t0.Add(5 * time.Second)); ok {
		t.Error("ETA without movement")
	}
	e.Observe(60, t0.Add(40*time.Second)) // 40 points in 40 s → 40 s left
	if got, ok := e.ETA(t0.Add(40 * time.Second)); !ok || got != 40*time.Second {
		t.Errorf("ETA = %s, %v; want 40s", got, ok)
	}
	if got := e.Elapsed(t0.Add(90 * time.Second)); got != 90*time.Second {
		t.Errorf("Elapsed = %s", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 7 * time.Second: "7s", 1400 * time.Millisecond: "1s",
		245 * time.Second: "4m05s", 62 * time.Minute: "1h02m",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %s, want %s", d, got, want)
		}
	}
}
