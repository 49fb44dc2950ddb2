package main

import (
	"strings"
	"time"
)

// AWS's public on-demand prices (us-east-1) the issue names.
const (
	priceTransition    = 0.025 / 1000     // Step Functions Standard, per state transition
	priceLambdaGBs     = 0.0000166667     // Lambda x86, per GB-second
	priceLambdaRequest = 0.20 / 1e6       // Lambda, per request
	priceDDBWrite      = 1.25 / 1e6       // DynamoDB on-demand, per write request unit
	priceDDBRead       = 0.25 / 1e6       // DynamoDB on-demand, per read request unit
	priceSecretsCall   = 0.05 / 10000     // Secrets Manager, per API call
	priceSchedulerRun  = 1.0 / 1e6        // EventBridge Scheduler, per invocation
	lambdaMemoryGB     = 256.0 / 1024     // the functions' memory (local/launcher sets 256 MB, as the CDK app should)
	forceDeleteDelay   = 15 * time.Minute // DESIGN §4: the unlock schedule fires deletingSince + 15 min
)

// Cost is the platform account's bill for one lifecycle, item by item.
type Cost struct {
	TotalUSD         float64            `json:"totalUSD"`
	ByItemUSD        map[string]float64 `json:"byItemUSD"`
	Transitions      int                `json:"stateTransitions"`
	LambdaRequests   int                `json:"lambdaRequests"`
	LambdaGBSeconds  float64            `json:"lambdaGBSeconds"`
	LambdaSeconds    float64            `json:"lambdaSeconds"`
	DynamoDBWrites   int                `json:"dynamodbWriteUnits"`
	DynamoDBReads    int                `json:"dynamodbReadUnits"`
	DynamoDBByAction []Count            `json:"dynamodbByAction"`
	SecretsCalls     int                `json:"secretsManagerCalls"`
	SchedulerRuns    int                `json:"schedulerInvocations"`
	SchedulerCalls   int                `json:"schedulerApiCalls"`
	Assumptions      []string           `json:"assumptions"`
}

func costFigure(s *session, r *lifecycleResult, transitions int) *Cost {
	c := &Cost{Transitions: transitions, ByItemUSD: map[string]float64{}}
	var lambdaTime time.Duration
	for _, e := range []execution{r.provision.exec, r.delete.exec} {
		n, d := e.lambdaRuns()
		c.LambdaRequests += n
		lambdaTime += d
	}
	// The API Lambda served the POST and the DELETE; the round trip through
	// the local gateway bounds its duration from above.
	c.LambdaRequests += 2
	lambdaTime += r.provision.answered.Sub(r.provision.requested) + r.delete.answered.Sub(r.delete.requested)
	c.LambdaSeconds = round(lambdaTime.Seconds(), 3)
	c.LambdaGBSeconds = round(lambdaTime.Seconds()*lambdaMemoryGB, 3)

	platform := r.platformCalls()
	ddb := filter(platform, func(x call) bool { return x.Service == "dynamodb" })
	for _, x := range ddb {
		switch {
		case strings.HasPrefix(x.Action, "Transact") && strings.Contains(x.Action, "Write"):
			c.DynamoDBWrites += 2 // transactions cost twice, per item; at least one item
		case strings.HasPrefix(x.Action, "Transact"):
			c.DynamoDBReads += 2
		case isDDBWrite(x.Action):
			c.DynamoDBWrites++
		default:
			c.DynamoDBReads++
		}
	}
	c.DynamoDBByAction = countBy(ddb, call.key)
	c.SecretsCalls = len(filter(platform, func(x call) bool { return x.Service == "secretsmanager" }))
	c.SchedulerCalls = len(filter(platform, func(x call) bool { return x.Service == "scheduler" }))
	// The unlock schedule fires only if the deletion is still running when
	// it is due; a deletion that ends sooner deletes it unfired.
	if s.simSeconds(r.delete.exec.stop.Sub(r.delete.requested)) >= forceDeleteDelay.Seconds() {
		c.SchedulerRuns = 1
	}

	c.ByItemUSD["stepFunctions"] = float64(c.Transitions) * priceTransition
	c.ByItemUSD["lambda"] = c.LambdaGBSeconds*priceLambdaGBs + float64(c.LambdaRequests)*priceLambdaRequest
	c.ByItemUSD["dynamodb"] = float64(c.DynamoDBWrites)*priceDDBWrite + float64(c.DynamoDBReads)*priceDDBRead
	c.ByItemUSD["secretsManager"] = float64(c.SecretsCalls) * priceSecretsCall
	c.ByItemUSD["scheduler"] = float64(c.SchedulerRuns) * priceSchedulerRun
	for k, v := range c.ByItemUSD {
		c.ByItemUSD[k] = round(v, 6)
		c.TotalUSD += v
	}
	c.TotalUSD = round(c.TotalUSD, 6)
	c.Assumptions = []string{
		"prices: AWS public on-demand, us-east-1: Step Functions Standard $0.025/1k transitions, Lambda $0.0000166667/GB-s + $0.20/1M requests, DynamoDB on-demand $1.25/M write and $0.25/M read request units, Secrets Manager $0.05/10k calls, Scheduler $1/M invocations",
		"Lambda memory 256 MB (what the local cloud configures); task durations are LambdaFunctionStarted→Succeeded in the execution history, the API's are its request round trips; measured on this shared 2-core machine, so an upper bound for AWS",
		"DynamoDB: one request unit per call (items ≤ 1 KB written, ≤ 4 KB read), transactions two; counted from the router's call log for the platform account: every task Lambda's calls and the API Lambda's while it served the create and delete requests (the bench's own GETs excluded)",
		"Scheduler: one invocation only if the deletion outlasts the 15-minute unlock delay; free-tier and data transfer ignored",
	}
	return c
}

func isDDBWrite(action string) bool {
	switch action {
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem":
		return true
	}
	return false
}
