// Package output prints API objects as a table (for people) or as the
// API's own JSON or YAML (for scripts and for kubectl-style diffing).
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"
)

// Format is the -o value.
type Format string

// The formats -o accepts.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
)

// ParseFormat checks an -o value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Table, JSON, YAML:
		return f, nil
	case "yml":
		return YAML, nil
	}
	return "", fmt.Errorf("unknown output format %q: want table, json or yaml", s)
}

// Print writes raw (the API's answer) in format; table builds the table
// view lazily because only the table format needs the typed decode.
func Print(w io.Writer, format Format, raw json.RawMessage, table func() (View, error)) error {
	switch format {
	case JSON:
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return fmt.Errorf("format JSON: %w", err)
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	case YAML:
		// JSONToYAML keeps the API's field names and order-independent
		// maps exactly; re-marshalling Go structs would drop unknown fields.
		out, err := yaml.JSONToYAML(raw)
		if err != nil {
			return fmt.Errorf("format YAML: %w", err)
		}
		_, err = w.Write(out)
		return err
	default:
		t, err := table()
		if err != nil {
			return err
		}
		return t.Write(w)
	}
}

// View is anything that renders itself for people: a table, or several.
type View interface {
	Write(w io.Writer) error
}

// Sections prints views one after another with a blank line between, for
// a describe-style view of one object (summary, tasks, node pools).
type Sections []View

func (s Sections) Write(w io.Writer) error {
	for i, v := range s {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if err := v.Write(w); err != nil {
			return err
		}
	}
	return nil
}

// Items wraps list items as the API's list envelope, so -o json of a list
// that took several pages reads like one page.
func Items(items []json.RawMessage) json.RawMessage {
	if items == nil {
		items = []json.RawMessage{}
	}
	raw, _ := json.Marshal(map[string]any{"items": items}) // RawMessages always marshal
	return raw
}
