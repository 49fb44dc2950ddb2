// Package awsproto reads what an AWS SDK request is (service, action, region,
// signing key) and writes errors in the shape each AWS protocol uses.
package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Protocol is the wire protocol of an AWS service.
type Protocol string

// Protocols used by the services the local cloud serves.
const (
	ProtocolEC2Query Protocol = "ec2"   // EC2's query dialect: <Response><Errors>…
	ProtocolQuery    Protocol = "query" // IAM, STS, ELBv2: <ErrorResponse>…
	ProtocolJSON     Protocol = "json"  // awsJson1_0/1_1: X-Amz-Target
	ProtocolREST     Protocol = "rest"  // restJson1: Lambda, EKS, Scheduler
)

// Call is one parsed AWS request.
type Call struct {
	Service     string // SigV4 signing name: ec2, iam, sts, elasticloadbalancing, dynamodb, states, lambda, …
	Action      string // API operation name, e.g. CreateNatGateway
	Region      string
	AccessKeyID string
	Protocol    Protocol
	RequestID   string
	Time        time.Time
}

// ErrNoSignature is returned for requests without a SigV4 Authorization header.
var ErrNoSignature = errors.New("request is not signed with AWS Signature Version 4")

type ctxKey struct{}

// WithCall stores the parsed call in the context.
func WithCall(ctx context.Context, c Call) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the call stored by WithCall.
func FromContext(ctx context.Context) (Call, bool) {
	c, ok := ctx.Value(ctxKey{}).(Call)
	return c, ok
}

// Credential is the Credential= part of a SigV4 Authorization header.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
}

// ParseAuthorization reads the credential scope of a SigV4 Authorization
// header (or of X-Amz-Credential in a presigned query string).
func ParseAuthorization(r *http.Request) (Credential, error) {
	h := r.Header.Get("Authorization")
	var scope string
	if h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return Credential{}, ErrNoSignature
		}
		scope = h[i+len("Credential="):]
		if j := strings.IndexAny(scope, ", "); j >= 0 {
			scope = scope[:j]
		}
	} else {
		scope = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(scope, "/")
	if len(parts) < 5 {
		return Credential{}, ErrNoSignature
	}
	return Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, nil
}

var requestSeq atomic.Uint64

// NewRequestID returns a unique, AWS-looking request id.
func NewRequestID() string {
	n := requestSeq.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(time.Now().Unix()), n>>32&0xffff, n>>20&0xfff, n>>8&0xfff, n)
}

// Parse identifies the request. It buffers and restores a form body so that
// the next handler can read it again.
func Parse(r *http.Request) (Call, error) {
	cred, err := ParseAuthorization(r)
	if err != nil {
		return Call{}, err
	}
	c := Call{Service: cred.Service, Region: cred.Region, AccessKeyID: cred.AccessKeyID, RequestID: NewRequestID(), Time: time.Now()}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		c.Protocol = ProtocolJSON
		t := r.Header.Get("X-Amz-Target")
		c.Action = t[strings.LastIndex(t, ".")+1:]
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Get("Action") != "":
		c.Protocol = ProtocolQuery
		if c.Service == "ec2" {
			c.Protocol = ProtocolEC2Query
		}
		form, err := ReadForm(r)
		if err != nil {
			return Call{}, err
		}
		c.Action = form.Get("Action")
	default:
		c.Protocol = ProtocolREST
		c.Action = RESTAction(c.Service, r.Method, r.URL.Path)
	}
	return c, nil
}

// ReadForm parses a query-protocol body (and URL query) without consuming it.
func ReadForm(r *http.Request) (url.Values, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("parse form: %w", err)
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	return form, nil
}

// RESTAction names the operation of a restJson1 request from its method and
// path. Unknown routes answer "METHOD /path" so that accounting still works.
// The router package registers more routes with RegisterRESTAction.
func RESTAction(service, method, path string) string {
	for _, rt := range restRoutes[service] {
		if rt.method == method && matchPath(rt.pattern, path) {
			return rt.action
		}
	}
	return method + " " + path
}

type restRoute struct{ method, pattern, action string }

var restRoutes = map[string][]restRoute{}

// RegisterRESTAction teaches RESTAction one route; pattern segments in braces
// match any single path segment, a trailing "{+}" matches the rest.
func RegisterRESTAction(service, method, pattern, action string) {
	restRoutes[service] = append(restRoutes[service], restRoute{method, pattern, action})
}

func matchPath(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "{+}" {
			return i < len(xs)
		}
		if i >= len(xs) {
			return false
		}
		if strings.HasPrefix(p, "{") {
			continue
		}
		if p != xs[i] {
			return false
		}
	}
	return len(ps) == len(xs)
}

// APIError is an AWS error to be written in the caller's protocol.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an APIError.
func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WriteError answers err in the protocol of c. Errors that are not APIErrors
// become 500 InternalError.
func WriteError(w http.ResponseWriter, c Call, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	if c.RequestID == "" {
		c.RequestID = NewRequestID()
	}
	w.Header().Set("X-Amzn-RequestId", c.RequestID)
	switch c.Protocol {
	case ProtocolEC2Query:
		type errXML struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		type respXML struct {
			XMLName   xml.Name `xml:"Response"`
			Errors    []errXML `xml:"Errors>Error"`
			RequestID string   `xml:"RequestID"`
		}
		writeXML(w, ae.Status, respXML{Errors: []errXML{{ae.Code, ae.Message}}, RequestID: c.RequestID})
	case ProtocolQuery:
		typ := "Sender"
		if ae.Status >= 500 {
			typ = "Receiver"
		}
		type errXML struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		type respXML struct {
			XMLName   xml.Name `xml:"ErrorResponse"`
			Error     errXML   `xml:"Error"`
			RequestID string   `xml:"RequestId"`
		}
		writeXML(w, ae.Status, respXML{Error: errXML{typ, ae.Code, ae.Message}, RequestID: c.RequestID})
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-ErrorType", ae.Code)
		w.WriteHeader(ae.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": ae.Code, "message": ae.Message, "Message": ae.Message})
	}
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

// WriteXML answers a successful query-protocol response.
func WriteXML(w http.ResponseWriter, v any) { writeXML(w, http.StatusOK, v) }
