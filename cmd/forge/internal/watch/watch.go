// Package watch follows a cluster through a workflow: it polls the API,
// feeds a renderer (live bars on a terminal, change lines otherwise) and
// decides when the wait is over and whether it ended well.
package watch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

// Fetch reads the cluster's current state.
type Fetch func(ctx context.Context) (*client.Cluster, error)

// Options say what to wait for.
type Options struct {
	Want     string        // Running or Deleted
	Interval time.Duration // between polls
	// MaxPollErrors is how many polls in a row may fail (after the
	// client's own retries) before giving up: a blip must not end a
	// 20-minute watch, an outage must.
	MaxPollErrors int
	Now           func() time.Time
}

// FailedError is a watched cluster that went Failed: the failing task
// and its message say why, as the issue tracker will want it.
type FailedError struct {
	Cluster string
	Task    string
	Message string
}

func (e *FailedError) Error() string {
	if e.Task == "" {
		return fmt.Sprintf("cluster %s failed: %s", e.Cluster, e.Message)
	}
	return fmt.Sprintf("cluster %s failed at task %s: %s", e.Cluster, e.Task, e.Message)
}

// UnexpectedError is a watched cluster that settled in a status other
// than the one waited for (deleted while we waited for Running).
type UnexpectedError struct {
	Cluster, Status, Want string
}

func (e *UnexpectedError) Error() string {
	return fmt.Sprintf("cluster %s is %s; was waiting for %s", e.Cluster, e.Status, e.Want)
}

// Run shows first (the mutation's answer, may be nil) and then every poll
// until the cluster is in opts.Want (nil error), Failed (*FailedError),
// or ctx ends. The renderer is always closed with the last state seen.
func Run(ctx context.Context, first *client.Cluster, fetch Fetch, r Renderer, opts Options) (last *client.Cluster, err error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	defer func() { r.Close(last, now()) }()

	last = first
	if last != nil {
		if done, err := show(r, last, opts.Want, now()); done {
			return last, err
		}
	}
	pollErrors := 0
	for {
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(opts.Interval):
		}
		c, err := fetch(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || !transient(err) || pollErrors >= opts.MaxPollErrors {
				return last, err
			}
			pollErrors++
			continue
		}
		pollErrors = 0
		last = c
		if done, err := show(r, last, opts.Want, now()); done {
			return last, err
		}
	}
}

// show renders one snapshot and says whether the wait is over.
func show(r Renderer, c *client.Cluster, want string, now time.Time) (bool, error) {
	r.Update(c, now)
	return settled(c, want)
}

// settled decides whether the wait is over and how it ended.
func settled(c *client.Cluster, want string) (bool, error) {
	switch {
	case c.Status == want:
		return true, nil
	case c.Status == client.StatusFailed:
		return true, failure(c)
	case c.Status == client.StatusDeleted, want == client.StatusRunning && c.Status == client.StatusDeleting:
		// Someone deleted it under us; waiting longer cannot help.
		return true, &UnexpectedError{Cluster: c.Name, Status: c.Status, Want: want}
	}
	return false, nil
}

// failure names the failed task; a cluster failed outside any task (the
// workflow could not start) has only its status message.
func failure(c *client.Cluster) error {
	for _, t := range c.Tasks {
		if t.State == client.TaskFailed {
			msg := t.Message
			if msg == "" {
				msg = c.StatusMessage
			}
			return &FailedError{Cluster: c.Name, Task: t.Name, Message: msg}
		}
	}
	return &FailedError{Cluster: c.Name, Message: c.StatusMessage}
}

// transient errors are worth another poll: the network or the service's
// side, never a 4xx that will answer the same again.
func transient(err error) bool {
	var netErr *client.NetworkError
	var apiErr *client.APIError
	switch {
	case errors.As(err, &netErr):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Status == 429 || apiErr.Status >= 500
	}
	return false
}
