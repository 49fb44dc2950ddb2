package apigw

import (
	"crypto/rand"
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// requestTimeLayout is requestContext.time's format, e.g.
// "12/Mar/2020:19:03:58 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// eventInput is what buildEvent needs besides the HTTP request itself.
type eventInput struct {
	routeKey   string
	pathParams map[string]string
	claims     map[string]string // nil on public routes: no authorizer block
	requestID  string
	accountID  string
	apiID      string
	body       []byte
	received   time.Time
}

// buildEvent renders r as payload format 2.0 the way API Gateway does.
func buildEvent(r *http.Request, in eventInput) events.APIGatewayV2HTTPRequest {
	headers, cookies := eventHeaders(r)
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              in.routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: joinValues(r.URL.Query()),
		PathParameters:        in.pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     in.routeKey,
			AccountID:    in.accountID,
			Stage:        "$default",
			RequestID:    in.requestID,
			APIID:        in.apiID,
			DomainName:   hostOnly(r.Host),
			DomainPrefix: strings.SplitN(hostOnly(r.Host), ".", 2)[0],
			Time:         in.received.UTC().Format(requestTimeLayout),
			TimeEpoch:    in.received.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if in.claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: in.claims,
				Scopes: scopes(in.claims),
			},
		}
	}
	if len(in.body) > 0 {
		if isText(r.Header.Get("Content-Type"), in.body) {
			ev.Body = string(in.body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(in.body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// eventHeaders lower-cases names and comma-joins repeated values as API
// Gateway does; cookies move to their own list, and the forwarding headers
// API Gateway adds are filled in.
func eventHeaders(r *http.Request) (map[string]string, []string) {
	headers := make(map[string]string, len(r.Header)+4)
	var cookies []string
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lname] = strings.Join(values, ",")
	}
	// Go moves Host out of the header map; API Gateway keeps it.
	headers["host"] = r.Host
	headers["x-forwarded-for"] = appendCSV(headers["x-forwarded-for"], sourceIP(r))
	headers["x-forwarded-proto"] = scheme(r)
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	} else if scheme(r) == "https" {
		headers["x-forwarded-port"] = "443"
	} else {
		headers["x-forwarded-port"] = "80"
	}
	return headers, cookies
}

// joinValues flattens repeated parameters comma-joined; nil when empty so
// the field is omitted like API Gateway omits it.
func joinValues(v url.Values) map[string]string {
	if len(v) == 0 {
		return nil
	}
	out := make(map[string]string, len(v))
	for k, vals := range v {
		out[k] = strings.Join(vals, ",")
	}
	return out
}

// scopes mirrors the JWT authorizer, which reads space-separated scopes
// from `scope` (or `scp`).
func scopes(claims map[string]string) []string {
	s := claims["scope"]
	if s == "" {
		s = claims["scp"]
	}
	if f := strings.Fields(s); len(f) > 0 {
		return f
	}
	return nil
}

// isText reports whether API Gateway would pass the body as a string: text
// and JSON/XML/JavaScript types. Everything else (including form posts) is
// base64, which is the surprise the api Lambda must be ready for.
func isText(contentType string, body []byte) bool {
	if contentType == "" {
		return utf8.Valid(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript":
		return true
	}
	return false
}

func sourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func appendCSV(list, v string) string {
	if list == "" {
		return v
	}
	return list + ", " + v
}

// newRequestID mimics API Gateway's short base64 request ids
// (e.g. "JKJaXmPLvHcESHA=").
func newRequestID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b)
}
