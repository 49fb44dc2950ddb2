package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The web console (web/) in a real browser: web/tests/console.mjs drives
// Debian's chromium with playwright-core through the flows — the
// wizard creates a cluster that reaches Running, a pool's labels are
// edited, a cluster is deleted, force delete counts down and unlocks after
// the package's shortened delay, and a viewer sees no delete buttons.

// webTimeout bounds the whole browser run (it takes about a minute alone).
const webTimeout = 4 * time.Minute

func TestWebConsole(t *testing.T) {
	chromium := envOr("CHROMIUM", "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no browser at %s (make test installs Debian's chromium): %v", chromium, err)
	}
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(root, "web")
	nodeBin := filepath.Join(root, "local", "sfn", "node_modules", "node", "bin")
	if _, err := os.Stat(filepath.Join(nodeBin, "node")); err != nil {
		t.Fatalf("Node 22 is missing (run make node): %v", err)
	}
	webPrepare(t, web, nodeBin)
	base := webConsoleURL(t, filepath.Join(web, "dist"))

	// Two fresh customer accounts: one for the wizard, one whose DeleteVpc
	// always fails, so that cluster's deletion is still running when force
	// delete unlocks (as in TestForceDeleteStuckDeletion).
	main, stuck := newCustomerAccount(t), newCustomerAccount(t)
	ensureKeyPair(t, main, "ops")
	ensureKeyPair(t, stuck, "ops")
	addFault(t, map[string]any{"account": stuck.AccountID, "service": "ec2", "action": "DeleteVpc", "nth": 0, "kind": "server-error"})
	// A VPC of the wizard's account, for static placement's pickers.
	static := newWebNetwork(t, main, "web-static")

	ctx, cancel := context.WithTimeout(context.Background(), webTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(nodeBin, "node"), "tests/console.mjs")
	cmd.Dir = web
	cmd.Env = append(os.Environ(),
		"PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CF_BASE_URL="+base,
		"CF_ADMIN_URL="+cloud.Contract.Admin,
		"CF_CUSTOMER_ACCESS_KEY_ID="+main.AccessKeyID,
		"CF_CUSTOMER_SECRET_ACCESS_KEY="+main.SecretAccessKey,
		"CF_STUCK_ACCESS_KEY_ID="+stuck.AccessKeyID,
		"CF_STUCK_SECRET_ACCESS_KEY="+stuck.SecretAccessKey,
		"CF_SSH_KEY=ops",
		"CF_STATIC_VPC_ID="+static.VPCID,
		"CF_STATIC_CLUSTER=web-static",
		"CF_STATIC_PRIVATE_SUBNETS="+strings.Join(static.Private, ","),
		"CF_STATIC_PUBLIC_SUBNETS="+strings.Join(static.Public, ","),
		fmt.Sprintf("CF_TENANT=web%d-%d", time.Now().UnixNano()%1e6, tenantSeq.Add(1)),
		"CF_FAILURE_DIR="+t.TempDir(),
		"CHROMIUM="+chromium,
	)
	// Kill the browser with the script when the context ends.
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("console.mjs against %s in %s:\n%s", base, time.Since(start).Round(time.Millisecond), out.String())
	if err != nil {
		t.Fatalf("the browser flows failed: %v", err)
	}
}

// webPrepare installs the console's packages and builds it when the build
// is missing or older than its sources, so the browser tests what is in
// the tree.
func webPrepare(t *testing.T, web, nodeBin string) {
	t.Helper()
	run := func(args ...string) {
		// The node@22 package ships node only: npm is the machine's, run
		// on Node 22 by putting it first on PATH (as make web does).
		cmd := exec.Command("npm", args...)
		cmd.Dir = web
		cmd.Env = append(os.Environ(), "PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm %s in web/: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		run("ci", "--no-audit", "--no-fund")
	}
	built, err := os.Stat(filepath.Join(web, "dist", "index.html"))
	if err != nil || newestUnder(t, filepath.Join(web, "src")).After(built.ModTime()) {
		run("run", "build")
	}
}

func newestUnder(t *testing.T, dir string) time.Time {
	t.Helper()
	var newest time.Time
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	return newest
}

// webConsoleURL is the local API gateway when it serves the console at /
// (the launcher's --web flag); otherwise a same-origin stand-in serving
// dist and passing /v1 to the gateway, so the browser still talks to the
// public API only.
func webConsoleURL(t *testing.T, dist string) string {
	t.Helper()
	resp, err := http.Get(cloud.API + "/")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("<title>ClusterForge console</title>")) {
			return cloud.API
		}
	}
	api, err := url.Parse(cloud.API)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the local API gateway does not serve the console at /; serving %s next to it", dist)
	proxy := httputil.NewSingleHostReverseProxy(api)
	files := http.FileServer(http.Dir(dist))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			proxy.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
