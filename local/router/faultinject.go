package router

import (
	"net/http"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/faults"
)

// injectFault answers a call selected by a fault rule. Error kinds answer
// at once; lost-response and crash-after-call first let the call take
// effect, then drop the connection without answering.
func (rt *Router) injectFault(w *recordingWriter, req *request, rule faults.Rule) {
	if !rule.Kind.Forwards() {
		awsproto.WriteError(w, req.call, rule.Kind.Error(req.call.Protocol, req.form.Get("InstanceType")))
		return
	}
	sink := newRecordingWriter(discardWriter{header: http.Header{}})
	rt.dispatch(sink, req)
	if rule.Kind == faults.CrashAfterCall && rt.cfg.OnCrash != nil {
		rt.cfg.OnCrash(AppID(req.http.Header.Get("User-Agent")))
	}
	w.dropped(sink.Status(), "fault/"+string(rule.Kind))
	// Record before the client sees the dropped connection, so whoever
	// reacts to the error already finds the call in the log.
	rt.record(req, w)
	closeWithoutAnswer(w)
}

// closeWithoutAnswer closes the client connection so the client sees a
// transport error, not an AWS answer.
func closeWithoutAnswer(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// discardWriter swallows the answer of a call whose response is "lost".
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
