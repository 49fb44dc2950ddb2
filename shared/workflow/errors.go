package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/store"
)

// permanentCodes are AWS answers that another attempt will not change:
// capacity and limits (the customer must pick another type or raise a
// quota), bad parameters, missing permissions. They fail the task with
// AWS's message rather than burning the state machine's retries.
var permanentCodes = map[string]string{
	"InsufficientInstanceCapacity":       "AWS has no capacity for the instance type in the AZ",
	"InsufficientCapacity":               "AWS has no capacity",
	"Unsupported":                        "the request is not supported in this AZ",
	"InstanceLimitExceeded":              "instance limit reached",
	"VcpuLimitExceeded":                  "vCPU limit reached",
	"MaxSpotInstanceCountExceeded":       "spot instance limit reached",
	"AddressLimitExceeded":               "Elastic IP limit reached",
	"NatGatewayLimitExceeded":            "NAT gateway limit reached",
	"VpcLimitExceeded":                   "VPC limit reached",
	"RulesPerSecurityGroupLimitExceeded": "security group rule limit reached",
	"TooManyLoadBalancers":               "load balancer limit reached",
	"TooManyTargetGroups":                "target group limit reached",
	"UnauthorizedOperation":              "the account's role lacks a permission",
	"AccessDenied":                       "the account's role lacks a permission",
	"AccessDeniedException":              "the account's role lacks a permission",
	"InvalidParameterValue":              "AWS rejected a parameter",
	"InvalidParameterCombination":        "AWS rejected a parameter combination",
	"InvalidParameter":                   "AWS rejected a parameter",
	"ValidationError":                    "AWS rejected the request",
	"InvalidKeyPair.NotFound":            "the SSH key pair does not exist",
	"InvalidAMIID.NotFound":              "the image does not exist",
}

// mapError turns an action's error into one carrying the errorType the
// state machines' Retry and Catch match. Errors already made with Fail keep
// their type.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		// The Lambda runtime type-asserts (no errors.As), so unwrap; keep
		// the wrapping context in the message, with the inner error's own
		// message rather than its Go-syntax Error().
		return messages.InvokeResponse_Error{Type: ie.Type, Message: strings.Replace(err.Error(), ie.Error(), ie.Message, 1)}
	}
	msg := err.Error()
	code := cloud.ErrorCode(err)
	var creds *cloud.CredentialsError
	switch {
	case errors.Is(err, cloud.ErrDependencyViolation) || code == "DependencyViolation":
		return Fail(ErrDependencyViolation, "%s", msg)
	case errors.Is(err, cloud.ErrResourceFailed), errors.Is(err, cloud.ErrNotOurs):
		return Fail(ErrFailed, "%s", msg)
	case errors.Is(err, cloud.ErrNotYet):
		// Before the code checks: it wraps AWS answers (ResourceInUse,
		// a role IAM has not propagated) that are permanent elsewhere.
		return Fail(ErrRetryable, "%s", msg)
	case errors.As(err, &creds), errors.Is(err, cloud.ErrInvalidAccess):
		// The customer must fix the role or keys; retrying cannot help.
		return Fail(ErrFailed, "%s", msg)
	case errors.Is(err, store.ErrNotFound):
		// The cluster, its account or profile is gone: nothing to retry.
		return Fail(ErrFailed, "%s", msg)
	case permanentCodes[code] != "":
		return Fail(ErrFailed, "%s: %s", permanentCodes[code], msg)
	case transient(err):
		return Fail(ErrRetryable, "%s", msg)
	case code != "":
		// An AWS answer the SDK did not retry and we do not know: treat it
		// as permanent, with AWS's words, rather than retrying blindly.
		return Fail(ErrFailed, "%s", msg)
	default:
		// Not from AWS (store, network below the SDK, our own checks):
		// retrying is cheap and the state machine bounds it.
		return Fail(ErrRetryable, "%s", msg)
	}
}

// transient reports whether err is throttling, a server fault or the
// network, after the SDK's own retries gave up.
func transient(err error) bool {
	var (
		maxAttempts *retry.MaxAttemptsError
		quota       *ratelimit.QuotaExceededError
		resp        *smithyhttp.ResponseError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &maxAttempts), errors.As(err, &quota):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, store.ErrConflict):
		// The invocation ran out of time, or the cluster item kept changing
		// under us: a new attempt starts fresh.
		return true
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= 500:
		return true
	case errors.As(err, &netErr):
		return true
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// errorMessage is the message part of an error made by Fail.
func errorMessage(err error) string {
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return ie.Message
	}
	return err.Error()
}

// withTask prefixes the message with "[task] " so markFailed and
// markDeletionStuck, which only see the Catch's Cause, know which task
// failed.
func withTask(err error, task string) error {
	var ie messages.InvokeResponse_Error
	if task == "" || !errors.As(err, &ie) {
		return err
	}
	ie.Message = "[" + task + "] " + ie.Message
	return ie
}

// parseCause reads a Catch's error: the Cause of a Lambda function error is
// the JSON of the invoke error ({"errorMessage", "errorType", ...}); others
// (States.Timeout, a runtime crash) are plain text. It returns the failed
// task's name when the message carries withTask's prefix.
func parseCause(e *StatesError) (task, message string) {
	if e == nil {
		return "", ""
	}
	message = e.Cause
	var ie struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(e.Cause), &ie) == nil && ie.ErrorMessage != "" {
		message = ie.ErrorMessage
	}
	if m := taskPrefix.FindStringSubmatch(message); m != nil {
		task, message = m[1], m[2]
	}
	if message == "" {
		message = e.Error
	} else if e.Error != "" {
		message = e.Error + ": " + message
	}
	return task, message
}

var taskPrefix = regexp.MustCompile(`^\[([^\]]+)\] (?s)(.*)$`)
