package commands

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const cluID = "clu-01jh3k4m5n6p7q8r9s0t1v2w3x"

// fakeAPI answers the few routes these tests drive; create --watch sees
// Provisioning, then Running.
func fakeAPI(t *testing.T) *httptest.Server {
	var polls atomic.Int32
	at := time.Now().Add(12*time.Minute + 31*time.Second).UTC().Format(time.RFC3339)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/clusters", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":%q,"name":"dev","status":"Provisioning","progress":0,"tasks":[{"name":"vpc","state":"Pending"}]}`, cluID)
	})
	mux.HandleFunc("GET /v1/clusters/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != cluID {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"not_found","message":"cluster not found"}}`)
			return
		}
		state, status, progress := "Running", "Provisioning", 0
		if polls.Add(1) > 1 {
			state, status, progress = "Succeeded", "Running", 100
		}
		fmt.Fprintf(w, `{"id":%q,"name":"dev","status":%q,"progress":%d,"region":"eu-west-1","extra":1,
			"tasks":[{"name":"vpc","state":%q,"message":"VPC vpc-1"}]}`, cluID, status, progress, state)
	})
	mux.HandleFunc("POST /v1/clusters/{id}/forcedelete", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, `{"error":{"code":"ForceDeleteNotAvailable","message":"force delete becomes available at %s","availableAt":%q}}`, at, at)
	})
	mux.HandleFunc("/v1/clusters/{id}/nodepools", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMethodNotAllowed)
		fmt.Fprint(w, `{"error":{"code":"method_not_allowed","message":"GET is not allowed"}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func forge(t *testing.T, srv *httptest.Server, stdin string, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no real config
	var out, errOut bytes.Buffer
	env := map[string]string{"FORGE_ENDPOINT": srv.URL, "FORGE_TOKEN": "tok"}
	code := Execute(args, IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut, Getenv: func(k string) string { return env[k] }})
	return out.String(), errOut.String(), code
}

func TestOutputFormats(t *testing.T) {
	srv := fakeAPI(t)
	out, _, code := forge(t, srv, "", "clusters", "get", cluID, "-o", "json")
	if code != 0 || !strings.Contains(out, `"extra": 1`) {
		t.Errorf("-o json: %d %s (the API's fields must all be there)", code, out)
	}
	out, _, _ = forge(t, srv, "", "clusters", "get", cluID, "-o", "yaml")
	if !strings.Contains(out, "status: Provisioning\n") && !strings.Contains(out, "status: Running\n") {
		t.Errorf("-o yaml: %s", out)
	}
	out, _, _ = forge(t, srv, "", "clusters", "get", cluID)
	if !regexp.MustCompile(`(?m)^status:\s+\w+$`).MatchString(out) || !regexp.MustCompile(`(?m)^TASK\s+STATE`).MatchString(out) {
		t.Errorf("table: %s", out)
	}
}

func TestExitCodes(t *testing.T) {
	srv := fakeAPI(t)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"clusters", "get", "clu-00000000000000000000000000"}, 3, "error: cluster not found\n"},
		{[]string{"clusters", "force-delete", cluID}, 4, "error: force delete becomes available at "},
		{[]string{"nodepools", "list", cluID}, 6, "does not offer node pool operations yet"},
		{[]string{"clusters", "get"}, 64, "accepts 1 arg(s)"},
		{[]string{"clusters", "delete", cluID, "--wtach"}, 64, "unknown flag: --wtach"},
		{[]string{"clusters", "create", "-f", "/nope.yaml"}, 2, "no such file"},
	}
	for _, c := range cases {
		_, errOut, code := forge(t, srv, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("forge %s: exit %d %q; want %d %q", strings.Join(c.args, " "), code, errOut, c.code, c.msg)
		}
	}
}

func TestForceDeleteSaysWhen(t *testing.T) {
	_, errOut, _ := forge(t, fakeAPI(t), "", "clusters", "force-delete", cluID)
	if !regexp.MustCompile(`available at \d\d:\d\d:\d\d \(in 12m3[01]s\)`).MatchString(errOut) {
		t.Errorf("force-delete: %q", errOut)
	}
}

func TestCreateWatchPlain(t *testing.T) {
	out, errOut, code := forge(t, fakeAPI(t), "name: dev\n", "clusters", "create", "-f", "-", "--watch", "--poll-interval", "1ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "cluster dev Provisioning 0%") || !strings.Contains(out, "✓ vpc") || !strings.Contains(out, "is Running after") {
		t.Errorf("plain watch output:\n%s", out)
	}
}

// With -o json the progress goes to stderr and stdout is only the final
// object, so 'forge clusters create --watch -o json | jq' works.
func TestCreateWatchJSONKeepsStdoutClean(t *testing.T) {
	out, errOut, code := forge(t, fakeAPI(t), "name: dev\n", "clusters", "create", "-f", "-", "--watch", "--poll-interval", "1ms", "-o", "json")
	var c struct{ Status string }
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.Status != "Running" {
		t.Errorf("stdout %q (exit %d) is not the final cluster as JSON", out, code)
	}
	if !strings.Contains(errOut, "✓ vpc") || !strings.Contains(errOut, "is Running after") {
		t.Errorf("stderr misses the progress: %q", errOut)
	}
}

func TestWhenAvailable(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 29, 29, 0, time.Local)
	if got := whenAvailable(now.Add(12*time.Minute+31*time.Second), now); got != "at 10:42:00 (in 12m31s)" {
		t.Errorf("whenAvailable = %q", got)
	}
	if got := whenAvailable(now.Add(-time.Second), now); got != "at 10:29:28 (any moment now)" {
		t.Errorf("past: %q", got)
	}
	if got := whenAvailable(now.Add(24*time.Hour), now); !strings.HasPrefix(got, "at 2025-06-02 10:29:29") {
		t.Errorf("tomorrow: %q", got)
	}
}
