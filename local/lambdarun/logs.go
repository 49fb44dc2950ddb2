package lambdarun

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// sink collects one function's log lines (all its processes, stdout and
// stderr) into <LogDir>/<fn>.log and the optional tee writer. Lines are
// prefixed with the process's app id, like CloudWatch's per-environment
// log streams.
type sink struct {
	mu   sync.Mutex
	file *os.File
	tee  io.Writer
}

func openSink(dir, fn string, tee io.Writer) (*sink, error) {
	s := &sink{tee: tee}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lambdarun: create log dir: %w", err)
	}
	path := filepath.Join(dir, fn+".log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lambdarun: open %s: %w", path, err)
	}
	s.file = f
	return s, nil
}

func (s *sink) line(appID string, text []byte) {
	var b bytes.Buffer
	b.Grow(len(appID) + len(text) + 4)
	b.WriteString("[" + appID + "] ")
	b.Write(text)
	b.WriteByte('\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		_, _ = s.file.Write(b.Bytes())
	}
	if s.tee != nil {
		_, _ = s.tee.Write(b.Bytes())
	}
}

// logf writes a runner message about a process into the function's log.
func (s *sink) logf(appID, format string, args ...any) {
	s.line(appID, []byte("lambdarun: "+fmt.Sprintf(format, args...)))
}

func (s *sink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		_ = s.file.Close()
		s.file = nil
	}
}

// lineWriter is one process stream's writer: os/exec copies the stream into
// it, and it passes complete lines to the sink.
func (s *sink) lineWriter(appID string) io.Writer {
	return &lineWriter{sink: s, appID: appID}
}

// maxLine splits a line without newline before it grows without bound.
const maxLine = 256 * 1024

type lineWriter struct {
	sink    *sink
	appID   string
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.sink.line(w.appID, bytes.TrimSuffix(w.partial[:i], []byte("\r")))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > maxLine {
		w.sink.line(w.appID, w.partial)
		w.partial = nil
	}
	// Compact so a long-lived stream does not pin an ever-growing array.
	w.partial = append([]byte(nil), w.partial...)
	return len(p), nil
}
