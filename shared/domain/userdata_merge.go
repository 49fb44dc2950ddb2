package domain

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// MergeLayerValues merges each packOverrides entry over the values of the
// layer with that name and returns the layers with their effective values.
// An override for a layer the profile doesn't have is an error on
// packOverrides.<name>: silently ignoring it would hide a typo.
func MergeLayerValues(layers []Layer, overrides map[string]string) ([]Layer, error) {
	var v ValidationErrors
	out := make([]Layer, len(layers))
	known := map[string]bool{}
	for i, l := range layers {
		known[l.Name] = true
		out[i] = l
		over, ok := overrides[l.Name]
		if !ok {
			continue
		}
		merged, err := MergeYAML(l.Values, over)
		if err != nil {
			v.Add(fieldKey("packOverrides", l.Name), "%v", err)
			continue
		}
		out[i].Values = merged
	}
	for _, name := range sortedKeys(overrides) {
		if !known[name] {
			v.Add(fieldKey("packOverrides", name), "the cluster profile has no layer named %q", name)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// MergeYAML deep-merges override over base, both YAML mappings: mappings
// merge key by key, anything else (scalars, lists) in override replaces what
// base had, and an explicit null in override removes the key, as Helm does.
// The result is canonical YAML (sorted keys), so the same input always
// renders the same user data and an unchanged node is not replaced.
func MergeYAML(base, override string) (string, error) {
	b, err := parseMapping(base)
	if err != nil {
		return "", fmt.Errorf("layer values: %w", err)
	}
	o, err := parseMapping(override)
	if err != nil {
		return "", fmt.Errorf("override: %w", err)
	}
	return marshalYAML(mergeMaps(b, o))
}

func parseMapping(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("not a YAML mapping: %w", err)
	}
	return m, nil
}

func mergeMaps(base, override map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, ov := range override {
		if ov == nil {
			delete(out, k)
			continue
		}
		bm, baseIsMap := out[k].(map[string]any)
		om, overIsMap := ov.(map[string]any)
		if baseIsMap && overIsMap {
			out[k] = mergeMaps(bm, om)
		} else {
			out[k] = ov
		}
	}
	return out
}

func marshalYAML(v any) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("encode YAML: %w", err)
	}
	return buf.String(), nil
}
