// Package workflow holds the task handlers the Step Functions state machines
// invoke (statemachines/*.asl.json). Each Task state calls one function with
// {"action": ..., "cluster": {...}, "az"|"pool": ...}; the handler loads the
// cluster from DynamoDB, does one idempotent step in the customer account,
// records what it created in the ledger and its progress in the task list,
// and answers quickly: waiting happens in the state machine's Wait states,
// never in a Lambda.
package workflow

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// ClusterRef identifies the cluster an execution works on. Generation counts
// the cluster's workflows so ClientTokens differ between a first provision
// and a later re-provision of the same resource key.
type ClusterRef struct {
	ID         string `json:"id"`
	Tenant     string `json:"tenant"`
	Project    string `json:"project"`
	Generation int    `json:"generation"`
}

// Input is what every Task state passes (see the ASL's Parameters).
type Input struct {
	Action  string       `json:"action"`
	Cluster ClusterRef   `json:"cluster"`
	AZ      string       `json:"az,omitempty"`
	Pool    string       `json:"pool,omitempty"`
	Error   *StatesError `json:"error,omitempty"` // set for markFailed / markDeletionStuck
}

// StatesError is what a Catch puts at ResultPath: the error name and cause.
type StatesError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Plan is the preflight's answer, which drives the state machine's Map states.
type Plan struct {
	AZs    []string `json:"azs"`
	NatAZs []string `json:"natAzs"`
	Pools  []string `json:"pools"`
}

// Check is the answer of a check task in a Wait loop.
type Check struct {
	Ready   bool   `json:"ready"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Message string `json:"message,omitempty"`
}

// Nodes is the answer of ensureNodes / checkNodes for one pool.
type Nodes struct {
	Check
	WaitingForSpotPrice bool `json:"waitingForSpotPrice"`
}

// Error names the state machines' Retry and Catch clauses match on. A Lambda
// returns them as the errorType of its function error.
const (
	// ErrRetryable: throttling, 5xx, or an eventually-consistent read; the
	// state machine retries with jittered backoff.
	ErrRetryable = "Retryable"
	// ErrDependencyViolation: AWS still holds a dependency (an ENI, a NAT
	// gateway being deleted); retried for a while during deletion.
	ErrDependencyViolation = "DependencyViolation"
	// ErrDeadlineExceeded: a wait loop ran past its deadline.
	ErrDeadlineExceeded = "DeadlineExceeded"
	// ErrPreflightFailed: the account cannot host the cluster; nothing was created.
	ErrPreflightFailed = "PreflightFailed"
	// ErrFailed: a permanent failure (e.g. InsufficientInstanceCapacity in every AZ).
	ErrFailed = "TaskFailed"
)

// Fail returns an error that reaches Step Functions with the given errorType,
// so Retry and Catch can match it.
func Fail(errorType string, format string, args ...any) error {
	return messages.InvokeResponse_Error{Type: errorType, Message: fmt.Sprintf(format, args...)}
}

// ErrorType is the errorType err will carry to Step Functions.
func ErrorType(err error) string {
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return ie.Type
	}
	return ""
}
