// Command preflight is the preflight task Lambda of the cluster state machines
// (statemachines/*.asl.json, ${PreflightFunctionArn}); the actions live in shared/workflow.
package main

import (
	"github.com/clusterforge/clusterforge/shared/workflow"
	"github.com/clusterforge/clusterforge/shared/workflow/lambdamain"
)

func main() { lambdamain.Run(workflow.PreflightActions) }
