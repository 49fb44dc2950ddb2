package scheduler

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // ScheduleExpressionTimezone must resolve without a system zoneinfo

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// EventBridge Scheduler's RetryPolicy defaults.
const (
	defaultMaxRetries = 185
	defaultMaxAge     = 24 * time.Hour
	maxRetryDelay     = time.Minute
)

var (
	atExpression  = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)
	errNotOneTime = errors.New("not a one-time at(...) schedule; recurring schedules are not dispatched locally")
)

// parseAt returns the time of an at(yyyy-mm-ddThh:mm:ss) expression in the
// schedule's timezone (UTC when empty).
func parseAt(expr, tz string) (time.Time, error) {
	m := atExpression.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return time.Time{}, fmt.Errorf("%q: %w", expr, errNotOneTime)
	}
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return time.Time{}, fmt.Errorf("schedule timezone %q: %w", tz, err)
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule expression %q: %w", expr, err)
	}
	return t, nil
}

// fire invokes the schedule's target until the Invoke call is accepted or
// the RetryPolicy is exhausted, then applies ActionAfterCompletion.
func (d *Dispatcher) fire(ctx context.Context, s *scheduler.GetScheduleOutput, due time.Time) Firing {
	f := Firing{
		Group: aws.ToString(s.GroupName), Name: aws.ToString(s.Name),
		Expression: aws.ToString(s.ScheduleExpression), Due: due,
	}
	if s.Target != nil {
		f.TargetARN, f.Input = aws.ToString(s.Target.Arn), aws.ToString(s.Target.Input)
	}
	err := d.invoke(ctx, s.Target, &f)
	f.FiredAt = d.o.Now()
	if err != nil {
		f.Err = err.Error()
		d.o.Logf("scheduler: %s/%s: giving up after %d attempt(s): %v", f.Group, f.Name, f.Attempts, err)
	}
	// AWS deletes a completed schedule whether or not its target succeeded.
	if s.ActionAfterCompletion == types.ActionAfterCompletionDelete {
		if err := d.delete(ctx, s); err != nil {
			d.o.Logf("scheduler: %s/%s: %v", f.Group, f.Name, err)
		} else {
			f.Deleted = true
		}
	}
	return f
}

func (d *Dispatcher) invoke(ctx context.Context, target *types.Target, f *Firing) error {
	if target == nil || !strings.HasPrefix(f.TargetARN, "arn:aws:lambda:") {
		return fmt.Errorf("target %q is not a Lambda function; only Lambda targets are dispatched locally", f.TargetARN)
	}
	input := f.Input
	if input == "" {
		input = "{}"
	}
	maxRetries, maxAge := retryPolicy(target.RetryPolicy)
	start := d.o.Now()
	delay := d.o.RetryBaseDelay
	for {
		f.Attempts++
		// As EventBridge Scheduler does: an asynchronous invocation, so a
		// function error is Lambda's to retry, and only a failed call is ours.
		_, err := d.o.LambdaClient.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String(f.TargetARN),
			InvocationType: lambdatypes.InvocationTypeEvent,
			Payload:        []byte(input),
		})
		if err == nil {
			return nil
		}
		if f.Attempts > maxRetries || d.o.Now().Sub(start)+delay > maxAge {
			return fmt.Errorf("invoke %s: %w", f.TargetARN, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("invoke %s: %w (stopped while retrying)", f.TargetARN, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, maxRetryDelay)
	}
}

func retryPolicy(p *types.RetryPolicy) (maxRetries int, maxAge time.Duration) {
	maxRetries, maxAge = defaultMaxRetries, defaultMaxAge
	if p == nil {
		return maxRetries, maxAge
	}
	if p.MaximumRetryAttempts != nil {
		maxRetries = int(*p.MaximumRetryAttempts)
	}
	if p.MaximumEventAgeInSeconds != nil {
		maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
	}
	return maxRetries, maxAge
}

func (d *Dispatcher) delete(ctx context.Context, s *scheduler.GetScheduleOutput) error {
	_, err := d.o.SchedulerClient.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: s.Name, GroupName: s.GroupName})
	var gone *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("delete after completion: %w", err)
	}
	return nil
}
