package router

import "github.com/clusterforge/clusterforge/local/awsproto"

// restRoutes names the restJson1 operations the service calls, so that
// accounting, fault rules and IAM policies see "lambda:Invoke", not a path.
// More specific patterns come first: the first match wins.
var restRoutes = map[string][][3]string{
	"lambda": {
		{"POST", "/2015-03-31/functions/{name}/invocations", "Invoke"},
		{"POST", "/2014-11-13/functions/{name}/invoke-async", "InvokeAsync"},
		{"GET", "/2015-03-31/functions/{name}/configuration", "GetFunctionConfiguration"},
		{"PUT", "/2015-03-31/functions/{name}/configuration", "UpdateFunctionConfiguration"},
		{"PUT", "/2015-03-31/functions/{name}/code", "UpdateFunctionCode"},
		{"POST", "/2015-03-31/functions/{name}/policy", "AddPermission"},
		{"GET", "/2015-03-31/functions/{name}/policy", "GetPolicy"},
		{"DELETE", "/2015-03-31/functions/{name}/policy/{sid}", "RemovePermission"},
		{"POST", "/2015-03-31/functions/{name}/versions", "PublishVersion"},
		{"GET", "/2015-03-31/functions/{name}/versions", "ListVersionsByFunction"},
		{"POST", "/2015-03-31/functions/{name}/aliases", "CreateAlias"},
		{"GET", "/2015-03-31/functions/{name}/aliases/{alias}", "GetAlias"},
		{"PUT", "/2017-10-31/functions/{name}/concurrency", "PutFunctionConcurrency"},
		{"GET", "/2015-03-31/functions/{name}", "GetFunction"},
		{"DELETE", "/2015-03-31/functions/{name}", "DeleteFunction"},
		{"POST", "/2015-03-31/functions", "CreateFunction"},
		{"GET", "/2015-03-31/functions", "ListFunctions"},
		{"POST", "/2015-03-31/event-source-mappings", "CreateEventSourceMapping"},
		{"GET", "/2017-03-31/tags/{+}", "ListTags"},
		{"POST", "/2017-03-31/tags/{+}", "TagResource"},
		{"DELETE", "/2017-03-31/tags/{+}", "UntagResource"},
	},
	"eks": {
		{"GET", "/clusters/{name}/node-groups/{ng}/updates/{id}", "DescribeUpdate"},
		{"POST", "/clusters/{name}/node-groups/{ng}/update-config", "UpdateNodegroupConfig"},
		{"POST", "/clusters/{name}/node-groups/{ng}/update-version", "UpdateNodegroupVersion"},
		{"GET", "/clusters/{name}/node-groups/{ng}", "DescribeNodegroup"},
		{"DELETE", "/clusters/{name}/node-groups/{ng}", "DeleteNodegroup"},
		{"POST", "/clusters/{name}/node-groups", "CreateNodegroup"},
		{"GET", "/clusters/{name}/node-groups", "ListNodegroups"},
		{"GET", "/clusters/{name}/fargate-profiles/{fp}", "DescribeFargateProfile"},
		{"DELETE", "/clusters/{name}/fargate-profiles/{fp}", "DeleteFargateProfile"},
		{"POST", "/clusters/{name}/fargate-profiles", "CreateFargateProfile"},
		{"GET", "/clusters/{name}/fargate-profiles", "ListFargateProfiles"},
		{"GET", "/clusters/{name}/addons/{addon}", "DescribeAddon"},
		{"DELETE", "/clusters/{name}/addons/{addon}", "DeleteAddon"},
		{"POST", "/clusters/{name}/addons/{addon}/update", "UpdateAddon"},
		{"POST", "/clusters/{name}/addons", "CreateAddon"},
		{"GET", "/clusters/{name}/addons", "ListAddons"},
		{"POST", "/clusters/{name}/access-entries/{+}", "AssociateAccessPolicy"},
		{"GET", "/clusters/{name}/access-entries/{+}", "DescribeAccessEntry"},
		{"DELETE", "/clusters/{name}/access-entries/{+}", "DeleteAccessEntry"},
		{"POST", "/clusters/{name}/access-entries", "CreateAccessEntry"},
		{"GET", "/clusters/{name}/access-entries", "ListAccessEntries"},
		{"GET", "/clusters/{name}/updates/{id}", "DescribeUpdate"},
		{"POST", "/clusters/{name}/updates", "UpdateClusterVersion"},
		{"GET", "/clusters/{name}/updates", "ListUpdates"},
		{"POST", "/clusters/{name}/update-config", "UpdateClusterConfig"},
		{"GET", "/clusters/{name}", "DescribeCluster"},
		{"DELETE", "/clusters/{name}", "DeleteCluster"},
		{"POST", "/clusters", "CreateCluster"},
		{"GET", "/clusters", "ListClusters"},
		{"GET", "/addons/supported-versions", "DescribeAddonVersions"},
		{"GET", "/tags/{+}", "ListTagsForResource"},
		{"POST", "/tags/{+}", "TagResource"},
		{"DELETE", "/tags/{+}", "UntagResource"},
	},
	"scheduler": {
		{"POST", "/schedules/{name}", "CreateSchedule"},
		{"GET", "/schedules/{name}", "GetSchedule"},
		{"PUT", "/schedules/{name}", "UpdateSchedule"},
		{"DELETE", "/schedules/{name}", "DeleteSchedule"},
		{"GET", "/schedules", "ListSchedules"},
		{"POST", "/schedule-groups/{name}", "CreateScheduleGroup"},
		{"GET", "/schedule-groups/{name}", "GetScheduleGroup"},
		{"DELETE", "/schedule-groups/{name}", "DeleteScheduleGroup"},
		{"GET", "/schedule-groups", "ListScheduleGroups"},
		{"GET", "/tags/{+}", "ListTagsForResource"},
		{"POST", "/tags/{+}", "TagResource"},
		{"DELETE", "/tags/{+}", "UntagResource"},
	},
}

func init() {
	for service, routes := range restRoutes {
		for _, r := range routes {
			awsproto.RegisterRESTAction(service, r[0], r[1], r[2])
		}
	}
}
