package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// addAlarms raises an alarm on any failed workflow execution and on any
// function error: either means a customer's cluster is stuck or a request
// failed, and neither is expected in normal operation (retries and Catch
// paths handle the expected faults inside the workflows).
func addAlarms(p *platform) {
	for _, name := range sortedKeys(p.machines) {
		sm := p.machines[name]
		newAlarm(p, constructID(name)+"FailedAlarm", "Executions of "+p.name(name)+" failed",
			sm.MetricFailed(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}))
	}
	for _, name := range sortedKeys(p.functions) {
		fn := p.functions[name]
		newAlarm(p, constructID(name)+"ErrorsAlarm", "Invocations of "+p.name(name)+" returned errors",
			fn.MetricErrors(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}))
	}
}

func newAlarm(p *platform, id, description string, metric awscloudwatch.Metric) {
	awscloudwatch.NewAlarm(p.stack, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		// No invocations is healthy, not unknown.
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
