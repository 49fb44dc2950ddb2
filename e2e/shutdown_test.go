package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

// TestSIGTERMStopsEverything starts a second local cloud, lists every
// process it started (kumo accounts, the Step Functions server, each Lambda
// process), sends SIGTERM as Ctrl-C would, and checks none is left running.
func TestSIGTERMStopsEverything(t *testing.T) {
	t.Parallel()
	second, err := harness.Start(context.Background(), harness.Options{LogDir: t.TempDir()})
	if err != nil {
		t.Fatalf("start a second local cloud: %v", err)
	}
	children := descendants(second.Pid())
	if len(children) < 5 {
		second.Stop()
		t.Fatalf("found %d processes under the launcher, want kumo ×2, node and the Lambdas", len(children))
	}
	if err := syscall.Kill(second.Pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the launcher did not exit within 20s of SIGTERM")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var alive []int
		for _, pid := range children {
			if syscall.Kill(pid, 0) == nil && !zombie(pid) {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			t.Logf("%d processes started, all gone after SIGTERM", len(children))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes still running after SIGTERM: %v", alive)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// descendants lists every process below pid, from /proc.
func descendants(pid int) []int {
	parent := map[int]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so split after ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 {
			continue
		}
		p, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		pp, _ := strconv.Atoi(fields[1])
		parent[p] = pp
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] == "Z"
}
