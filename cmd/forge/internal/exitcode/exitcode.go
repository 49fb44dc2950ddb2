// Package exitcode maps what went wrong to the process exit status, so a
// script can tell "fix your input" from "try again later" without parsing
// text.
package exitcode

import (
	"errors"
	"net/http"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// Exit statuses. 64 is sysexits' EX_USAGE, what getopt-style tools use.
const (
	OK         = 0
	Failed     = 1 // the operation ran and failed (a watched cluster went Failed)
	BadInput   = 2 // the API rejected the request (400) or a spec file is unreadable
	NotFound   = 3
	Conflict   = 4
	Auth       = 5 // 401, 403, or no token configured
	Server     = 6 // 5xx, 429 after retries, unreachable API, missing route
	Usage      = 64
	Unexpected = Failed
)

// Error carries an explicit exit status for errors that are not API
// answers: a bad flag, an unreadable file, a missing token.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Wrap tags err with an exit status (nil stays nil).
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit status for err (OK for nil). An explicit *Error
// wins over an API error it wraps, so a command can reclassify.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var coded *Error
	if errors.As(err, &coded) {
		return coded.Code
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return ofStatus(apiErr)
	}
	var netErr *client.NetworkError
	if errors.As(err, &netErr) {
		return Server
	}
	return Unexpected
}

func ofStatus(e *client.APIError) int {
	switch {
	case e.RouteMissing():
		return Server
	case e.Status == http.StatusBadRequest, e.Status == http.StatusUnprocessableEntity:
		return BadInput
	case e.Status == http.StatusNotFound:
		return NotFound
	case e.Status == http.StatusConflict:
		return Conflict
	case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden:
		return Auth
	case e.Status == http.StatusTooManyRequests, e.Status >= 500:
		return Server
	}
	return Unexpected
}
