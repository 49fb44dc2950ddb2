package watch

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// recorder is a Renderer that keeps what it was shown.
type recorder struct {
	statuses []string
	closed   *client.Cluster
}

func (r *recorder) Update(c *client.Cluster, _ time.Time) { r.statuses = append(r.statuses, c.Status) }
func (r *recorder) Close(c *client.Cluster, _ time.Time)  { r.closed = c }

// script answers polls from a fixed list (errors included).
func script(steps ...any) Fetch {
	i := 0
	return func(context.Context) (*client.Cluster, error) {
		s := steps[min(i, len(steps)-1)]
		i++
		if err, ok := s.(error); ok {
			return nil, err
		}
		return s.(*client.Cluster), nil
	}
}

func TestRunReachesWant(t *testing.T) {
	r := &recorder{}
	blip := &client.APIError{Status: 503}
	last, err := Run(context.Background(), snapshot("Provisioning", 0), script(
		snapshot("Provisioning", 50), blip, snapshot("Running", 100),
	), r, Options{Want: "Running", Interval: time.Millisecond, MaxPollErrors: 2})
	if err != nil || last.Status != "Running" {
		t.Fatalf("Run = %v, %v", last, err)
	}
	if got := strings.Join(r.statuses, ","); got != "Provisioning,Provisioning,Running" {
		t.Errorf("renderer saw %s", got)
	}
	if r.closed == nil || r.closed.Status != "Running" {
		t.Errorf("renderer closed with %+v", r.closed)
	}
}

func TestRunFailedNamesTheTask(t *testing.T) {
	failed := snapshot("Failed", 40,
		client.Task{Name: "vpc", State: client.TaskSucceeded},
		client.Task{Name: "natGateways", State: client.TaskFailed, Message: "NAT gateway nat-1 failed: capacity"},
	)
	failed.StatusMessage = "provisioning failed"
	_, err := Run(context.Background(), nil, script(failed), &recorder{}, Options{Want: "Running", Interval: time.Millisecond})
	var fe *FailedError
	if !errors.As(err, &fe) || fe.Task != "natGateways" || !strings.Contains(err.Error(), "capacity") {
		t.Fatalf("err = %v; want a FailedError naming natGateways and its message", err)
	}
}

func TestRunGivesUpOnPersistentOrClientErrors(t *testing.T) {
	notFound := &client.APIError{Status: 404, Code: "not_found", Message: "cluster not found"}
	if _, err := Run(context.Background(), nil, script(notFound), &recorder{}, Options{Want: "Running", Interval: time.Millisecond, MaxPollErrors: 5}); !errors.Is(err, error(notFound)) {
		t.Errorf("404 during watch: err = %v", err)
	}
	down := &client.NetworkError{Endpoint: "x", Err: errors.New("refused")}
	if _, err := Run(context.Background(), nil, script(down), &recorder{}, Options{Want: "Running", Interval: time.Millisecond, MaxPollErrors: 3}); !errors.As(err, new(*client.NetworkError)) {
		t.Errorf("outage: err = %v", err)
	}
}

func TestRunDeletedWhileWaitingForRunning(t *testing.T) {
	_, err := Run(context.Background(), nil, script(snapshot("Deleting", 0)), &recorder{}, Options{Want: "Running", Interval: time.Millisecond})
	if !errors.As(err, new(*UnexpectedError)) {
		t.Errorf("err = %v", err)
	}
}

// TestLiveDraws renders through mpb into a buffer (forced TTY) and checks
// the frame has the cluster line and a row per task with counts and state.
// lockedBuffer lets the test read what mpb's refresh goroutine writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLiveDraws(t *testing.T) {
	var b lockedBuffer
	l := NewLive(&b, true)
	start := time.Now().Add(-10 * time.Second)
	fin := start.Add(2 * time.Second)
	c := snapshot("Provisioning", 50,
		client.Task{Name: "vpc", State: client.TaskSucceeded, StartedAt: &start, FinishedAt: &fin, Message: "VPC vpc-1"},
		client.Task{Name: "natGateways", State: client.TaskRunning, StartedAt: &start, Done: 1, Total: 2, Message: "1/2 NAT gateways available"},
	)
	l.Update(c, time.Now())
	// Let the refresh loop draw the first frame, so Close has one to redraw
	// over (on a busy machine the first tick can come late).
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(b.String(), "natGateways") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	c = snapshot("Running", 100, c.Tasks[0], c.Tasks[1])
	c.Tasks[1].State, c.Tasks[1].Done, c.Tasks[1].FinishedAt = client.TaskSucceeded, 2, &fin
	l.Close(c, time.Now())
	out := b.String()
	for _, want := range []string{"prod Running", "100%", "2/2 tasks", "✓ vpc", "Succeeded", "2/2", "\x1b[3A"} {
		if !strings.Contains(out, want) {
			t.Errorf("live frame misses %q:\n%s", want, out)
		}
	}
	// Messages are cut to the room left, so every bar starts and ends in
	// the same column however long the message.
	col := -1
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "]"); i >= 0 && strings.Contains(line, "✓") {
			if col >= 0 && i != col {
				t.Errorf("bars end in columns %d and %d:\n%s", col, i, out)
			}
			col = i
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"short", 10, "short"}, {"1/1 NAT gateways available", 10, "1/1 NAT g…"}, {"abc", 1, ""}, {"abc", -5, ""}} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
