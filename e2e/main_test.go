package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
	"github.com/clusterforge/clusterforge/shared/api/apitest"
)

// What every test shares: one local cloud for the whole package (starting
// it is the slow part), the contract validator and the log of API bodies.
var (
	cloud     *harness.Cloud
	startedIn time.Duration
	contract  *apitest.ContractValidator
	seen      bodyLog
)

// startTimeout is the bound for the contract line.
const startTimeout = 120 * time.Second

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run is TestMain's body, so deferred cleanup runs before os.Exit.
func run(m *testing.M) int {
	var err error
	if contract, err = apitest.NewContractValidator(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: contract:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "clusterforge-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	logDir := filepath.Join(tmp, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// The launcher's stderr goes into the log dir too, so the secret-leak
	// scan (Cloud.LogLines) covers it along with every Lambda's log.
	stderr, err := os.Create(filepath.Join(logDir, "launcher-stderr.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer stderr.Close()

	start := time.Now()
	cloud, err = harness.Start(context.Background(), harness.Options{
		LogDir:       logDir,
		Log:          stderr,
		StartTimeout: startTimeout,
		// Small scale: AWS-like transitions in a fraction of the wall time.
		Env: []string{"LOCALCLOUD_TIME_SCALE=" + envOr("LOCALCLOUD_TIME_SCALE", "0.02")},
		// Force delete unlocks after forceDeleteDelay instead of 15 minutes.
		ExtraArgs: []string{"--force-delete-delay=" + forceDeleteDelay.String()},
	})
	startedIn = time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: the local cloud did not start after %s: %v\n%s", startedIn.Round(time.Millisecond), err, logTail(logDir, 40))
		return 1
	}
	defer cloud.Stop()
	fmt.Fprintf(os.Stderr, "e2e: local cloud up in %s (api %s, aws %s, logs %s)\n", startedIn.Round(time.Millisecond), cloud.API, cloud.AWS, logDir)

	code := m.Run()
	// Repeat the leak scan over everything every test saw, whatever order
	// (or -run selection) the tests ran in.
	if found, bodies, lines, err := leaks(); err != nil || len(found) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: secret leak scan over %d bodies and %d log lines: %v\n  %s\n", bodies, lines, err, strings.Join(found, "\n  "))
		code = 1
	}
	if code != 0 {
		fmt.Fprint(os.Stderr, logTail(logDir, 30))
	} else {
		_ = os.RemoveAll(tmp)
	}
	return code
}

// logTail renders the last n lines of every log file in dir, so a failed
// start or run says why without a trip to the temp dir.
func logTail(dir string, n int) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil || len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		fmt.Fprintf(&b, "--- last %d lines of %s ---\n%s\n", len(lines), f, strings.Join(lines, "\n"))
	}
	if b.Len() == 0 {
		return "(no log output in " + dir + ")\n"
	}
	return b.String()
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
