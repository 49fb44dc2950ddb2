package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/aws/smithy-go"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
)

// Error is the API's error: its status and the body
// {"error":{"code","message","field"}}.
type Error struct {
	Status  int                 `json:"-"`
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Field   string              `json:"field,omitempty"`
	Details []domain.FieldError `json:"details,omitempty"`
	// AvailableAt tells a 409 force delete when it unlocks.
	AvailableAt *time.Time `json:"availableAt,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorBody is the JSON envelope of every error response.
type ErrorBody struct {
	Error *Error `json:"error"`
}

func errorResponse(err error) response {
	e := toAPIError(err)
	return jsonResponse(e.Status, ErrorBody{Error: e})
}

func badRequest(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: msg, Field: field}
}

func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func faultError() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; retry later"}
}

// accessDenier lets a validator other than shared/cloud's mark errors
// about the customer's access.
type accessDenier interface{ AccessDenied() bool }

// toAPIError maps an error from anywhere below to its response. Only errors
// nobody recognises become 500s, and their text is logged, not returned.
func toAPIError(err error) *Error {
	var (
		apiErr  *Error
		invalid *domain.ValidationError
		denier  accessDenier
		credErr *cloud.CredentialsError
		awsErr  smithy.APIError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &invalid):
		first := invalid.First()
		e := badRequest(first.Field, first.Message)
		if len(invalid.Errors) > 1 {
			e.Details = invalid.Errors
		}
		return e
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
	case errors.Is(err, store.ErrAlreadyExists):
		return &Error{Status: http.StatusConflict, Code: "already_exists", Message: "an object with this name already exists in the project", Field: "name"}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: "the object was changed by another request; read it again and retry"}
	case errors.Is(err, store.ErrInvalidToken):
		return badRequest("nextToken", "is not a token returned by this list")
	case errors.As(err, &credErr):
		// The customer's to fix (trust policy, ExternalId, inactive key); the
		// message names the role or key id, never the secret.
		return &Error{Status: http.StatusUnprocessableEntity, Code: "cloud_credentials_rejected", Message: credErr.Error()}
	case errors.As(err, &denier) && denier.AccessDenied():
		return &Error{Status: http.StatusUnprocessableEntity, Code: "cloud_credentials_rejected", Message: err.Error()}
	case errors.Is(err, cloud.ErrInvalidAccess):
		return badRequest("", "the cloud account's stored access is incomplete: "+err.Error())
	case errors.As(err, &awsErr) && isThrottle(awsErr.ErrorCode()):
		return &Error{Status: http.StatusTooManyRequests, Code: "throttled", Message: "too many requests; retry with backoff"}
	default:
		return faultError()
	}
}

func isThrottle(code string) bool {
	switch code {
	case "ThrottlingException", "Throttling", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "TooManyRequestsException":
		return true
	}
	return false
}
