package apigw

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The console's build as Vite writes it: index.html plus hashed assets.
func writeConsole(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":         "<h1>console</h1>",
		"assets/app-1a2b.js": "console.log(1)",
		"favicon.svg":        "<svg/>",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestStaticSPAFallback(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.StaticDir = writeConsole(t) })
	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 200, "<h1>console</h1>"},
		{"GET", "/assets/app-1a2b.js", 200, "console.log(1)"},
		{"GET", "/favicon.svg", 200, "<svg/>"},
		// Client-side routes: deep links and reloads get the app.
		{"GET", "/clusters/c-123/nodes", 200, "<h1>console</h1>"},
		{"GET", "/login", 200, "<h1>console</h1>"},
		{"HEAD", "/clusters", 200, ""},
		// A directory without index.html is a route, never a listing.
		{"GET", "/assets", 200, "<h1>console</h1>"},
		// A missing asset is 404, not HTML with 200.
		{"GET", "/assets/gone-9z.js", 404, "404 page not found"},
		// Never outside the directory.
		{"GET", "/../../etc/passwd", 400, "invalid URL path"},
		{"POST", "/clusters", 405, "method not allowed"},
	} {
		rec := h.do(httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status || strings.TrimSpace(rec.Body.String()) != c.body {
			t.Errorf("%s %s = %d %q, want %d %q", c.method, c.path, rec.Code, rec.Body, c.status, c.body)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); csp != ConsoleCSP {
			t.Errorf("%s %s: CSP %q", c.method, c.path, csp)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: security headers missing: %v", c.method, c.path, rec.Header())
		}
	}
	if h.fake.count() != 0 {
		t.Error("a console request reached the Lambda")
	}
	// The API keeps /v1, including paths without a route.
	for _, p := range []string{"/v1/clusters", "/v1/nope"} {
		if rec := h.do(httptest.NewRequest("GET", p, nil)); rec.Code != 401 || rec.Header().Get("Content-Security-Policy") != "" {
			t.Errorf("GET %s = %d %v, want the API's 401", p, rec.Code, rec.Header())
		}
	}
}
