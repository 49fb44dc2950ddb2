package domain

// callsFor lists the mutating AWS API calls that create one planned resource
// of a type (and role, where it matters), tags included via
// TagSpecifications. Describe calls are left out: how often a Wait loop
// polls depends on AWS's latency, not on the plan.
var callsFor = map[ResourceType]map[string][]string{
	ResVPC: {"": {
		"ec2:CreateVpc",
		// DNS support and DNS hostnames are separate calls: AWS accepts
		// one attribute per ModifyVpcAttribute.
		"ec2:ModifyVpcAttribute", "ec2:ModifyVpcAttribute",
	}},
	ResSubnet: {
		RolePublic:  {"ec2:CreateSubnet", "ec2:ModifySubnetAttribute"}, // MapPublicIpOnLaunch
		RolePrivate: {"ec2:CreateSubnet"},
	},
	ResInternetGateway: {"": {"ec2:CreateInternetGateway", "ec2:AttachInternetGateway"}},
	// Route tables: one association per subnet, added by routeTableCalls.
	ResRouteTable: {"": {"ec2:CreateRouteTable", "ec2:CreateRoute"}},
	ResEIP:        {"": {"ec2:AllocateAddress"}},
	ResNATGateway: {"": {"ec2:CreateNatGateway"}},
	ResSecurityGroup: {"": {
		// One AuthorizeSecurityGroupIngress carries all of a group's rules.
		"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
	}},
	// One RunInstances per instance: each has its own ClientToken, so a
	// retry after a partial failure re-asks only for the missing ones.
	ResInstance: {
		"":               {"ec2:RunInstances"},
		RoleControlPlane: {"ec2:RunInstances", "elasticloadbalancing:RegisterTargets"},
	},
	ResLoadBalancer: {"": {"elasticloadbalancing:CreateLoadBalancer"}},
	ResTargetGroup:  {"": {"elasticloadbalancing:CreateTargetGroup"}},
	ResListener:     {"": {"elasticloadbalancing:CreateListener"}},
	// IAM roles take their tags in CreateRole, then one AttachRolePolicy
	// per AWS managed policy of the role (the EKS contract's lists).
	ResIAMRole: {
		RoleEKSCluster:         {"iam:CreateRole", "iam:AttachRolePolicy"},
		RoleEKSNode:            {"iam:CreateRole", "iam:AttachRolePolicy", "iam:AttachRolePolicy", "iam:AttachRolePolicy"},
		RoleFargatePodExecutor: {"iam:CreateRole", "iam:AttachRolePolicy"},
	},
	// EKS creates take their tags; node group sizes are one call whatever
	// the size (the instances are the node group's Auto Scaling group's).
	ResEKSCluster:     {"": {"eks:CreateCluster"}},
	ResNodeGroup:      {"": {"eks:CreateNodegroup"}},
	ResFargateProfile: {"": {"eks:CreateFargateProfile"}},
}

// PlannedCalls counts, per "service:Action", the mutating AWS calls
// provisioning the plan makes when nothing fails — the dry-run answer and
// the baseline `make bench` compares real call counts with.
func PlannedCalls(p Plan) map[string]int {
	out := map[string]int{}
	for _, r := range p.Resources {
		byRole := callsFor[r.Type]
		calls, ok := byRole[r.Role]
		if !ok {
			calls = byRole[""]
		}
		for _, c := range calls {
			out[c]++
		}
		if r.Type == ResRouteTable {
			out["ec2:AssociateRouteTable"] += len(r.Subnets)
		}
	}
	return out
}
