// Package domain holds ClusterForge's request and entity types and their
// validation. It is pure: no AWS calls, no clocks or randomness that callers
// cannot replace, so every rule here is testable with table tests.
package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a field path in a request body, written the way a user would look
// it up in their JSON: `nodePools[1].taints[0].effect`.
type Path string

// Field is the path of the member name inside the object at p.
func (p Path) Field(name string) Path {
	if p == "" {
		return Path(name)
	}
	return p + "." + Path(name)
}

// Index is the path of element i of the array at p.
func (p Path) Index(i int) Path { return p + "[" + Path(strconv.Itoa(i)) + "]" }

// Key is the path of map entry k in the object at p. Keys that are not plain
// identifiers are quoted so the path stays unambiguous.
func (p Path) Key(k string) Path {
	if isIdentifier(k) {
		return p.Field(k)
	}
	return p + Path("["+strconv.Quote(k)+"]")
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// FieldError is one rejected field. Messages never repeat the rejected value:
// some fields (secret access keys) must not travel back or into logs.
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ValidationError is returned for input the service refuses. The API answers
// it with 400 and the first field; Errors lists every problem found so a user
// can fix them all at once.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		if fe.Field == "" {
			parts[i] = fe.Message
		} else {
			parts[i] = fe.Field + ": " + fe.Message
		}
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// First is the first problem, the one the API puts in error.field.
func (e *ValidationError) First() FieldError {
	if len(e.Errors) == 0 {
		return FieldError{Message: "invalid request"}
	}
	return e.Errors[0]
}

// Invalid builds a ValidationError for one field.
func Invalid(field Path, format string, args ...any) *ValidationError {
	return &ValidationError{Errors: []FieldError{{Field: string(field), Message: fmt.Sprintf(format, args...)}}}
}

// ValidationErrors collects field problems while a validator walks a
// request, so a user sees every problem at once.
type ValidationErrors struct{ list []FieldError }

// Add records a problem at field (a path such as "nodePools[1].size").
func (v *ValidationErrors) Add(field string, format string, args ...any) {
	v.list = append(v.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is nil without problems, else a *ValidationError listing them.
func (v *ValidationErrors) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &ValidationError{Errors: v.list}
}
