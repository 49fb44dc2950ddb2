// Package config keeps where the API is and who the user is between
// invocations, and decides which source wins: flag > env > file.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// Settings is what a command needs to reach the API.
type Settings struct {
	Endpoint string `json:"endpoint,omitempty"`
	Token    string `json:"token,omitempty"`
}

// Environment variables that override the file.
const (
	EnvEndpoint = "FORGE_ENDPOINT"
	EnvToken    = "FORGE_TOKEN"
)

// Path is os.UserConfigDir()/clusterforge/config.yaml.
func Path() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config dir: %w", err)
	}
	return filepath.Join(dir, "clusterforge", "config.yaml"), nil
}

// Load reads the file at path; a missing file is empty settings, since a
// user may rely on flags or env alone.
func Load(path string) (Settings, error) {
	var s Settings
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read %s: %w", path, err)
	}
	if err := yaml.UnmarshalStrict(raw, &s); err != nil {
		return s, fmt.Errorf("parse %s: %w", path, err)
	}
	return s, nil
}

// Save writes s to path with mode 0600 in a 0700 directory: the file holds
// a bearer token. It writes a temp file and renames it, so a crash never
// leaves a half-written config and the token is never briefly world-readable.
func Save(path string, s Settings) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// MkdirAll leaves an existing dir's mode alone; the dir is ours.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict %s: %w", dir, err)
	}
	raw, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("create temp config in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("restrict %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

// Resolve merges the sources field by field, highest first: a flag beats
// the environment, which beats the file. Field by field, so FORGE_TOKEN
// can switch identity while the endpoint still comes from the file.
func Resolve(flags Settings, getenv func(string) string, file Settings) Settings {
	return Settings{
		Endpoint: first(flags.Endpoint, getenv(EnvEndpoint), file.Endpoint),
		Token:    first(flags.Token, getenv(EnvToken), file.Token),
	}
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
