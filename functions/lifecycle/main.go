// Command lifecycle is the lifecycle task Lambda of the cluster state machines
// (statemachines/*.asl.json, ${LifecycleFunctionArn}); the actions live in shared/workflow.
package main

import (
	"github.com/clusterforge/clusterforge/shared/workflow"
	"github.com/clusterforge/clusterforge/shared/workflow/lambdamain"
)

func main() { lambdamain.Run(workflow.LifecycleActions) }
