package router

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// kumo hard-codes an account id into the ARNs it mints, and not the same
// one in every service. The router shows clients their real account id and
// gives kumo back the id it expects.
const (
	kumoDefaultAccount = "000000000000"
	kumoAltAccount     = "123456789012"
)

// kumoAccountFor is the account id kumo's implementation of service uses.
func kumoAccountFor(service string) string {
	switch service {
	case "iam", "eks", "scheduler":
		return kumoAltAccount
	}
	return kumoDefaultAccount
}

// arnAccountForms are the ways an ARN's account field appears in bodies,
// paths and queries: bare (":id:") or percent-encoded ("%3Aid%3A").
func arnAccountForms(id string) [][]byte {
	return [][]byte{[]byte(":" + id + ":"), []byte("%3A" + id + "%3A"), []byte("%3a" + id + "%3a")}
}

// rewriteARNAccount replaces account id from with to wherever it is an
// ARN's account field. Only ARN contexts are touched, so a 12-digit number
// elsewhere (a port, a size, a bare account id in a policy) is left alone.
func rewriteARNAccount(b []byte, from, to string) []byte {
	if from == to {
		return b
	}
	fromForms, toForms := arnAccountForms(from), arnAccountForms(to)
	for i := range fromForms {
		b = bytes.ReplaceAll(b, fromForms[i], toForms[i])
	}
	return b
}

// fromKumo rewrites both of kumo's account ids to the real one.
func fromKumo(b []byte, realAccount string) []byte {
	b = rewriteARNAccount(b, kumoDefaultAccount, realAccount)
	return rewriteARNAccount(b, kumoAltAccount, realAccount)
}

// hopHeaders are not forwarded. Accept-Encoding is dropped so the transport
// negotiates (and transparently undoes) compression: bodies are rewritten.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Accept-Encoding", "Content-Length"}

// forwardToKumo sends req to its account's kumo, rewrites account ids both
// ways, writes kumo's answer, and calls observe with a successful answer's
// (rewritten) body.
func (rt *Router) forwardToKumo(w http.ResponseWriter, req *request, observe func(body []byte)) {
	status, header, body, err := rt.roundTripKumo(req)
	if err != nil {
		writeBackendError(w, req, err)
		return
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
	// DynamoDB's CRC32 covers the body kumo wrote, not the rewritten one.
	// AWS always sends it, and the Go SDK checks it even when it is absent
	// (then against 0, logging "did not match expected checksum").
	if w.Header().Get("X-Amz-Crc32") != "" || req.call.Service == "dynamodb" {
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	if observe != nil && status/100 == 2 {
		observe(body)
	}
}

func (rt *Router) roundTripKumo(req *request) (int, http.Header, []byte, error) {
	real, fake := req.account.ID, kumoAccountFor(req.call.Service)
	in := req.http
	target, err := url.Parse(req.account.KumoURL)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("account %s kumo url: %w", req.account.ID, err)
	}
	path := string(rewriteARNAccount([]byte(in.URL.EscapedPath()), real, fake))
	query := string(rewriteARNAccount([]byte(in.URL.RawQuery), real, fake))
	u := target.JoinPath()
	if u.Path, err = url.PathUnescape(path); err != nil {
		return 0, nil, nil, fmt.Errorf("rewrite path %q: %w", path, err)
	}
	u.RawPath, u.RawQuery = path, query
	body := rewriteARNAccount(req.body, real, fake)

	out, err := http.NewRequestWithContext(in.Context(), in.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build kumo request: %w", err)
	}
	out.Header = in.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	out.ContentLength = int64(len(body))
	resp, err := rt.cfg.Transport.RoundTrip(out)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("call kumo of account %s: %w", req.account.ID, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read kumo answer for account %s: %w", req.account.ID, err)
	}
	return resp.StatusCode, resp.Header, fromKumo(respBody, real), nil
}
