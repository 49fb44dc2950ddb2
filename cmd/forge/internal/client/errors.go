package client

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is a non-2xx answer of the API, decoded from its envelope
// {"error":{"code","message","field","details","availableAt"}}. Status is
// kept so the caller can map it to an exit code without parsing text.
type APIError struct {
	Status      int           `json:"-"`
	Method      string        `json:"-"`
	Path        string        `json:"-"`
	Code        string        `json:"code"`
	Message     string        `json:"message"`
	Field       string        `json:"field,omitempty"`
	Details     []FieldDetail `json:"details,omitempty"`
	AvailableAt *time.Time    `json:"availableAt,omitempty"`
}

// FieldDetail is one of several problems a 400 lists.
type FieldDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error reads like the API's own words: "field: message", so a user can
// find the offending line in their spec without decoding JSON.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = strings.ToLower(http.StatusText(e.Status))
	}
	if e.Field != "" && !strings.HasPrefix(msg, e.Field) {
		msg = e.Field + ": " + msg
	}
	// Every other problem too: fixing one at a time is a slow loop.
	for _, d := range e.Details {
		if d.Field == e.Field && d.Message == e.Message {
			continue
		}
		if d.Field != "" {
			msg += fmt.Sprintf("\n  %s: %s", d.Field, d.Message)
		} else {
			msg += "\n  " + d.Message
		}
	}
	return msg
}

// RouteMissing reports whether the server has no such operation at all
// (an older deployment), as opposed to having it and not finding the
// object: 405, 501, or a 404 that names no object but the route.
func (e *APIError) RouteMissing() bool {
	switch e.Status {
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	case http.StatusNotFound:
		// The service says "no route for …"; API Gateway itself answers
		// {"message":"Not Found"} with no code.
		return e.Code == "" || strings.HasPrefix(e.Message, "no route")
	}
	return false
}
