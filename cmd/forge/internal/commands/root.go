// Package commands is forge's command tree (cobra): one file per API noun,
// each command a thin mapping from flags to one API call and a view.
package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/config"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/exitcode"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
)

// IO is where a run reads and writes; tests and main pass their own.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	Getenv   func(string) string
}

// app is the state one invocation shares between its commands.
type app struct {
	io      IO
	flags   config.Settings // --endpoint, --token
	format  string          // -o
	poll    time.Duration
	ran     bool // a RunE started: any error before that is a usage error
	cmdPath string
}

// Execute runs forge with args and returns the exit status.
func Execute(args []string, stdio IO) int {
	if stdio.Getenv == nil {
		stdio.Getenv = os.Getenv
	}
	// Ctrl-C ends a watch cleanly (the cluster goes on without us).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	a := &app{io: stdio}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	if !a.ran {
		// cobra's own errors: unknown command or flag, wrong arg count.
		err = exitcode.Wrap(exitcode.Usage, err)
	}
	code := exitcode.Of(err)
	if errors.Is(err, context.Canceled) {
		code = 130 // the shell's convention for SIGINT
	}
	fmt.Fprintln(stdio.Err, "error: "+message(err))
	if code == exitcode.Usage {
		fmt.Fprintf(stdio.Err, "Run '%s --help' for usage.\n", cmp.Or(a.cmdPath, "forge"))
	}
	return code
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "forge",
		Short: "Provision and watch Kubernetes clusters in your AWS accounts with ClusterForge",
		Long: `forge talks to the ClusterForge API. Log in once with 'forge login', or set
FORGE_ENDPOINT and FORGE_TOKEN; --endpoint and --token override both.

Exit codes: 0 ok, 1 the operation failed (e.g. a watched cluster went Failed),
2 bad input, 3 not found, 4 conflict, 5 not authenticated or not allowed,
6 server error or unsupported by this server, 64 usage error, 130 interrupted.`,
		SilenceUsage:  true, // a failed API call is not a reason to print the flags
		SilenceErrors: true, // Execute prints errors itself, with the exit code's hint
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.Endpoint, "endpoint", "", "API endpoint (env "+config.EnvEndpoint+")")
	pf.StringVar(&a.flags.Token, "token", "", "bearer token (env "+config.EnvToken+")")
	pf.StringVarP(&a.format, "output", "o", "table", "output format: table, json or yaml")
	pf.DurationVar(&a.poll, "poll-interval", 2*time.Second, "how often --watch polls the API")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		a.cmdPath = c.CommandPath()
		return exitcode.Wrap(exitcode.Usage, err)
	})
	root.AddCommand(a.loginCmd(), a.accountsCmd(), a.profilesCmd(), a.clustersCmd(), a.nodePoolsCmd())
	return root
}

// message is what the user reads after "error: ". An API answer is shown
// in the API's own words, "field: message", without the wrapping context:
// the user knows which command they ran, and the field path is what
// leads them to the line to fix. Errors a command explained keep theirs.
func message(err error) string {
	var apiErr *client.APIError
	var explained *explainedError
	switch {
	case errors.As(err, &explained):
		return err.Error()
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized:
		return apiErr.Error() + " (the token is invalid or expired: run 'forge login')"
	case errors.As(err, &apiErr):
		return apiErr.Error()
	}
	return err.Error()
}

// explainedError is an error a command put in its own words because the
// API's alone would mislead; the cause stays reachable for the exit code.
type explainedError struct {
	msg string
	err error
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

func explain(err error, format string, args ...any) error {
	return &explainedError{msg: fmt.Sprintf(format, args...), err: err}
}

// group is a command that only holds subcommands. cobra would print help
// and exit 0 for "forge clusters frobnicate"; a typo in a script must fail.
func (a *app) group(use, short string, aliases ...string) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Aliases: aliases,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			a.cmdPath = cmd.CommandPath()
			return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
		},
	}
}

// run wraps a command body: it marks that parsing succeeded (so later
// errors keep their own exit status) and checks -o first.
func (a *app) run(fn func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		a.cmdPath = cmd.CommandPath()
		if _, err := output.ParseFormat(a.format); err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		return fn(cmd.Context(), cmd, args)
	}
}

// usagef is a usage error found in a command body.
func usagef(format string, args ...any) error {
	return exitcode.Wrap(exitcode.Usage, fmt.Errorf(format, args...))
}

// settings resolves endpoint and token: flag > env > config file.
func (a *app) settings() (config.Settings, string, error) {
	path, err := config.Path()
	if err != nil {
		return config.Settings{}, "", err
	}
	file, err := config.Load(path)
	if err != nil {
		return config.Settings{}, path, exitcode.Wrap(exitcode.Usage, err)
	}
	return config.Resolve(a.flags, a.io.Getenv, file), path, nil
}

// client is an API client for the resolved settings; a missing endpoint
// or token is reported before any request is made.
func (a *app) client() (*client.Client, error) {
	s, _, err := a.settings()
	if err != nil {
		return nil, err
	}
	if s.Endpoint == "" {
		return nil, usagef("no API endpoint: run 'forge login --endpoint URL' or set %s", config.EnvEndpoint)
	}
	if s.Token == "" {
		return nil, exitcode.Wrap(exitcode.Auth, fmt.Errorf("not logged in: run 'forge login' or set %s", config.EnvToken))
	}
	return client.New(s.Endpoint, s.Token), nil
}

// print writes an API answer in the chosen -o format.
func (a *app) print(raw []byte, table func() (output.View, error)) error {
	f, _ := output.ParseFormat(a.format) // checked in run
	return output.Print(a.io.Out, f, raw, table)
}

// isTerminal reports whether w is an interactive terminal, where the live
// view may move the cursor.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
