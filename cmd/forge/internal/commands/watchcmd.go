package commands

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/exitcode"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/watch"
)

// follow shows a cluster's workflow until it settles in want. With -o
// table the view goes to stdout; with json/yaml it goes to stderr, so
// stdout carries only the final object and stays parseable.
func (a *app) follow(ctx context.Context, c *client.Client, first *client.Cluster, want string) error {
	view := a.io.Out
	if a.format != string(output.Table) {
		view = a.io.Err
	}
	var r watch.Renderer = watch.NewPlain(view)
	if isTerminal(view) {
		r = watch.NewLive(view, false)
	}
	fetch := func(ctx context.Context) (*client.Cluster, error) {
		var cur client.Cluster
		_, err := c.Do(ctx, http.MethodGet, clusters.itemPath(first.ID), nil, &cur)
		return &cur, err
	}
	start := time.Now()
	last, err := watch.Run(ctx, first, fetch, r, watch.Options{Want: want, Interval: a.poll, MaxPollErrors: 10})
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped watching; %s goes on: forge clusters watch %s", first.ID, first.ID)
	case errors.As(err, new(*watch.FailedError)), errors.As(err, new(*watch.UnexpectedError)):
		return exitcode.Wrap(exitcode.Failed, err)
	case err != nil:
		return fmt.Errorf("watch %s: %w", first.ID, err)
	}
	fmt.Fprintf(view, "cluster %s (%s) is %s after %s\n", last.Name, last.ID, last.Status, watch.FormatDuration(time.Since(start)))
	if a.format != string(output.Table) {
		return a.printCluster(ctx, c, last.ID)
	}
	return nil
}

// printCluster prints the cluster's current answer as it stands (the
// watch's last poll is typed only; -o json wants the API's raw body).
func (a *app) printCluster(ctx context.Context, c *client.Client, id string) error {
	var cl client.Cluster
	raw, err := c.Do(ctx, http.MethodGet, clusters.itemPath(id), nil, &cl)
	if err != nil {
		return fmt.Errorf("get cluster %s: %w", id, err)
	}
	return a.print(raw, func() (output.View, error) { return clusterView(cl), nil })
}

// mutation is the shape of every cluster-changing command: call the API,
// then either print the answer or, with --watch, follow the workflow it
// started until want(answer).
func (a *app) mutation(ctx context.Context, c *client.Client, watching bool, what, method, path string, body any, want func(*client.Cluster) string) error {
	var cl client.Cluster
	raw, err := c.Do(ctx, method, path, body, &cl)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !watching {
		return a.print(raw, func() (output.View, error) { return clusterTable(cl), nil })
	}
	return a.follow(ctx, c, &cl, want(&cl))
}

// wantFinal is what a workflow on c ends in when it goes well: a cluster
// being deleted ends Deleted, anything else Running.
func wantFinal(c *client.Cluster) string {
	if c.DeletingSince != nil || c.Status == client.StatusDeleting {
		return client.StatusDeleted
	}
	return client.StatusRunning
}

func addWatchFlag(cmd *cobra.Command, watching *bool) {
	cmd.Flags().BoolVarP(watching, "watch", "w", false, "follow the workflow with live progress until it ends")
}
