// Command forcedelete-unlock is invoked by the one-time EventBridge
// Scheduler schedule the API creates on DELETE: it marks the cluster
// force-deletable if it is still in that same deletion.
package main

import "github.com/clusterforge/clusterforge/shared/workflow/lambdamain"

func main() { lambdamain.RunUnlock() }
