package commands

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
)

func (a *app) clustersCmd() *cobra.Command {
	cmd := a.group("clusters", "Create, watch and delete clusters", "cluster")
	cmd.AddCommand(a.clusterCreateCmd(), a.clusterPlanCmd(), a.clusterListCmd(), a.clusterGetCmd(),
		a.clusterDeleteCmd(), a.clusterForceDeleteCmd(), a.clusterRetryCmd(), a.clusterWatchCmd())
	return cmd
}

func (a *app) clusterCreateCmd() *cobra.Command {
	var in clusterInput
	var watching bool
	cmd := &cobra.Command{
		Use:   "create (-f cluster.yaml | --name NAME --account ACC --profile PRF --region REGION ...)",
		Short: "Create a cluster from a spec file or flag shortcuts",
		Example: `  forge clusters create -f cluster.yaml --watch
  forge clusters create --name dev --account main --profile k8s131 --region eu-west-1 \
      --azs eu-west-1a --workers 1 --instance-type m5.large --ssh-key ops \
      --nat-gateways single --bastion-cidr 203.0.113.0/24 --watch`,
		Args: cobra.NoArgs,
	}
	in.bind(cmd)
	addWatchFlag(cmd, &watching)
	cmd.RunE = a.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		body, err := in.body(ctx, a, cmd, c)
		if err != nil {
			return err
		}
		return a.mutation(ctx, c, watching, "create cluster", http.MethodPost, clusters.path, body, wantFinal)
	})
	return cmd
}

func (a *app) clusterListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List the project's clusters (Deleted ones leave the list)", Args: cobra.NoArgs,
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			items, err := c.ListAll(ctx, clusters.path)
			if err != nil {
				return fmt.Errorf("list clusters: %w", err)
			}
			return a.print(output.Items(items), func() (output.View, error) {
				list, err := client.DecodeAll[client.Cluster](items)
				if err != nil {
					return nil, err
				}
				return clusterTable(list...), nil
			})
		}),
	}
}

func (a *app) clusterGetCmd() *cobra.Command {
	return &cobra.Command{
		Use: "get CLUSTER", Short: "Show a cluster: status, tasks, node pools, resources (id or name)", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, clusters, args[0])
			if err != nil {
				return err
			}
			return a.printCluster(ctx, c, id)
		}),
	}
}

// clusterAction is delete and retry: POST/DELETE on the cluster, --watch.
func (a *app) clusterAction(use, short, what, method, suffix string) *cobra.Command {
	var watching bool
	cmd := &cobra.Command{Use: use + " CLUSTER", Short: short, Args: cobra.ExactArgs(1)}
	addWatchFlag(cmd, &watching)
	cmd.RunE = a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
		c, id, err := a.clientFor(ctx, clusters, args[0])
		if err != nil {
			return err
		}
		return a.mutation(ctx, c, watching, what+" "+args[0], method, clusters.itemPath(id)+suffix, nil, wantFinal)
	})
	return cmd
}

func (a *app) clusterDeleteCmd() *cobra.Command {
	return a.clusterAction("delete", "Delete a cluster and everything it created in the account", "delete cluster", http.MethodDelete, "")
}

func (a *app) clusterRetryCmd() *cobra.Command {
	return a.clusterAction("retry", "Resume a Failed cluster from its failed step (or a stuck deletion)", "retry cluster", http.MethodPost, "/retry")
}

func (a *app) clusterWatchCmd() *cobra.Command {
	return &cobra.Command{
		Use: "watch CLUSTER", Short: "Follow a cluster's current workflow until it settles", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, clusters, args[0])
			if err != nil {
				return err
			}
			var cl client.Cluster
			if _, err := c.Do(ctx, http.MethodGet, clusters.itemPath(id), nil, &cl); err != nil {
				return fmt.Errorf("get cluster %s: %w", args[0], err)
			}
			return a.follow(ctx, c, &cl, wantFinal(&cl))
		}),
	}
}

func (a *app) clusterForceDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "force-delete CLUSTER",
		Short: "Stop a deletion that has run 15 minutes or more and list what it left behind",
		Args:  cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, clusters, args[0])
			if err != nil {
				return err
			}
			var cl client.Cluster
			raw, err := c.Do(ctx, http.MethodPost, clusters.itemPath(id)+"/forcedelete", nil, &cl)
			var apiErr *client.APIError
			if errors.As(err, &apiErr) && apiErr.AvailableAt != nil {
				// Same 409, but in the user's clock with a countdown.
				apiErr.Message = "force delete becomes available " + whenAvailable(*apiErr.AvailableAt, time.Now())
			}
			if err != nil {
				return fmt.Errorf("force delete %s: %w", args[0], err)
			}
			return a.print(raw, func() (output.View, error) { return clusterView(cl), nil })
		}),
	}
}
