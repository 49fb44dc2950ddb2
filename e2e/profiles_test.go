package e2e

import (
	"net/http"
	"testing"
)

// layer is a profile layer as the API takes and returns it.
type layer struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Values  string `json:"values,omitempty"`
}

type clusterProfile struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Cloud   string  `json:"cloud"`
	Layers  []layer `json:"layers"`
	Version int     `json:"version"`
}

// validLayers is the smallest complete stack: os, kubernetes and cni, with
// YAML values where packs take them.
func validLayers() []layer {
	return []layer{
		{Type: "os", Name: "ubuntu", Version: "24.04"},
		{Type: "kubernetes", Name: "kubernetes", Version: "1.31.4", Values: "podCIDR: 192.168.0.0/16\nserviceCIDR: 10.96.0.0/12\napiServer:\n  extraArgs:\n    audit-log-maxage: \"30\"\n"},
		{Type: "cni", Name: "cilium", Version: "1.16.1", Values: "ipam:\n  mode: kubernetes\n"},
	}
}

func profileBody(name string, layers []layer) map[string]any {
	return map[string]any{"name": name, "description": "e2e profile", "layers": layers}
}

// TestClusterProfiles: a profile round-trips with its layers and values;
// values that are not a YAML mapping are a 400 naming that layer's field.
func TestClusterProfiles(t *testing.T) {
	editor := as(t, "profiles", "p1", "project-editor")
	var p clusterProfile
	r := editor.must(t, http.StatusCreated, http.MethodPost, "/v1/clusterprofiles", profileBody("base", validLayers()), &p)
	if r.Header.Get("Location") != "/v1/clusterprofiles/"+p.ID {
		t.Errorf("Location = %q for %s", r.Header.Get("Location"), p.ID)
	}
	if p.Name != "base" || p.Cloud != "aws" || p.Version < 1 {
		t.Errorf("created profile %+v: want name base, cloud aws (the default), version ≥ 1", p)
	}
	assertLayers(t, "created", p.Layers, validLayers())

	var got clusterProfile
	editor.must(t, http.StatusOK, http.MethodGet, "/v1/clusterprofiles/"+p.ID, nil, &got)
	if got.ID != p.ID {
		t.Errorf("GET id %s, want %s", got.ID, p.ID)
	}
	assertLayers(t, "read back", got.Layers, validLayers())

	var list struct{ Items []clusterProfile }
	editor.must(t, http.StatusOK, http.MethodGet, "/v1/clusterprofiles", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Errorf("list = %+v, want only %s", list.Items, p.ID)
	}
	as(t, "profiles", "p1", "viewer").must(t, http.StatusOK, http.MethodGet, "/v1/clusterprofiles/"+p.ID, nil, nil)
	as(t, "profiles-other", "p1", "tenant-admin").must(t, http.StatusNotFound, http.MethodGet, "/v1/clusterprofiles/"+p.ID, nil, nil)

	bad := []struct{ name, values string }{
		{"unclosed flow sequence", "podCIDR: [192.168.0.0/16\n"},
		{"bad indentation", "apiServer:\n  a: 1\n b: 2\n"},
		{"a list, not a mapping", "- podCIDR\n- serviceCIDR\n"},
		{"two documents", "a: 1\n---\nb: 2\n"},
	}
	for _, tc := range bad {
		t.Run("invalid YAML: "+tc.name, func(t *testing.T) {
			layers := validLayers()
			layers[1].Values = tc.values
			r := editor.send(t, http.MethodPost, "/v1/clusterprofiles", profileBody("broken", layers))
			if r.Status != http.StatusBadRequest {
				t.Fatalf("POST = %d, want 400: %s", r.Status, r.Body)
			}
			if e := r.err(t).Error; e.Field == nil || *e.Field != "layers[1].values" {
				t.Errorf("error %s: want field layers[1].values", r.Body)
			}
		})
	}
	editor.must(t, http.StatusOK, http.MethodGet, "/v1/clusterprofiles", nil, &list)
	if len(list.Items) != 1 {
		t.Errorf("rejected profiles were stored: list has %d", len(list.Items))
	}
}

func assertLayers(t *testing.T, what string, got, want []layer) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d layers, want %d: %+v", what, len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: layer %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}
