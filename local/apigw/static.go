package apigw

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
)

// ConsoleCSP is the Content-Security-Policy the console is served with,
// locally and by CloudFront (infra/web.go adds the API's own endpoint to
// connect-src): everything from the console's origin, the API under /v1 of
// the same origin, no framing, no plugins.
const ConsoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
	"frame-ancestors 'none'"

// consoleHeaders are CloudFront's response headers policy (infra/web.go),
// so a console that breaks the CSP fails in the browser tests, not first in
// the deployed distribution. HSTS is left out: the local gateway is http.
var consoleHeaders = map[string]string{
	"Content-Security-Policy": ConsoleCSP,
	"X-Frame-Options":         "DENY",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

// staticSite serves a single-page app's build the way the CloudFront
// distribution does: a path naming a file gets the file; a path whose last
// segment has no extension (a client-side route such as /clusters/c-1)
// gets index.html, so deep links and reloads work; a missing asset
// (/assets/x.js) stays 404 rather than answering HTML with 200. Directories
// are never listed (S3 has none to list).
type staticSite struct {
	dir   string
	files http.Handler
}

func newStaticSite(dir string) *staticSite {
	return &staticSite{dir: dir, files: http.FileServer(http.Dir(dir))}
}

func (s *staticSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range consoleHeaders {
		w.Header().Set(k, v)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	clean := path.Clean("/" + r.URL.Path)
	fi, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(clean)))
	switch {
	case err == nil && !fi.IsDir():
		s.files.ServeHTTP(w, r)
	case err == nil && s.hasIndex(clean):
		s.files.ServeHTTP(w, r)
	case path.Ext(clean) == "":
		// index.html itself, not via FileServer's /index.html → ./ redirect.
		http.ServeFile(w, r, filepath.Join(s.dir, "index.html"))
	default:
		http.NotFound(w, r)
	}
}

// hasIndex reports whether the directory at clean has an index.html,
// which FileServer serves instead of a listing.
func (s *staticSite) hasIndex(clean string) bool {
	fi, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(clean), "index.html"))
	return err == nil && !fi.IsDir()
}
