package commands

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/spec"
)

// clusterInput is the request of create and plan: a spec file, or the
// flag shortcuts, with a few flags that may also override the file.
type clusterInput struct {
	file  string
	flags spec.ClusterFlags
}

// shortcut flags that describe the cluster's shape: they cannot be mixed
// with -f, where the file is the single source of the shape.
var shapeFlags = []string{"azs", "workers", "instance-type", "control-plane-size", "control-plane-instance-type",
	"worker-pool", "nat-gateways", "bastion-cidr", "no-bastion", "spot-max-price-percent", "description"}

func (in *clusterInput) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	fl := &in.flags
	f.StringVarP(&in.file, "file", "f", "", "cluster spec, YAML or JSON, as the API takes it ('-' reads stdin)")
	f.StringVar(&fl.Name, "name", "", "cluster name (overrides the file's)")
	f.StringVar(&fl.Account, "account", "", "cloud account id or name (overrides the file's)")
	f.StringVar(&fl.Profile, "profile", "", "cluster profile id or name (overrides the file's)")
	f.StringVar(&fl.Region, "region", "", "AWS region, e.g. eu-west-1 (overrides the file's)")
	f.StringVar(&fl.SSHKey, "ssh-key", "", "EC2 key pair for the nodes and the bastion (overrides the file's)")
	f.StringVar(&fl.Description, "description", "", "free text")
	f.StringSliceVar(&fl.AZs, "azs", nil, "availability zones, e.g. eu-west-1a,eu-west-1b")
	f.StringVar(&fl.NATGateways, "nat-gateways", "", "perAz (HA, API default) or single")
	f.StringSliceVar(&fl.BastionCIDRs, "bastion-cidr", nil, "CIDRs allowed to SSH/RDP to the bastion")
	f.BoolVar(&fl.NoBastion, "no-bastion", false, "no bastion host")
	f.IntVar(&fl.ControlPlaneSize, "control-plane-size", 0, "1, 3 or 5 (default 3 with 3+ AZs, else 1)")
	f.StringVar(&fl.ControlPlaneType, "control-plane-instance-type", "", "control-plane instance type (default --instance-type)")
	f.IntVar(&fl.Workers, "workers", 0, "worker nodes in the worker pool (0: none)")
	f.StringVar(&fl.WorkerPool, "worker-pool", "workers", "worker pool name")
	f.StringVar(&fl.InstanceType, "instance-type", "", "instance type, e.g. m5.large")
	f.IntVar(&fl.SpotMaxPricePercent, "spot-max-price-percent", 0, "run workers on spot at up to this % of the on-demand price")
	cmd.MarkFlagsMutuallyExclusive("bastion-cidr", "no-bastion")
}

// body builds the request, resolving account and profile names to ids.
func (in *clusterInput) body(ctx context.Context, a *app, cmd *cobra.Command, c *client.Client) (map[string]any, error) {
	fl := in.flags
	var err error
	if fl.Account != "" {
		if fl.Account, err = accounts.resolve(ctx, c, fl.Account); err != nil {
			return nil, err
		}
	}
	if fl.Profile != "" {
		if fl.Profile, err = profiles.resolve(ctx, c, fl.Profile); err != nil {
			return nil, err
		}
	}
	if in.file == "" {
		body, err := spec.Cluster(fl)
		if err != nil {
			return nil, usagef("%v", err)
		}
		return body, nil
	}
	for _, name := range shapeFlags {
		if cmd.Flags().Changed(name) {
			return nil, usagef("--%s cannot be combined with -f: put it in the file", name)
		}
	}
	body, err := a.loadSpec(in.file)
	if err != nil {
		return nil, err
	}
	// The identity flags override the file, so one file can stamp out
	// the same cluster under several names, accounts or regions.
	for key, v := range map[string]string{"name": fl.Name, "cloudAccountId": fl.Account, "profileId": fl.Profile, "region": fl.Region, "sshKeyName": fl.SSHKey} {
		if v != "" {
			body[key] = v
		}
	}
	return body, nil
}
