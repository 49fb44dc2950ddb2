package lambdarun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The runtime proxy serves the Lambda Runtime API to the processes at
//   /p/<fn>/<idx>/<gen>/2018-06-01/runtime/…
// and forwards to kumo's /_runtime/<fn>/2018-06-01/runtime/…, tracking
// which invocation each process holds. <gen> identifies one process start,
// so a late request from a dead process is recognised and refused.

const requestIDHeader = "Lambda-Runtime-Aws-Request-Id"

// nextFetch is one upstream long poll of kumo's invocation/next.
type nextFetch struct {
	done   chan struct{}
	status int
	header http.Header
	body   []byte
	err    error
}

func (r *Runner) serveRuntime(w http.ResponseWriter, req *http.Request) {
	s, gen, rest, ok := r.route(req.URL.Path)
	if !ok {
		runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown runtime path "+req.URL.Path)
		return
	}
	switch {
	case req.Method == http.MethodGet && rest == "runtime/invocation/next":
		s.serveNext(w, req, gen)
	case req.Method == http.MethodPost && strings.HasPrefix(rest, "runtime/invocation/"):
		s.serveResult(w, req, gen, rest)
	case req.Method == http.MethodPost && rest == "runtime/init/error":
		s.forward(w, req, rest, nil)
	default:
		runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown runtime path "+req.URL.Path)
	}
}

// route splits /p/<fn>/<idx>/<gen>/2018-06-01/<rest>.
func (r *Runner) route(path string) (s *slot, gen int, rest string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 6)
	if len(parts) != 6 || parts[0] != "p" || parts[4] != "2018-06-01" {
		return nil, 0, "", false
	}
	idx, err1 := strconv.Atoi(parts[2])
	gen, err2 := strconv.Atoi(parts[3])
	s, found := r.slots[AppID(parts[1], idx)]
	if err1 != nil || err2 != nil || !found {
		return nil, 0, "", false
	}
	return s, gen, parts[5], true
}

// serveNext hands the process the next invocation of its function.
func (s *slot) serveNext(w http.ResponseWriter, req *http.Request, gen int) {
	for {
		s.mu.Lock()
		p := s.currentLocked(gen)
		if p == nil {
			s.mu.Unlock()
			runtimeError(w, http.StatusGone, "StaleProcess", "this process has been replaced")
			return
		}
		s.polledLocked(p)
		if s.fetch == nil {
			s.fetch = &nextFetch{done: make(chan struct{})}
			go s.r.fetchNext(s.fn.Name, s.fetch)
		}
		f := s.fetch
		s.mu.Unlock()

		select {
		case <-f.done:
		case <-req.Context().Done():
			return // the fetch stays with the slot for the next process
		}

		s.mu.Lock()
		if s.fetch != f {
			s.mu.Unlock()
			continue
		}
		if s.currentLocked(gen) == nil {
			// Died while polling: keep the invocation for the restart.
			s.mu.Unlock()
			return
		}
		s.fetch = nil
		if f.err == nil && f.status == http.StatusOK {
			s.inflight = f.header.Get(requestIDHeader)
		}
		s.mu.Unlock()
		writeFetched(w, f)
		return
	}
}

func (r *Runner) fetchNext(fn string, f *nextFetch) {
	defer close(f.done)
	url := fmt.Sprintf("%s/_runtime/%s/2018-06-01/runtime/invocation/next", r.opts.RuntimeURL, fn)
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, url, nil)
	if err != nil {
		f.err = fmt.Errorf("build next request: %w", err)
		return
	}
	resp, err := r.client.Do(req)
	if err != nil {
		f.err = fmt.Errorf("get %s: %w", url, err)
		return
	}
	defer resp.Body.Close()
	f.body, f.err = io.ReadAll(resp.Body)
	f.status, f.header = resp.StatusCode, resp.Header
}

func writeFetched(w http.ResponseWriter, f *nextFetch) {
	if f.err != nil {
		runtimeError(w, http.StatusBadGateway, "ServiceException", f.err.Error())
		return
	}
	for k, vs := range f.header {
		if strings.HasPrefix(k, "Lambda-Runtime-") || k == "Content-Type" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(f.status)
	_, _ = w.Write(f.body)
}

// serveResult forwards a process's response or error for its invocation.
// Only the holder of the invocation may answer it, and only once: the exit
// handler may have answered it already with Runtime.ExitError.
func (s *slot) serveResult(w http.ResponseWriter, req *http.Request, gen int, rest string) {
	parts := strings.Split(rest, "/") // runtime invocation <id> response|error
	if len(parts) != 4 || (parts[3] != "response" && parts[3] != "error") {
		runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown runtime path "+rest)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", "reading body: "+err.Error())
		return
	}
	s.mu.Lock()
	claimed := s.currentLocked(gen) != nil && s.inflight == parts[2]
	if claimed {
		s.inflight = ""
	}
	s.mu.Unlock()
	if !claimed {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "invocation "+parts[2]+" is not held by this process")
		return
	}
	s.forward(w, req, rest, body)
}

// forward relays a POST to kumo. body is the already-read request body, or
// nil to stream it.
func (s *slot) forward(w http.ResponseWriter, req *http.Request, rest string, body []byte) {
	var rd io.Reader = req.Body
	if body != nil {
		rd = bytes.NewReader(body)
	}
	url := fmt.Sprintf("%s/_runtime/%s/2018-06-01/%s", s.r.opts.RuntimeURL, s.fn.Name, rest)
	// The runner's context, not the request's: an answer the process has
	// sent must reach the caller even if the process dies right after.
	out, err := http.NewRequestWithContext(s.r.ctx, http.MethodPost, url, rd)
	if err != nil {
		runtimeError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	for k, vs := range req.Header {
		if strings.HasPrefix(k, "Lambda-Runtime-") || k == "Content-Type" {
			out.Header[k] = vs
		}
	}
	resp, err := s.r.client.Do(out)
	if err != nil {
		runtimeError(w, http.StatusBadGateway, "ServiceException", err.Error())
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func runtimeError(w http.ResponseWriter, status int, errorType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": msg})
}
