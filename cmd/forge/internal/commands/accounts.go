package commands

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
)

func (a *app) accountsCmd() *cobra.Command {
	cmd := a.group("cloudaccounts", "Register and check the AWS accounts clusters go into", "cloudaccount", "accounts", "account")
	cmd.AddCommand(a.accountCreateCmd(), a.accountListCmd(), a.accountGetCmd(), a.accountValidateCmd(), a.accountDeleteCmd(), a.accountExternalIDCmd())
	return cmd
}

func (a *app) accountCreateCmd() *cobra.Command {
	var name, roleARN, keyID, secret string
	cmd := &cobra.Command{
		Use:   "create --name NAME (--role-arn ARN | --access-key-id ID)",
		Short: "Register an account by IAM role (sts) or access keys (secret)",
		Long: `With --role-arn the service assumes your role with the tenant's ExternalId
(see 'forge cloudaccounts externalid'). With --access-key-id the secret key is
read from AWS_SECRET_ACCESS_KEY or --secret-access-key; it is stored in Secrets
Manager and never shown again.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "account name (DNS label)")
	f.StringVar(&roleARN, "role-arn", "", "IAM role to assume (type sts)")
	f.StringVar(&keyID, "access-key-id", "", "access key id (type secret)")
	f.StringVar(&secret, "secret-access-key", "", "secret access key (prefer AWS_SECRET_ACCESS_KEY: flags show in ps)")
	cmd.MarkFlagsMutuallyExclusive("role-arn", "access-key-id")
	cmd.RunE = a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
		body := map[string]string{"name": name}
		switch {
		case name == "":
			return usagef("--name is required")
		case roleARN != "":
			body["type"], body["roleArn"] = "sts", roleARN
		case keyID != "":
			if secret == "" {
				secret = a.io.Getenv("AWS_SECRET_ACCESS_KEY")
			}
			if secret == "" {
				return usagef("the secret key: set AWS_SECRET_ACCESS_KEY or pass --secret-access-key")
			}
			body["type"], body["accessKeyId"], body["secretAccessKey"] = "secret", keyID, secret
		default:
			return usagef("one of --role-arn or --access-key-id is required")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var acc client.CloudAccount
		raw, err := c.Do(ctx, http.MethodPost, accounts.path, body, &acc)
		if err != nil {
			return fmt.Errorf("create cloud account: %w", err)
		}
		return a.print(raw, func() (output.View, error) { return accountTable(acc), nil })
	})
	return cmd
}

func (a *app) accountListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List the project's cloud accounts", Args: cobra.NoArgs,
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			items, err := c.ListAll(ctx, accounts.path)
			if err != nil {
				return fmt.Errorf("list cloud accounts: %w", err)
			}
			return a.print(output.Items(items), func() (output.View, error) {
				list, err := client.DecodeAll[client.CloudAccount](items)
				if err != nil {
					return nil, err
				}
				return accountTable(list...), nil
			})
		}),
	}
}

func (a *app) accountGetCmd() *cobra.Command {
	return &cobra.Command{
		Use: "get ACCOUNT", Short: "Show one cloud account (id or name)", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, accounts, args[0])
			if err != nil {
				return err
			}
			var acc client.CloudAccount
			raw, err := c.Do(ctx, http.MethodGet, accounts.itemPath(id), nil, &acc)
			if err != nil {
				return fmt.Errorf("get cloud account %s: %w", args[0], err)
			}
			return a.print(raw, func() (output.View, error) { return accountTable(acc), nil })
		}),
	}
}

func (a *app) accountValidateCmd() *cobra.Command {
	var region string
	cmd := &cobra.Command{
		Use: "validate ACCOUNT", Short: "Check identity, missing permissions and quota headroom", Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&region, "region", "", "region to check quotas in (API default us-east-1)")
	cmd.RunE = a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
		c, id, err := a.clientFor(ctx, accounts, args[0])
		if err != nil {
			return err
		}
		body := map[string]string{}
		if region != "" {
			body["region"] = region
		}
		var rep client.ValidationReport
		raw, err := c.Do(ctx, http.MethodPost, accounts.itemPath(id)+"/validate", body, &rep)
		if err != nil {
			return fmt.Errorf("validate cloud account %s: %w", args[0], err)
		}
		return a.print(raw, func() (output.View, error) { return validationView(rep), nil })
	})
	return cmd
}

func (a *app) accountDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use: "delete ACCOUNT", Aliases: []string{"rm"}, Short: "Delete an account and its stored secret", Args: cobra.ExactArgs(1),
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, id, err := a.clientFor(ctx, accounts, args[0])
			if err != nil {
				return err
			}
			if _, err := c.Do(ctx, http.MethodDelete, accounts.itemPath(id), nil, nil); err != nil {
				return fmt.Errorf("delete cloud account %s: %w", args[0], err)
			}
			fmt.Fprintf(a.io.Out, "cloud account %s deleted\n", id)
			return nil
		}),
	}
}

func (a *app) accountExternalIDCmd() *cobra.Command {
	return &cobra.Command{
		Use: "externalid", Short: "Show the ExternalId and platform account for your role's trust policy", Args: cobra.NoArgs,
		RunE: a.run(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			var ext client.ExternalID
			raw, err := c.Do(ctx, http.MethodGet, accounts.path+"/externalid", nil, &ext)
			if err != nil {
				return fmt.Errorf("get the external id: %w", err)
			}
			return a.print(raw, func() (output.View, error) {
				return output.KV("externalId", ext.ExternalID, "platformAccountId", ext.PlatformAccountID), nil
			})
		}),
	}
}

// clientFor is the client plus the id of ref in collection n.
func (a *app) clientFor(ctx context.Context, n noun, ref string) (*client.Client, string, error) {
	c, err := a.client()
	if err != nil {
		return nil, "", err
	}
	id, err := n.resolve(ctx, c, ref)
	return c, id, err
}

func accountTable(list ...client.CloudAccount) output.View {
	t := output.NewTable("name", "id", "type", "identity", "age")
	now := time.Now()
	for _, acc := range list {
		t.Add(acc.Name, acc.ID, acc.Type, acc.RoleARN+acc.AccessKeyID, output.Age(acc.CreatedAt, now))
	}
	return t
}

func validationView(r client.ValidationReport) output.View {
	missing := strings.Join(r.MissingPermissions, ", ")
	if missing == "" {
		missing = "none"
	}
	summary := output.KV("region", r.Region, "account", r.Identity.Account, "identity", r.Identity.ARN, "missing permissions", missing)
	quotas := output.NewTable("quota", "scope", "limit", "used", "available")
	for _, q := range r.Quotas {
		if q.Error != "" {
			quotas.Add(q.Name, q.Scope, "?", "?", q.Error)
			continue
		}
		quotas.Add(q.Name, q.Scope, strconv.Itoa(q.Limit), strconv.Itoa(q.Used), strconv.Itoa(q.Available))
	}
	return output.Sections{summary, quotas}
}
