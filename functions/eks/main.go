// Command eks is the EKS task Lambda of the EKS state machines
// (statemachines/*-eks*.asl.json, ${EksFunctionArn}): IAM roles, the EKS
// cluster, managed node groups and Fargate profiles. The actions live in
// shared/workflow.
package main

import (
	"github.com/clusterforge/clusterforge/shared/workflow"
	"github.com/clusterforge/clusterforge/shared/workflow/lambdamain"
)

func main() { lambdamain.Run(workflow.EKSActions) }
