package iammirror

import "strings"

// EKS-related AWS managed policies (their documents as AWS publishes them,
// trimmed of statements the local cloud cannot tell apart).
const (
	EKSClusterPolicyARN             = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
	EKSWorkerNodePolicyARN          = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
	EKSCNIPolicyARN                 = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
	EC2ContainerRegistryReadOnlyARN = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
	EKSFargatePodExecutionPolicyARN = "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
)

// awsManagedPolicies are the AWS managed policies the mirror serves, by ARN.
var awsManagedPolicies = map[string]string{
	AdministratorAccessARN: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	EKSClusterPolicyARN: `{"Version":"2012-10-17","Statement":[{"Sid":"AmazonEKSClusterPolicy","Effect":"Allow","Action":[` +
		`"autoscaling:DescribeAutoScalingGroups","autoscaling:UpdateAutoScalingGroup","ec2:AttachVolume",` +
		`"ec2:AuthorizeSecurityGroupIngress","ec2:CreateRoute","ec2:CreateSecurityGroup","ec2:CreateTags","ec2:CreateVolume",` +
		`"ec2:DeleteRoute","ec2:DeleteSecurityGroup","ec2:DeleteVolume","ec2:DescribeInstances","ec2:DescribeRouteTables",` +
		`"ec2:DescribeSecurityGroups","ec2:DescribeSubnets","ec2:DescribeVolumes","ec2:DescribeVolumesModifications",` +
		`"ec2:DescribeVpcs","ec2:DescribeDhcpOptions","ec2:DescribeNetworkInterfaces","ec2:DescribeAvailabilityZones",` +
		`"ec2:DetachVolume","ec2:ModifyInstanceAttribute","ec2:ModifyVolume","ec2:RevokeSecurityGroupIngress",` +
		`"ec2:DescribeAccountAttributes","ec2:DescribeAddresses","ec2:DescribeInternetGateways","ec2:DescribeInstanceTopology",` +
		`"elasticloadbalancing:*","kms:DescribeKey"],"Resource":"*"},` +
		`{"Sid":"AmazonEKSClusterPolicySLRCreate","Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*",` +
		`"Condition":{"StringEquals":{"iam:AWSServiceName":"elasticloadbalancing.amazonaws.com"}}},` +
		`{"Sid":"AmazonEKSClusterPolicyENIDeletion","Effect":"Allow","Action":["ec2:DeleteNetworkInterface"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"ec2:ResourceTag/eks:eni:owner":"amazon-vpc-cni"}}}]}`,
	EKSWorkerNodePolicyARN: `{"Version":"2012-10-17","Statement":[{"Sid":"WorkerNodePermissions","Effect":"Allow","Action":[` +
		`"ec2:DescribeInstances","ec2:DescribeInstanceTypes","ec2:DescribeRouteTables","ec2:DescribeSecurityGroups",` +
		`"ec2:DescribeSubnets","ec2:DescribeVolumes","ec2:DescribeVolumesModifications","ec2:DescribeVpcs",` +
		`"eks:DescribeCluster","eks-auth:AssumeRoleForPodIdentity"],"Resource":"*"}]}`,
	EKSCNIPolicyARN: `{"Version":"2012-10-17","Statement":[{"Sid":"AmazonEKSCNIPolicy","Effect":"Allow","Action":[` +
		`"ec2:AssignPrivateIpAddresses","ec2:AttachNetworkInterface","ec2:CreateNetworkInterface","ec2:DeleteNetworkInterface",` +
		`"ec2:DescribeInstances","ec2:DescribeTags","ec2:DescribeNetworkInterfaces","ec2:DescribeInstanceTypes",` +
		`"ec2:DescribeSubnets","ec2:DetachNetworkInterface","ec2:ModifyNetworkInterfaceAttribute",` +
		`"ec2:UnassignPrivateIpAddresses"],"Resource":"*"},` +
		`{"Sid":"AmazonEKSCNIPolicyENITag","Effect":"Allow","Action":["ec2:CreateTags"],"Resource":["arn:aws:ec2:*:*:network-interface/*"]}]}`,
	EC2ContainerRegistryReadOnlyARN: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` +
		`"ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy",` +
		`"ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy",` +
		`"ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings"],"Resource":"*"}]}`,
	EKSFargatePodExecutionPolicyARN: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` +
		`"ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],` +
		`"Resource":"*"}]}`,
}

// policyName is the name part of a policy ARN.
func policyName(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}
