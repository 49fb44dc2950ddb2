// Command infra is the CDK app of ClusterForge: the platform stack (HTTP
// API, Lambdas, state machines, table, scheduler, alarms) and the role stack
// a customer deploys in their own account. `make synth` runs it offline and
// writes cdk.out/; `make deploy` hands that to the cdk CLI.
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	cfg, err := ConfigFromEnv()
	if err != nil {
		return err
	}
	stacks, err := NewApp(cfg)
	if err != nil {
		return err
	}
	stacks.App.Synth(nil)
	fmt.Fprintf(os.Stderr, "synthesized %s and %s into %s\n", PlatformStackName, CustomerRoleStackName, cfg.Outdir)
	return nil
}
