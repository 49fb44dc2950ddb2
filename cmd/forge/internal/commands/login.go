package commands

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/config"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/exitcode"
)

func (a *app) loginCmd() *cobra.Command {
	var noVerify bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store the API endpoint and your token in the user config dir",
		Long: `login saves the endpoint and token to <user config dir>/clusterforge/config.yaml
(mode 0600). The token comes from --token, then ` + config.EnvToken + `, else it is read
from stdin (without echo on a terminal). It is checked against the API first.`,
		Example: "  forge login --endpoint https://api.clusterforge.example --token \"$TOKEN\"\n  pass show forge | forge login --endpoint https://api.clusterforge.example",
		Args:    cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&noVerify, "no-verify", false, "save without calling the API")
	cmd.RunE = a.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
		s, path, err := a.settings()
		if err != nil {
			return err
		}
		if s.Endpoint == "" {
			return usagef("--endpoint is required the first time")
		}
		if a.flags.Token == "" && a.io.Getenv(config.EnvToken) == "" {
			if s.Token, err = a.readToken(); err != nil {
				return err
			}
		}
		if !noVerify {
			// Any role may read the tenant's ExternalId: a cheap "who am I".
			if _, err := client.New(s.Endpoint, s.Token).Do(ctx, http.MethodGet, "/v1/cloudaccounts/externalid", nil, nil); err != nil {
				return explain(err, "%s did not accept the token, nothing saved: %s", s.Endpoint, message(err))
			}
		}
		if err := config.Save(path, s); err != nil {
			return err
		}
		fmt.Fprintf(a.io.Out, "Logged in to %s (saved to %s)\n", s.Endpoint, path)
		return nil
	})
	return cmd
}

// readToken prompts on a terminal (no echo) or reads one line from a pipe.
func (a *app) readToken() (string, error) {
	if f, ok := a.io.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.io.Err, "Token: ")
		raw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.io.Err)
		if err != nil {
			return "", fmt.Errorf("read token: %w", err)
		}
		return validToken(string(raw))
	}
	line, err := bufio.NewReader(a.io.In).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no token: pass --token, set %s or pipe it on stdin", config.EnvToken)
	}
	return validToken(line)
}

func validToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", exitcode.Wrap(exitcode.Usage, fmt.Errorf("empty token"))
	}
	return s, nil
}
