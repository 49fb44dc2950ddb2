package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Executions starts and stops the cluster workflows (Step Functions).
// Start is idempotent by name: starting a name that already ran returns
// that execution instead of a second one.
type Executions interface {
	Start(ctx context.Context, stateMachineARN, name string, input any) (executionARN string, err error)
	// Stop ends a running execution; one that already ended or never
	// existed is not an error.
	Stop(ctx context.Context, executionARN, cause string) error
}

// Schedules creates the one-time schedules that unlock force delete.
// Creating an existing name and deleting a missing one are not errors.
type Schedules interface {
	CreateOneTime(ctx context.Context, name string, at time.Time, input any) error
	Delete(ctx context.Context, name string) error
}

// SFNAPI is the subset of the Step Functions client used here.
type SFNAPI interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	StopExecution(context.Context, *sfn.StopExecutionInput, ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
	DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// SFNExecutions implements Executions over Step Functions.
type SFNExecutions struct{ Client SFNAPI }

var _ Executions = SFNExecutions{}

// Start starts the named execution with input as JSON. Step Functions
// answers an identical running start with the same execution, and a name
// that already ran with ExecutionAlreadyExists; then the existing one is
// looked up (its ARN follows from the state machine's) and returned, so a
// retried request never runs a generation twice.
func (e SFNExecutions) Start(ctx context.Context, stateMachineARN, name string, input any) (string, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("encode input of execution %s: %w", name, err)
	}
	out, err := e.Client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(stateMachineARN), Name: aws.String(name), Input: aws.String(string(body)),
	})
	var exists *sfntypes.ExecutionAlreadyExists
	switch {
	case errors.As(err, &exists):
		arn := ExecutionARN(stateMachineARN, name)
		if _, derr := e.Client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)}); derr != nil {
			return "", fmt.Errorf("execution %s exists but cannot be read: %w", name, errors.Join(err, derr))
		}
		return arn, nil
	case err != nil:
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Stop stops an execution. Stopping one that has finished is a no-op in
// Step Functions; one that does not exist is fine too.
func (e SFNExecutions) Stop(ctx context.Context, executionARN, cause string) error {
	if executionARN == "" {
		return nil
	}
	_, err := e.Client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN), Cause: aws.String(cause)})
	var missing *sfntypes.ExecutionDoesNotExist
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("stop execution %s: %w", executionARN, err)
	}
	return nil
}

// ExecutionARN is the ARN Step Functions gives execution name of a
// standard state machine: arn:…:stateMachine:<sm> → arn:…:execution:<sm>:<name>.
func ExecutionARN(stateMachineARN, name string) string {
	return strings.Replace(stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// SchedulerAPI is the subset of the EventBridge Scheduler client used here.
type SchedulerAPI interface {
	CreateSchedule(context.Context, *scheduler.CreateScheduleInput, ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	DeleteSchedule(context.Context, *scheduler.DeleteScheduleInput, ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
}

// SchedulerTarget says where the schedules live and what they invoke.
type SchedulerTarget struct {
	Group     string // SCHEDULE_GROUP
	RoleARN   string // SCHEDULER_ROLE_ARN: the role Scheduler assumes to invoke
	TargetARN string // FORCE_DELETE_UNLOCK_ARN: the forcedelete-unlock Lambda
}

// EventBridgeSchedules implements Schedules over EventBridge Scheduler.
type EventBridgeSchedules struct {
	Client SchedulerAPI
	Target SchedulerTarget
}

var _ Schedules = EventBridgeSchedules{}

// scheduleTimeLayout is the at() expression's format: UTC, no zone suffix.
const scheduleTimeLayout = "2006-01-02T15:04:05"

// CreateOneTime creates a schedule that fires once at at (to the second,
// no flexible window) and deletes itself afterwards.
func (s EventBridgeSchedules) CreateOneTime(ctx context.Context, name string, at time.Time, input any) error {
	body, err := json.Marshal(input)
	if err != nil {
		return fmt.Errorf("encode input of schedule %s: %w", name, err)
	}
	_, err = s.Client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(s.Target.Group),
		ScheduleExpression:         aws.String("at(" + at.UTC().Format(scheduleTimeLayout) + ")"),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      schedtypes.ActionAfterCompletionDelete,
		Target: &schedtypes.Target{
			Arn: aws.String(s.Target.TargetARN), RoleArn: aws.String(s.Target.RoleARN), Input: aws.String(string(body)),
		},
	})
	// Names carry the cluster generation, so an existing one is this very
	// schedule created by an earlier attempt of the same request.
	var conflict *schedtypes.ConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("create schedule %s: %w", name, err)
	}
	return nil
}

// Delete removes a schedule; one that fired (and deleted itself) or never
// existed is fine.
func (s EventBridgeSchedules) Delete(ctx context.Context, name string) error {
	_, err := s.Client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Target.Group)})
	var missing *schedtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("delete schedule %s: %w", name, err)
	}
	return nil
}
