package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolvePrecedence(t *testing.T) {
	file := Settings{Endpoint: "https://file", Token: "file-token"}
	env := map[string]string{EnvEndpoint: "https://env", EnvToken: "env-token"}
	getenv := func(k string) string { return env[k] }
	none := func(string) string { return "" }

	cases := []struct {
		name   string
		flags  Settings
		getenv func(string) string
		want   Settings
	}{
		{"file only", Settings{}, none, file},
		{"env beats file", Settings{}, getenv, Settings{"https://env", "env-token"}},
		{"flag beats env", Settings{Endpoint: "https://flag", Token: "flag-token"}, getenv, Settings{"https://flag", "flag-token"}},
		{"per field", Settings{Token: "flag-token"}, func(k string) string {
			if k == EnvEndpoint {
				return "https://env"
			}
			return ""
		}, Settings{"https://env", "flag-token"}},
	}
	for _, c := range cases {
		if got := Resolve(c.flags, c.getenv, file); got != c.want {
			t.Errorf("%s: Resolve = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestSaveModesAndRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clusterforge")
	// An existing, too-open dir gets tightened too.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	want := Settings{Endpoint: "https://api.example", Token: "secret"}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v, want 0700", di.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
	}
	// Overwriting keeps the mode (no window with a wider one).
	if err := Save(path, Settings{Endpoint: "https://other"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after overwrite = %v", fi.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".config-*")); len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
}

func TestLoadMissingAndBroken(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(filepath.Join(dir, "nope.yaml")); err != nil || s != (Settings{}) {
		t.Errorf("missing file: %+v, %v", s, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("endpoint: [1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil {
		t.Error("broken file loaded without error")
	}
}

func TestPathUnderUserConfigDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	t.Setenv("HOME", "/tmp/home-test")
	p, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := os.UserConfigDir()
	if p != filepath.Join(base, "clusterforge", "config.yaml") {
		t.Errorf("Path = %s", p)
	}
}
