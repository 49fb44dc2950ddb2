// Package scheduler fires EventBridge Scheduler one-time schedules in the
// local cloud. kumo stores schedules but never runs them; the dispatcher
// polls the platform account's schedules and, when an at(...) schedule is
// due, invokes its Lambda target as EventBridge Scheduler does: an
// asynchronous Invoke (InvocationType Event) with Target.Input, retried per
// the target's RetryPolicy, then ActionAfterCompletion applied.
//
// Not covered: rate() and cron() expressions (recurring schedules are
// skipped and logged once), non-Lambda targets (recorded as failed firings),
// dead-letter queues, and flexible time windows (a FLEXIBLE schedule fires at
// the start of its window).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

const defaultInterval = 200 * time.Millisecond

// Options configures the dispatcher.
type Options struct {
	// SchedulerClient reads (and deletes) the platform account's schedules.
	SchedulerClient *scheduler.Client
	// LambdaClient invokes the targets.
	LambdaClient *lambda.Client
	// Interval between polls; default 200 ms.
	Interval time.Duration
	// RetryBaseDelay is the first retry's delay after a failed Invoke call,
	// doubling per attempt up to a minute; default 1 s.
	RetryBaseDelay time.Duration
	// Now is the clock schedules are due against; default time.Now.
	Now func() time.Time
	// Logf receives the dispatcher's diagnostics; default log.Printf.
	Logf func(format string, args ...any)
}

// Firing records one schedule the dispatcher fired.
type Firing struct {
	Group, Name string
	Expression  string
	TargetARN   string
	Input       string
	Due         time.Time // the at(...) time
	FiredAt     time.Time // when the Invoke call succeeded or was given up
	Attempts    int       // Invoke calls made
	Err         string    // last error if every attempt failed
	Deleted     bool      // ActionAfterCompletion DELETE applied
}

// Dispatcher polls schedules and fires the due ones.
type Dispatcher struct {
	o      Options
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex
	// seen maps group/name to the schedule version (LastModificationDate)
	// already fired, in flight or skipped, so each version fires once and
	// an updated schedule fires again.
	seen  map[string]time.Time
	fired []Firing
}

// Start begins polling; it stops when ctx is done or Stop is called.
func Start(ctx context.Context, o Options) (*Dispatcher, error) {
	if o.SchedulerClient == nil || o.LambdaClient == nil {
		return nil, errors.New("scheduler: Options.SchedulerClient and Options.LambdaClient are required")
	}
	if o.Interval <= 0 {
		o.Interval = defaultInterval
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	ctx, cancel := context.WithCancel(ctx)
	d := &Dispatcher{o: o, cancel: cancel, seen: make(map[string]time.Time)}
	d.wg.Add(1)
	go d.loop(ctx)
	return d, nil
}

// Stop ends polling and waits for firings in progress to finish or give up.
func (d *Dispatcher) Stop() {
	d.cancel()
	d.wg.Wait()
}

// Fired returns the firings so far, oldest first.
func (d *Dispatcher) Fired() []Firing {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Firing(nil), d.fired...)
}

func (d *Dispatcher) loop(ctx context.Context) {
	defer d.wg.Done()
	t := time.NewTicker(d.o.Interval)
	defer t.Stop()
	for {
		if err := d.poll(ctx); err != nil && ctx.Err() == nil {
			d.o.Logf("scheduler: poll: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll lists every group's schedules and fires those that are due.
func (d *Dispatcher) poll(ctx context.Context) error {
	p := scheduler.NewListSchedulesPaginator(d.o.SchedulerClient, &scheduler.ListSchedulesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		for _, sum := range page.Schedules {
			if sum.State != types.ScheduleStateEnabled || d.isSeen(sum) {
				continue
			}
			if err := d.consider(ctx, sum); err != nil {
				d.o.Logf("scheduler: %s/%s: %v", aws.ToString(sum.GroupName), aws.ToString(sum.Name), err)
			}
		}
	}
	return nil
}

func key(group, name *string) string { return aws.ToString(group) + "/" + aws.ToString(name) }

func (d *Dispatcher) isSeen(sum types.ScheduleSummary) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.seen[key(sum.GroupName, sum.Name)]
	return ok && v.Equal(aws.ToTime(sum.LastModificationDate))
}

// markSeen records the listed version; it is compared with later listings,
// so it must come from the summary, not from GetSchedule.
func (d *Dispatcher) markSeen(sum types.ScheduleSummary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen[key(sum.GroupName, sum.Name)] = aws.ToTime(sum.LastModificationDate)
}

// consider reads one schedule and starts firing it if it is due.
func (d *Dispatcher) consider(ctx context.Context, sum types.ScheduleSummary) error {
	s, err := d.o.SchedulerClient.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: sum.Name, GroupName: sum.GroupName})
	if err != nil {
		return fmt.Errorf("get schedule: %w", err)
	}
	due, err := parseAt(aws.ToString(s.ScheduleExpression), aws.ToString(s.ScheduleExpressionTimezone))
	if err != nil {
		// Recurring or malformed: skip this version, so it is logged once.
		d.markSeen(sum)
		return err
	}
	if due.After(d.o.Now()) {
		return nil
	}
	d.markSeen(sum)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.record(d.fire(ctx, s, due))
	}()
	return nil
}

func (d *Dispatcher) record(f Firing) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fired = append(d.fired, f)
}
