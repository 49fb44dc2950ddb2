package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clusterforge/clusterforge/local/harness"
)

// apiError is the API's error envelope.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// call sends one API request as the demo's user and decodes a 2xx answer
// into out; any other status becomes an error carrying the API's message.
func (d *demo) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := harness.Do(ctx, method, d.cloud.API+path, d.token, in, out)
	if err != nil {
		return err
	}
	if resp.Status >= 300 {
		var e apiError
		if json.Unmarshal(resp.Body, &e) == nil && e.Error.Message != "" {
			msg := fmt.Sprintf("%s %s: %d %s: %s", method, path, resp.Status, e.Error.Code, e.Error.Message)
			if e.Error.Field != "" {
				msg += " (field " + e.Error.Field + ")"
			}
			return fmt.Errorf("%s", msg)
		}
		return fmt.Errorf("%s %s: %d %s", method, path, resp.Status, strings.TrimSpace(string(resp.Body)))
	}
	return nil
}

// logTail renders the last n lines of each log file, so a failure shows
// why without a trip to the log directory.
func logTail(dir string, n int) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil || strings.TrimSpace(string(raw)) == "" {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		fmt.Fprintf(&b, "--- %s ---\n%s\n", f, strings.Join(lines, "\n"))
	}
	return b.String()
}
