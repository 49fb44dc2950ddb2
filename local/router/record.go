package router

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// maxErrorCapture bounds how much of an error body is kept to find its code.
const maxErrorCapture = 16 << 10

// recordingWriter remembers the status and error code of an answer for
// call accounting, whoever wrote it (router, kumo, project emulators).
type recordingWriter struct {
	recorded bool // the call is in the call log already
	http.ResponseWriter
	status    int
	errorBody bytes.Buffer
	forced    string // error code set by the router itself (dropped answers)
}

func newRecordingWriter(w http.ResponseWriter) *recordingWriter {
	return &recordingWriter{ResponseWriter: w}
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 400 && w.errorBody.Len() < maxErrorCapture {
		w.errorBody.Write(b[:min(len(b), maxErrorCapture-w.errorBody.Len())])
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush).
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dropped notes that the backend answered status but the client got nothing.
func (w *recordingWriter) dropped(status int, code string) {
	w.status, w.forced = status, code
}

// Status is the HTTP status written (200 if only a body was).
func (w *recordingWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// ErrorCode is the AWS error code of an error answer, "" for success.
func (w *recordingWriter) ErrorCode() string {
	if w.forced != "" {
		return w.forced
	}
	if w.Status() < 400 {
		return ""
	}
	if t := w.Header().Get("X-Amzn-ErrorType"); t != "" {
		return cleanErrorType(t)
	}
	body := w.errorBody.Bytes()
	if code := awsproto.XMLText(body, "Code"); code != "" {
		return code
	}
	var j struct {
		Type string `json:"__type"`
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &j) == nil {
		if j.Type != "" {
			return cleanErrorType(j.Type)
		}
		return j.Code
	}
	return ""
}

// cleanErrorType strips the namespace ("com.amazonaws…#Code") and the
// detail suffix ("Code:http://…") AWS JSON services add to error types.
func cleanErrorType(t string) string {
	if i := strings.LastIndex(t, "#"); i >= 0 {
		t = t[i+1:]
	}
	if i := strings.Index(t, ":"); i >= 0 {
		t = t[:i]
	}
	return t
}
