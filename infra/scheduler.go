package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/jsii-runtime-go"
)

// newScheduleGroup holds the one-time force-delete schedules the api
// creates on DELETE (deletingSince + FORCE_DELETE_DELAY), so their
// permissions can be scoped to the group rather than to every schedule.
func newScheduleGroup(p *platform) awsscheduler.CfnScheduleGroup {
	return awsscheduler.NewCfnScheduleGroup(p.stack, jsii.String("ScheduleGroup"), &awsscheduler.CfnScheduleGroupProps{
		Name: jsii.String(p.scheduleGroupName()),
	})
}

// scheduleARN covers every schedule of the group.
func (p *platform) scheduleARN() *string {
	return p.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("scheduler"), Resource: jsii.String("schedule"),
		ResourceName: jsii.String(p.scheduleGroupName() + "/*"), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// newSchedulerRole is what EventBridge Scheduler assumes to invoke
// forcedelete-unlock. The trust is limited to schedules of this account's
// group (confused deputy), and the role may invoke that one function only.
func newSchedulerRole(p *platform, group awsscheduler.CfnScheduleGroup) awsiam.Role {
	role := awsiam.NewRole(p.stack, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		Description: jsii.String("EventBridge Scheduler: invoke forcedelete-unlock when force delete becomes available"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": p.stack.Account()},
				"ArnLike":      map[string]any{"aws:SourceArn": group.AttrArn()},
			},
		}),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &[]*string{p.functionARN("forcedelete-unlock")},
	}))
	return role
}
