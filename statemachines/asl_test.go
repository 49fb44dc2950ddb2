// Package statemachines holds the Amazon States Language definitions of the
// cluster workflows; this test checks them with the interpreter the local
// cloud runs them on.
package statemachines

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/local/launcher"
)

// placeholder is a Task Resource the CDK app (DefinitionSubstitutions) and
// the local cloud replace with a Lambda ARN.
var placeholder = regexp.MustCompile(`\$\{(\w+)FunctionArn\}`)

// anyPlaceholder catches substitutions nobody would fill in.
var anyPlaceholder = regexp.MustCompile(`\$\{[^}]*\}`)

// validateScript constructs the interpreter's StateMachine, which runs its
// validator (asl-validator: schema, JSONPaths, transitions, ARNs) exactly as
// local/sfn's CreateStateMachine does. The definition comes on stdin.
const validateScript = `
const { StateMachine } = require('aws-local-stepfunctions');
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { text += d; });
process.stdin.on('end', () => {
  try {
    new StateMachine(JSON.parse(text));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
});
`

// sfnDir is local/sfn, where make node installs Node 22 and the interpreter.
func sfnDir(t *testing.T) (dir, node string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "local", "sfn"))
	if err != nil {
		t.Fatal(err)
	}
	node = filepath.Join(dir, "node_modules", "node", "bin", "node")
	for _, p := range []string{node, filepath.Join(dir, "node_modules", "aws-local-stepfunctions", "package.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: run `make node` (make test installs it) — %v", p, err)
		}
	}
	return dir, node
}

func definitions(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *.asl.json in statemachines/")
	}
	sort.Strings(files)
	return files
}

// substitute fills the placeholders the way local/launcher's definition
// does, so what is validated is what the local cloud and AWS receive.
func substitute(asl string) string {
	return placeholder.ReplaceAllStringFunc(asl, func(m string) string {
		name := launcher.FunctionName(placeholder.FindStringSubmatch(m)[1])
		return fmt.Sprintf("arn:aws:lambda:us-east-1:111111111111:function:%s", name)
	})
}

// TestDefinitionsAreValidASL runs every definition through the real
// interpreter's validator.
func TestDefinitionsAreValidASL(t *testing.T) {
	dir, node := sfnDir(t)
	for _, f := range definitions(t) {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			def := substitute(string(raw))
			if left := anyPlaceholder.FindAllString(def, -1); len(left) > 0 {
				t.Errorf("placeholders nothing substitutes: %v", left)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "-e", validateScript)
			cmd.Dir = dir // require() resolves from local/sfn/node_modules
			cmd.Stdin = strings.NewReader(def)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("aws-local-stepfunctions rejects %s (%v):\n%s", f, err, stderr.String())
			}
		})
	}
}

// TestTaskFunctionsExist: every Lambda a definition invokes has its
// functions/<name> directory, so `make build` builds it and the local cloud
// and the CDK app deploy it.
func TestTaskFunctionsExist(t *testing.T) {
	missing := map[string][]string{} // function → definitions using it
	for _, f := range definitions(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range placeholder.FindAllStringSubmatch(string(raw), -1) {
			name := launcher.FunctionName(m[1])
			if st, err := os.Stat(filepath.Join("..", "functions", name)); err != nil || !st.IsDir() {
				if !slices.Contains(missing[name], f) {
					missing[name] = append(missing[name], f)
				}
			}
		}
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, fmt.Sprintf("functions/%s (used by %s)", n, strings.Join(missing[n], ", ")))
		}
		sort.Strings(names)
		t.Errorf("Task Resources name functions that do not exist:\n  %s", strings.Join(names, "\n  "))
	}
}
