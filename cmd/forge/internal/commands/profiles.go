package commands

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/exitcode"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/spec"
)

func (a *app) profilesCmd() *cobra.Command {
	cmd := a.group("profiles", "Manage cluster profiles (OS, Kubernetes, CNI, CSI and add-on layers)", "profile", "clusterprofiles")
	cmd.AddCommand(a.profileCreateCmd(), a.profileListCmd(), a.profileGetCmd())
	return cmd
}

func (a *app) profileCreateCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:     "create -f profile.yaml",
		Short:   "Create a profile from a YAML or JSON file ('-' for stdin)",
		Example: "  forge profiles create -f k8s131.yaml",
		Args:    cobra.NoArgs,
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "profile spec, YAML or JSON ('-' reads stdin)")
	_ = cmd.MarkFlagRequired("file")
	cmd.RunE = a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
		body, err := a.loadSpec(file)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var p client.Profile
		raw, err := c.Do(ctx, http.MethodPost, profiles.path, body, &p)
		if err != nil {
			return fmt.Errorf("create profile: %w", err)
		}
		return a.print(raw, func() (output.View, error) { return profileTable(p), nil })
	})
	return cmd
}

func (a *app) profileListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List the project's profiles", Args: cobra.NoArgs,
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			items, err := c.ListAll(ctx, profiles.path)
			if err != nil {
				return fmt.Errorf("list profiles: %w", err)
			}
			return a.print(output.Items(items), func() (output.View, error) {
				list, err := client.DecodeAll[client.Profile](items)
				if err != nil {
					return nil, err
				}
				return profileTable(list...), nil
			})
		}),
	}
}

func (a *app) profileGetCmd() *cobra.Command {
	return &cobra.Command{
		Use: "get PROFILE", Short: "Show one profile (id or name)", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, profiles, args[0])
			if err != nil {
				return err
			}
			var p client.Profile
			raw, err := c.Do(ctx, http.MethodGet, profiles.itemPath(id), nil, &p)
			if err != nil {
				return fmt.Errorf("get profile %s: %w", args[0], err)
			}
			return a.print(raw, func() (output.View, error) {
				layers := output.NewTable("layer", "type", "version")
				for _, l := range p.Layers {
					layers.Add(l.Name, l.Type, l.Version)
				}
				return output.Sections{profileTable(p), layers}, nil
			})
		}),
	}
}

// loadSpec reads -f; an unreadable or malformed file is bad input (2).
func (a *app) loadSpec(file string) (map[string]any, error) {
	body, err := spec.Load(file, a.io.In)
	return body, exitcode.Wrap(exitcode.BadInput, err)
}

func profileTable(list ...client.Profile) output.View {
	t := output.NewTable("name", "id", "layers", "version", "age")
	now := time.Now()
	for _, p := range list {
		var layers []string
		for _, l := range p.Layers {
			layers = append(layers, l.Name+"@"+l.Version)
		}
		t.Add(p.Name, p.ID, strings.Join(layers, ","), fmt.Sprint(p.Version), output.Age(p.CreatedAt, now))
	}
	return t
}
