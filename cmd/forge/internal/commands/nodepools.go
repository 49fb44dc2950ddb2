package commands

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/spec"
)

func (a *app) nodePoolsCmd() *cobra.Command {
	cmd := a.group("nodepools", "List, add, change and remove a running cluster's node pools", "nodepool", "pools")
	cmd.AddCommand(a.poolListCmd(), a.poolAddCmd(), a.poolEditCmd(), a.poolDeleteCmd())
	return cmd
}

func poolsPath(clusterID string) string { return clusters.itemPath(clusterID) + "/nodepools" }

func poolPath(clusterID, pool string) string {
	return poolsPath(clusterID) + "/" + url.PathEscape(pool)
}

// poolErr explains a missing route: a deployment older than the node
// pool API answers 404 or 405, which must not read as "no such cluster".
// Other errors pass unchanged.
func poolErr(err error) error {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.RouteMissing() {
		return explain(err, "this server does not offer node pool operations yet: %s %s answered %d (%s)",
			apiErr.Method, apiErr.Path, apiErr.Status, apiErr.Message)
	}
	return err
}

func (a *app) poolListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list CLUSTER", Aliases: []string{"ls"}, Short: "List a cluster's node pools and nodes", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, clusters, args[0])
			if err != nil {
				return err
			}
			var list struct {
				Items []client.NodePool `json:"items"`
			}
			raw, err := c.Do(ctx, http.MethodGet, poolsPath(id), nil, &list)
			if err != nil {
				return poolErr(fmt.Errorf("list node pools of %s: %w", args[0], err))
			}
			return a.print(raw, func() (output.View, error) { return poolTable(list.Items), nil })
		}),
	}
}

// bindPool registers the pool shortcut flags; only the flags a user set
// end up in the request.
func bindPool(cmd *cobra.Command, f *spec.PoolFlags, size, volume, spot *int) {
	fl := cmd.Flags()
	fl.IntVar(size, "size", 0, "number of nodes")
	fl.StringVar(&f.InstanceType, "instance-type", "", "instance type (a change rolls the nodes)")
	fl.StringSliceVar(&f.Labels, "label", nil, "node label key=value (repeatable; replaces the pool's labels)")
	fl.StringSliceVar(&f.Taints, "taint", nil, "taint key[=value]:Effect (repeatable; replaces the pool's taints)")
	fl.StringVar(&f.RollingUpdate, "rolling-update", "", "expandFirst or contractFirst")
	fl.IntVar(volume, "root-volume-gib", 0, "root volume size in GiB (a change rolls the nodes)")
	fl.IntVar(spot, "spot-max-price-percent", 0, "spot at up to this % of on-demand; 0 for on-demand")
}

// changed fills the pointer fields for flags the user actually set.
func changed(cmd *cobra.Command, f *spec.PoolFlags, size, volume, spot *int) {
	set := cmd.Flags().Changed
	if set("size") {
		f.Size = size
	}
	if set("root-volume-gib") {
		f.RootVolumeGiB = volume
	}
	if set("spot-max-price-percent") {
		f.SpotMaxPricePercent = spot
	}
	if set("label") && f.Labels == nil {
		f.Labels = []string{} // --label= clears them
	}
	if set("taint") && f.Taints == nil {
		f.Taints = []string{}
	}
}

func (a *app) poolAddCmd() *cobra.Command {
	var f spec.PoolFlags
	var file string
	var size, volume, spot int
	var watching bool
	cmd := &cobra.Command{
		Use:     "add CLUSTER (-f pool.yaml | --name NAME --size N ...)",
		Short:   "Add a worker pool (the cluster goes Updating)",
		Example: "  forge nodepools add prod-eu --name gpu --size 1 --instance-type g4dn.xlarge --taint gpu=true:NoSchedule --watch",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "pool spec, YAML or JSON ('-' reads stdin)")
	cmd.Flags().StringVar(&f.Name, "name", "", "pool name")
	cmd.Flags().StringSliceVar(&f.AZs, "azs", nil, "AZs of the pool (default: all of the cluster's)")
	bindPool(cmd, &f, &size, &volume, &spot)
	addWatchFlag(cmd, &watching)
	cmd.RunE = a.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
		changed(cmd, &f, &size, &volume, &spot)
		var body map[string]any
		var err error
		if file != "" {
			body, err = a.loadSpec(file)
		} else if body, err = spec.Pool(f); err != nil {
			err = usagef("%v", err)
		}
		if err != nil {
			return err
		}
		return a.poolMutation(ctx, args[0], watching, "add node pool", http.MethodPost, "", body)
	})
	return cmd
}

func (a *app) poolEditCmd() *cobra.Command {
	var f spec.PoolFlags
	var size, volume, spot int
	var watching bool
	cmd := &cobra.Command{
		Use:     "edit CLUSTER POOL [flags]",
		Short:   "Change a pool: size, labels and taints in place; instance type or volume by rolling nodes",
		Example: "  forge nodepools edit prod-eu general --size 5 --watch\n  forge nodepools edit prod-eu general --label tier=web --taint dedicated=web:NoSchedule",
		Args:    cobra.ExactArgs(2),
	}
	bindPool(cmd, &f, &size, &volume, &spot)
	addWatchFlag(cmd, &watching)
	cmd.RunE = a.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
		changed(cmd, &f, &size, &volume, &spot)
		body, err := spec.Patch(f)
		if err != nil {
			return usagef("%v", err)
		}
		if len(body) == 0 {
			return usagef("nothing to change: give at least one of --size, --instance-type, --label, --taint, --rolling-update, --root-volume-gib, --spot-max-price-percent")
		}
		return a.poolMutation(ctx, args[0], watching, "edit node pool "+args[1], http.MethodPatch, args[1], body)
	})
	return cmd
}

func (a *app) poolDeleteCmd() *cobra.Command {
	var watching bool
	cmd := &cobra.Command{Use: "delete CLUSTER POOL", Aliases: []string{"rm"}, Short: "Remove a worker pool", Args: cobra.ExactArgs(2)}
	addWatchFlag(cmd, &watching)
	cmd.RunE = a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
		return a.poolMutation(ctx, args[0], watching, "delete node pool "+args[1], http.MethodDelete, args[1], nil)
	})
	return cmd
}

// poolMutation sends a node pool change (pool "" is the collection) and
// prints or follows the Updating cluster it answers with.
func (a *app) poolMutation(ctx context.Context, clusterRef string, watching bool, what, method, pool string, body any) error {
	c, id, err := a.clientFor(ctx, clusters, clusterRef)
	if err != nil {
		return err
	}
	path := poolsPath(id)
	if pool != "" {
		path = poolPath(id, pool)
	}
	return poolErr(a.mutation(ctx, c, watching, what, method, path, body, wantFinal))
}
