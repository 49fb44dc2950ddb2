package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/clusterforge/clusterforge/local/harness"
)

// The forge CLI's end-to-end tests: the real binary, built here, against
// the package's local cloud, as a platform engineer would script it.

// forgeCLI is the built binary with the environment of one user.
type forgeCLI struct {
	bin string
	env []string
}

// forgeRun is one invocation's outcome.
type forgeRun struct {
	stdout, stderr string
	code           int
}

// newForge builds cmd/forge into a temp dir and sets up a user with its
// own config dir (so nothing on the machine leaks in) and token.
func newForge(t *testing.T, token string) *forgeCLI {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "forge")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/clusterforge/clusterforge/cmd/forge").CombinedOutput()
	if err != nil {
		t.Fatalf("build forge: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"FORGE_ENDPOINT="+cloud.API, "FORGE_TOKEN="+token)
	return &forgeCLI{bin: bin, env: env}
}

func (f *forgeCLI) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, f.bin, args...)
	cmd.Env = f.env
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// run executes forge with stdin and returns what it printed and its exit
// status; stdout is a pipe, so a --watch prints plain change lines.
func (f *forgeCLI) run(t *testing.T, stdin string, args ...string) forgeRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := f.command(ctx, stdin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := forgeRun{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("forge %s: %v", strings.Join(args, " "), err)
	}
	t.Logf("forge %s → %d\n%s%s", redactArgs(args), r.code, r.stdout, r.stderr)
	return r
}

// redactArgs is args for the log, without the value of --token.
func redactArgs(args []string) string {
	out := append([]string(nil), args...)
	for i := 1; i < len(out); i++ {
		if out[i-1] == "--token" {
			out[i] = "<token>"
		}
	}
	return strings.Join(out, " ")
}

// want fails the test unless r exited with code and stderr says msg.
func (r forgeRun) want(t *testing.T, code int, msg string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, msg) {
		t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, code, msg)
	}
}

// smallCluster is the small cluster: one AZ, one control-plane
// node, one worker, a single NAT gateway.
func smallCluster(name string, e *tenantEnv) map[string]any {
	return map[string]any{
		"name": name, "cloudAccountId": e.accountID, "profileId": e.profileID,
		"region": harness.ExampleRegion, "sshKeyName": "ops",
		"placement": map[string]any{"type": "dynamic", "azs": []string{"eu-west-1a"}, "natGateways": "single"},
		"bastion":   map[string]any{"enabled": true, "allowedCidrs": []string{"203.0.113.0/24"}},
		"nodePools": []map[string]any{
			{"name": "control-plane", "controlPlane": true, "size": 1, "instanceType": "m5.large"},
			{"name": "workers", "size": 1, "instanceType": "m5.large",
				"taints": []map[string]string{{"key": "dedicated", "value": "web", "effect": "NoSchedule"}}},
		},
	}
}

func writeYAML(t *testing.T, v any) string {
	t.Helper()
	raw, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestForgeClusterLifecycle: create --watch to Running with the flag
// shortcuts (account and profile by name), read it back as JSON, delete
// --watch to Deleted, and ask for force delete while the deletion runs.
func TestForgeClusterLifecycle(t *testing.T) {
	e := newTenant(t, harness.CustomerAccount{})
	forge := newForge(t, e.api.token)

	created := forge.run(t, "", "clusters", "create", "--name", "forge-a", "--account", "main", "--profile", "k8s131",
		"--region", harness.ExampleRegion, "--azs", "eu-west-1a", "--workers", "1", "--instance-type", "m5.large",
		"--ssh-key", "ops", "--nat-gateways", "single", "--bastion-cidr", "203.0.113.0/24",
		"--watch", "--poll-interval", "200ms")
	if created.code != 0 || !strings.Contains(created.stdout, "is Running after") {
		t.Fatalf("create --watch: exit %d\n%s%s", created.code, created.stdout, created.stderr)
	}
	// Plain mode (stdout is a pipe): each task's final line exactly once,
	// no cursor movement.
	for _, task := range []string{"vpc", "natGateways", "nodePool:workers", "controlPlaneTargets"} {
		if n := strings.Count(created.stdout, "✓ "+task+" "); n != 1 {
			t.Errorf("task %s finished %d times in the plain output, want 1", task, n)
		}
	}
	if strings.Contains(created.stdout, "\x1b[") {
		t.Error("plain output has terminal escapes")
	}

	got := forge.run(t, "", "clusters", "get", "forge-a", "-o", "json")
	var c clusterView
	if err := json.Unmarshal([]byte(got.stdout), &c); err != nil || got.code != 0 {
		t.Fatalf("get -o json: exit %d, %v: %s", got.code, err, got.stdout)
	}
	if c.Status != "Running" || c.Progress != 100 || c.Name != "forge-a" || len(c.NodePools) != 2 {
		t.Errorf("get -o json: %s %d%% %s, %d pools", c.Status, c.Progress, c.Name, len(c.NodePools))
	}
	for _, task := range c.Tasks {
		if task.State != "Succeeded" && task.State != "Skipped" {
			t.Errorf("task %s is %s", task.Name, task.State)
		}
	}
	if api := e.get(t, c.ID); api.Version != c.Version || api.Status != c.Status {
		t.Errorf("forge says %s v%d, the API %s v%d", c.Status, c.Version, api.Status, api.Version)
	}
	if y := forge.run(t, "", "clusters", "get", c.ID, "-o", "yaml"); !strings.Contains(y.stdout, "status: Running\n") {
		t.Errorf("get -o yaml misses the status")
	}
	if l := forge.run(t, "", "clusters", "list"); !regexp.MustCompile(`forge-a\s+` + c.ID + `\s+Running\s+100%`).MatchString(l.stdout) {
		t.Errorf("list table misses the cluster")
	}
	// The same name again is a conflict.
	forge.run(t, "", "clusters", "create", "-f", writeYAML(t, smallCluster("forge-a", e))).want(t, 4, "error: name: ")

	// Node pools: the routes may not be served yet; either way it is clean.
	switch pools := forge.run(t, "", "nodepools", "list", "forge-a"); pools.code {
	case 0:
		if !strings.Contains(pools.stdout, "workers") {
			t.Errorf("nodepools list misses the workers pool")
		}
	default:
		pools.want(t, 6, "this server does not offer node pool operations yet")
	}

	// delete --watch runs in the background; force delete is asked while
	// the deletion is under way and must say when it unlocks.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	del := forge.command(ctx, "", "clusters", "delete", "forge-a", "--watch", "--poll-interval", "200ms")
	stdout, err := del.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var delErr bytes.Buffer
	del.Stderr = &delErr
	if err := del.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewReader(stdout)
	firstLine, err := lines.ReadString('\n')
	if err != nil || !strings.Contains(firstLine, "cluster forge-a Deleting") {
		t.Fatalf("delete --watch first line %q, %v; stderr %s", firstLine, err, delErr.String())
	}
	fd := forge.run(t, "", "clusters", "force-delete", c.ID)
	fd.want(t, 4, "force delete becomes available at ")
	if !regexp.MustCompile(`available at \d\d:\d\d:\d\d \(in (\d+h)?(\d+m)?\d+s\)`).MatchString(fd.stderr) {
		t.Errorf("force-delete message %q: want the local time and a countdown", fd.stderr)
	}
	rest, _ := io.ReadAll(lines)
	if err := del.Wait(); err != nil {
		t.Fatalf("delete --watch: %v\n%s%s%s", err, firstLine, rest, delErr.String())
	}
	if !strings.Contains(string(rest), "is Deleted after") {
		t.Errorf("delete --watch did not end Deleted:\n%s", rest)
	}
	if after := e.get(t, c.ID); after.Status != "Deleted" {
		t.Errorf("after delete --watch the API says %s", after.Status)
	}
}

// TestForgeBadInput: every way a user can get it wrong answers with a
// clear message and the exit code a script can branch on.
func TestForgeBadInput(t *testing.T) {
	e := newTenant(t, harness.CustomerAccount{})
	forge := newForge(t, e.api.token)

	// Usage errors (64): flags cobra rejects, missing shortcuts, -o.
	forge.run(t, "", "clusters", "create", "--workers", "three").want(t, 64, `invalid argument "three" for "--workers"`)
	forge.run(t, "", "clusters", "create", "--name", "x").want(t, 64, "missing --account, --profile, --region")
	forge.run(t, "", "clusters", "list", "-o", "xml").want(t, 64, "unknown output format")
	forge.run(t, "", "clusters", "frobnicate").want(t, 64, "unknown command")
	forge.run(t, "", "clusters", "create", "-f", "x.yaml", "--workers", "2").want(t, 64, "--workers cannot be combined with -f")

	// Bad files (2): missing, not YAML, not an object.
	forge.run(t, "", "clusters", "create", "-f", "/nonexistent/cluster.yaml").want(t, 2, "no such file")
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	os.WriteFile(broken, []byte("name: [forge-b\n"), 0o600)
	forge.run(t, "", "clusters", "create", "-f", broken).want(t, 2, "is not valid YAML or JSON")
	forge.run(t, "- a\n- b\n", "clusters", "create", "-f", "-").want(t, 2, "must hold one object")

	// The API's 400 (2) with its field path, read from stdin as JSON.
	bad := smallCluster("forge-b", e)
	bad["nodePools"].([]map[string]any)[1]["taints"] = []map[string]string{{"key": "k", "effect": "Sometimes"}}
	raw, _ := json.Marshal(bad)
	forge.run(t, string(raw), "clusters", "create", "-f", "-").want(t, 2, "error: nodePools[1].taints[0].effect: must be one of")

	// Not found (3), by id and by name.
	forge.run(t, "", "clusters", "get", "clu-00000000000000000000000000").want(t, 3, "error: ")
	forge.run(t, "", "clusters", "get", "no-such-cluster").want(t, 3, `no cluster named "no-such-cluster"`)

	// Auth (5): a forged token.
	bogus := &forgeCLI{bin: forge.bin, env: append(append([]string(nil), forge.env...), "FORGE_TOKEN=not-a-jwt")}
	bogus.run(t, "", "clusters", "list").want(t, 5, "error: ")

	// plan (dry run) of a valid file succeeds and creates nothing.
	plan := forge.run(t, "", "clusters", "plan", "-f", writeYAML(t, smallCluster("forge-c", e)))
	if plan.code != 0 || !strings.Contains(plan.stdout, "natgateway") {
		t.Errorf("plan: exit %d", plan.code)
	}
	if l := forge.run(t, "", "clusters", "list", "-o", "json"); strings.Contains(l.stdout, "forge-c") {
		t.Error("plan created the cluster")
	}
}

// TestForgeLogin: login stores endpoint and token (0600 in a 0700 dir),
// later commands use them, and a rejected token is never saved.
func TestForgeLogin(t *testing.T) {
	e := newTenant(t, harness.CustomerAccount{})
	forge := newForge(t, e.api.token)
	var home string
	var bare []string // the user's env without FORGE_*
	for _, kv := range forge.env {
		if strings.HasPrefix(kv, "FORGE_") {
			continue
		}
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			home = v
		}
		bare = append(bare, kv)
	}
	user := &forgeCLI{bin: forge.bin, env: bare}
	path := filepath.Join(home, "clusterforge", "config.yaml")

	user.run(t, "", "clusters", "list").want(t, 64, "no API endpoint")
	user.run(t, "", "login", "--endpoint", cloud.API, "--token", "not-a-jwt").want(t, 5, "nothing saved")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected token was saved: %v", err)
	}
	// The token on stdin, as from a password manager.
	if r := user.run(t, e.api.token+"\n", "login", "--endpoint", cloud.API); r.code != 0 {
		t.Fatalf("login: exit %d", r.code)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", p, fi.Mode().Perm(), err, want)
		}
	}
	if r := user.run(t, "", "cloudaccounts", "list"); r.code != 0 || !strings.Contains(r.stdout, e.accountID) {
		t.Errorf("list with the saved login: exit %d", r.code)
	}
	// The environment overrides the file: a bad FORGE_TOKEN is used (401).
	withEnv := &forgeCLI{bin: user.bin, env: append(append([]string(nil), bare...), "FORGE_TOKEN=not-a-jwt")}
	withEnv.run(t, "", "cloudaccounts", "list").want(t, 5, "error: ")
	// And the flag overrides the environment.
	if r := withEnv.run(t, "", "cloudaccounts", "list", "--token", e.api.token); r.code != 0 {
		t.Errorf("--token over FORGE_TOKEN: exit %d", r.code)
	}
}
