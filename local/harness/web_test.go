package harness

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The local cloud gets --web for an explicit dir, for <root>/web/dist once
// `make web` has built it, and never for NoWeb.
func TestWebArgs(t *testing.T) {
	root := t.TempDir()
	dist := filepath.Join(root, "web", "dist")
	if got := webArgs(root, ""); got != nil {
		t.Errorf("no build: %v, want no flag", got)
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := webArgs(root, ""); got != nil {
		t.Errorf("empty dist (build failed half-way): %v, want no flag", got)
	}
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<html></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir  string
		want []string
	}{
		{"", []string{"--web", dist}},
		{"/elsewhere/dist", []string{"--web", "/elsewhere/dist"}},
		{NoWeb, nil},
	} {
		if got := webArgs(root, c.dir); !slices.Equal(got, c.want) {
			t.Errorf("webArgs(%q) = %v, want %v", c.dir, got, c.want)
		}
	}
}
