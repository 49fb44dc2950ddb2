package workflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var resourcePlaceholder = regexp.MustCompile(`^\$\{(\w+)FunctionArn\}$`)

// aslTask is one Task state: its function and action.
type aslTask struct{ file, state, function, action string }

// walkStates collects Task states, descending into Map and Parallel.
func walkStates(file string, states map[string]json.RawMessage, out *[]aslTask, t *testing.T) {
	for name, raw := range states {
		var s struct {
			Type          string
			Resource      string
			Parameters    map[string]any
			ItemProcessor *struct{ States map[string]json.RawMessage }
			Iterator      *struct{ States map[string]json.RawMessage }
			Branches      []struct{ States map[string]json.RawMessage }
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s %s: %v", file, name, err)
		}
		switch s.Type {
		case "Task":
			m := resourcePlaceholder.FindStringSubmatch(s.Resource)
			if m == nil {
				t.Errorf("%s %s: resource %q is not a ${NameFunctionArn} placeholder", file, name, s.Resource)
				continue
			}
			action, _ := s.Parameters["action"].(string)
			*out = append(*out, aslTask{file, name, strings.ToLower(m[1]), action})
		case "Map":
			if s.ItemProcessor != nil {
				walkStates(file, s.ItemProcessor.States, out, t)
			}
			if s.Iterator != nil {
				walkStates(file, s.Iterator.States, out, t)
			}
		case "Parallel":
			for _, b := range s.Branches {
				walkStates(file, b.States, out, t)
			}
		}
	}
}

// TestStateMachinesUseRegisteredActions: every Task names an action that
// exactly one function registers — the one its placeholder invokes — and
// that function has a functions/<name> directory.
func TestStateMachinesUseRegisteredActions(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no state machines found: %v", err)
	}
	var tasks []aslTask
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sm struct{ States map[string]json.RawMessage }
		if err := json.Unmarshal(raw, &sm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walkStates(filepath.Base(f), sm.States, &tasks, t)
	}
	used := map[string]bool{}
	for _, task := range tasks {
		where := task.file + " " + task.state
		if _, err := os.Stat(filepath.Join(root, "functions", task.function, "main.go")); err != nil {
			t.Errorf("%s: no functions/%s/main.go for its resource", where, task.function)
		}
		var owners []string
		for fn, table := range Functions {
			if _, ok := table[task.action]; ok {
				owners = append(owners, fn)
			}
		}
		switch {
		case task.action == "":
			t.Errorf("%s: no action parameter", where)
		case len(owners) != 1:
			t.Errorf("%s: action %q is registered by %v, want exactly one function", where, task.action, owners)
		case owners[0] != task.function:
			t.Errorf("%s: action %q is sent to %s but registered by %s", where, task.action, task.function, owners[0])
		}
		used[task.function+"/"+task.action] = true
	}
	// The other direction: an action no state machine calls is dead code
	// or a typo on one side.
	for fn, table := range Functions {
		for action := range table {
			if !used[fn+"/"+action] {
				t.Errorf("%s registers %q, which no state machine calls", fn, action)
			}
		}
	}
}

// TestSampleEvents: every events/task-*.json is an Input for a registered
// action.
func TestSampleEvents(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "task-*.json"))
	if len(files) == 0 {
		t.Fatal("no events/task-*.json")
	}
	seen := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var in Input
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if tableOf(in.Action) == nil || in.Cluster.ID == "" {
			t.Errorf("%s: action %q unregistered or no cluster", f, in.Action)
		}
		seen[in.Action] = true
	}
	for _, table := range Functions {
		for action := range table {
			if !seen[action] {
				t.Errorf("no sample event for %s", action)
			}
		}
	}
}

// aslState is the part of a state the structural checks read.
type aslState struct {
	Type          string
	ResultPath    *string
	Parameters    map[string]any
	Catch         []json.RawMessage
	Choices       []struct{ Variable string }
	ItemProcessor *struct{ States map[string]aslState }
	Branches      []struct{ States map[string]aslState }
}

// lifecycleEnds are the actions that end a workflow; a failure of theirs
// has nothing left to report to.
var lifecycleEnds = map[string]bool{"markRunning": true, "markFailed": true, "markDeleted": true,
	"markDeletionStuck": true, "markUpdateFailed": true}

// TestEveryTaskFailureIsCaught: a Task that fails after its retries must
// reach a Catch (its own or an enclosing Map's or Parallel's), or the
// cluster would stay Provisioning or Deleting with no failed task. And a
// wait loop's Choice must read the ResultPath a Task of its scope writes,
// or the loop would never end.
func TestEveryTaskFailureIsCaught(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "statemachines", "*.asl.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no state machines found: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sm struct{ States map[string]aslState }
		if err := json.Unmarshal(raw, &sm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkScope(t, filepath.Base(f), sm.States, false)
	}
}

func checkScope(t *testing.T, file string, states map[string]aslState, caught bool) {
	t.Helper()
	written := map[string]bool{}
	for _, s := range states {
		if s.Type == "Task" && s.ResultPath != nil {
			written[*s.ResultPath] = true
		}
	}
	for name, s := range states {
		switch s.Type {
		case "Task":
			action, _ := s.Parameters["action"].(string)
			if !caught && len(s.Catch) == 0 && !lifecycleEnds[action] {
				t.Errorf("%s %s (%s): no Catch here or around it", file, name, action)
			}
		case "Choice":
			for _, c := range s.Choices {
				if path, ok := strings.CutSuffix(c.Variable, ".ready"); ok && !written[path] {
					t.Errorf("%s %s reads %s, which no Task of its scope writes", file, name, c.Variable)
				}
			}
		case "Map":
			if s.ItemProcessor != nil {
				checkScope(t, file, s.ItemProcessor.States, caught || len(s.Catch) > 0)
			}
		case "Parallel":
			for _, b := range s.Branches {
				checkScope(t, file, b.States, caught || len(s.Catch) > 0)
			}
		}
	}
}
