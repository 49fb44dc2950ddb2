// Command network is the network task Lambda of the cluster state machines
// (statemachines/*.asl.json, ${NetworkFunctionArn}); the actions live in shared/workflow.
package main

import (
	"github.com/clusterforge/clusterforge/shared/workflow"
	"github.com/clusterforge/clusterforge/shared/workflow/lambdamain"
)

func main() { lambdamain.Run(workflow.NetworkActions) }
