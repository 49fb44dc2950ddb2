package apigw

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// API Gateway's own answers, byte for byte.
var (
	msgUnauthorized   = gatewayMessage{http.StatusUnauthorized, "Unauthorized"}
	msgInternalError  = gatewayMessage{http.StatusInternalServerError, "Internal Server Error"}
	msgUnavailable    = gatewayMessage{http.StatusServiceUnavailable, "Service Unavailable"}
	msgNotFound       = gatewayMessage{http.StatusNotFound, "Not Found"}
	msgEntityTooLarge = gatewayMessage{http.StatusRequestEntityTooLarge, "Request Entity Too Large"}
)

type gatewayMessage struct {
	status  int
	message string
}

func (m gatewayMessage) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(m.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": m.message})
}

// decodeResponse interprets a Lambda's payload under format 2.0: a JSON
// object with statusCode is a response description; any other valid JSON is
// the body of a 200 application/json answer (API Gateway's inference rule).
func decodeResponse(payload []byte) (events.APIGatewayV2HTTPResponse, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err == nil {
		if _, ok := probe["statusCode"]; ok {
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(payload, &resp); err != nil {
				return resp, fmt.Errorf("decode Lambda response: %w", err)
			}
			if resp.StatusCode < 100 || resp.StatusCode > 599 {
				return resp, fmt.Errorf("lambda response has invalid statusCode %d", resp.StatusCode)
			}
			return resp, nil
		}
	}
	if !json.Valid(payload) {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("lambda response is not JSON (%d bytes)", len(payload))
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(payload),
	}, nil
}

// writeResponse copies resp onto w. It fails only before anything is
// written (a bad base64 body), so the caller can still answer 500.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("decode base64 Lambda body: %w", err)
		}
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		// API Gateway does not sniff; stop net/http from inventing a type.
		h["Content-Type"] = nil
	}
	w.WriteHeader(resp.StatusCode)
	// A write error means the client went away; nobody is left to tell.
	_, _ = w.Write(body)
	return nil
}
