// Package spec turns what a user types (a YAML or JSON file, or flag
// shortcuts) into the JSON request bodies the API takes.
package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

// Load reads a request body from path ("-" is stdin) as YAML or JSON
// (JSON is YAML, so one parser takes both) and returns it as a JSON
// object. It checks the shape only; the API validates the content and
// names the bad field, so the rules live in one place.
func Load(path string, stdin io.Reader) (map[string]any, error) {
	raw, name, err := read(path, stdin)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%s is empty", name)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid YAML or JSON: %w", name, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(js, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%s must hold one object (a mapping of fields), not %s", name, kind(js))
	}
	return obj, nil
}

func read(path string, stdin io.Reader) ([]byte, string, error) {
	if path == "-" {
		raw, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "stdin", fmt.Errorf("read stdin: %w", err)
		}
		return raw, "stdin", nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("read spec: %w", err)
	}
	return raw, path, nil
}

// kind names what a non-object document holds, for the error message.
func kind(js []byte) string {
	var v any
	_ = json.Unmarshal(js, &v)
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "nothing"
}
