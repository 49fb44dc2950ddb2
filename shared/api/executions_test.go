package api_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/clusterforge/clusterforge/shared/api"
)

type sfnClient struct {
	startErr, stopErr, describeErr error
	described                      string
	input                          string
}

func (c *sfnClient) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	c.input = aws.ToString(in.Input)
	if c.startErr != nil {
		return nil, c.startErr
	}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(api.ExecutionARN(aws.ToString(in.StateMachineArn), aws.ToString(in.Name)))}, nil
}

func (c *sfnClient) StopExecution(context.Context, *sfn.StopExecutionInput, ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error) {
	return &sfn.StopExecutionOutput{}, c.stopErr
}

func (c *sfnClient) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	c.described = aws.ToString(in.ExecutionArn)
	return &sfn.DescribeExecutionOutput{}, c.describeErr
}

func TestSFNExecutions(t *testing.T) {
	ctx := context.Background()
	c := &sfnClient{}
	e := api.SFNExecutions{Client: c}
	arn, err := e.Start(ctx, provisionSM, "clu-1-1", map[string]any{"cluster": map[string]any{"id": "clu-1"}})
	if err != nil || arn != "arn:aws:states:us-east-1:111111111111:execution:provision-cluster:clu-1-1" || c.input != `{"cluster":{"id":"clu-1"}}` {
		t.Fatalf("start %q %v input %s", arn, err, c.input)
	}
	// A name that already ran is that execution, not an error.
	c.startErr = &sfntypes.ExecutionAlreadyExists{Message: aws.String("exists")}
	if arn, err := e.Start(ctx, provisionSM, "clu-1-1", nil); err != nil || c.described != arn {
		t.Fatalf("existing %q %v (described %q)", arn, err, c.described)
	}
	c.describeErr = errBoom
	if _, err := e.Start(ctx, provisionSM, "clu-1-1", nil); !errors.Is(err, errBoom) {
		t.Fatalf("existing but unreadable: %v", err)
	}
	c.startErr = errBoom
	if _, err := e.Start(ctx, provisionSM, "clu-1-2", nil); !errors.Is(err, errBoom) {
		t.Fatalf("failed start: %v", err)
	}
	c.stopErr = &sfntypes.ExecutionDoesNotExist{Message: aws.String("gone")}
	if err := e.Stop(ctx, arn, "why"); err != nil {
		t.Fatalf("stop missing: %v", err)
	}
	c.stopErr = errBoom
	if err := e.Stop(ctx, arn, "why"); !errors.Is(err, errBoom) {
		t.Fatalf("stop failure: %v", err)
	}
	if err := e.Stop(ctx, "", "nothing ran"); err != nil {
		t.Fatalf("stop nothing: %v", err)
	}
}

type schedulerClient struct {
	created      *scheduler.CreateScheduleInput
	createErr    error
	deleteErr    error
	deletedGroup string
	deletedName  string
}

func (c *schedulerClient) CreateSchedule(_ context.Context, in *scheduler.CreateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	c.created = in
	return &scheduler.CreateScheduleOutput{}, c.createErr
}

func (c *schedulerClient) DeleteSchedule(_ context.Context, in *scheduler.DeleteScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error) {
	c.deletedGroup, c.deletedName = aws.ToString(in.GroupName), aws.ToString(in.Name)
	return &scheduler.DeleteScheduleOutput{}, c.deleteErr
}

func TestEventBridgeSchedules(t *testing.T) {
	ctx := context.Background()
	c := &schedulerClient{}
	s := api.EventBridgeSchedules{Client: c, Target: api.SchedulerTarget{Group: "clusterforge", RoleARN: "arn:role", TargetARN: "arn:unlock"}}
	at := time.Date(2025, 6, 1, 14, 15, 16, 0, time.FixedZone("CEST", 2*3600))
	if err := s.CreateOneTime(ctx, "forcedelete-clu-1-2", at, map[string]int{"g": 2}); err != nil {
		t.Fatal(err)
	}
	in := c.created
	if aws.ToString(in.ScheduleExpression) != "at(2025-06-01T12:15:16)" || aws.ToString(in.ScheduleExpressionTimezone) != "UTC" ||
		in.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete || in.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeOff ||
		aws.ToString(in.GroupName) != "clusterforge" || aws.ToString(in.Target.Arn) != "arn:unlock" || aws.ToString(in.Target.RoleArn) != "arn:role" ||
		aws.ToString(in.Target.Input) != `{"g":2}` {
		t.Fatalf("created %+v target %+v", in, in.Target)
	}
	c.createErr = &schedtypes.ConflictException{Message: aws.String("exists")}
	if err := s.CreateOneTime(ctx, "forcedelete-clu-1-2", at, nil); err != nil {
		t.Fatalf("existing schedule: %v", err)
	}
	c.createErr = errBoom
	if err := s.CreateOneTime(ctx, "x", at, nil); !errors.Is(err, errBoom) {
		t.Fatalf("failed create: %v", err)
	}
	c.deleteErr = &schedtypes.ResourceNotFoundException{Message: aws.String("fired")}
	if err := s.Delete(ctx, "forcedelete-clu-1-2"); err != nil || c.deletedGroup != "clusterforge" || c.deletedName != "forcedelete-clu-1-2" {
		t.Fatalf("delete fired: %v", err)
	}
	c.deleteErr = errBoom
	if err := s.Delete(ctx, "x"); !errors.Is(err, errBoom) {
		t.Fatalf("failed delete: %v", err)
	}
}
