// Command forge is the ClusterForge command-line client: every API noun
// as a command, and --watch for a live view of a cluster's workflow.
package main

import (
	"os"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/commands"
)

func main() {
	os.Exit(commands.Execute(os.Args[1:], commands.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
