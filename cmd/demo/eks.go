package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

// describeEKS reads the EKS side of the cluster with the customer's own EKS
// client, as `aws eks describe-*` would: the control plane's status and
// endpoint access, each node group's status, capacity and size, and each
// Fargate profile's status.
func (d *demo) describeEKS(ctx context.Context) error {
	cfg, err := d.cloud.CustomerConfig(ctx, demoRegion)
	if err != nil {
		return err
	}
	client, name := eks.NewFromConfig(cfg), aws.String(d.cluster.Name)
	cl, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: name})
	if err != nil {
		return fmt.Errorf("describe EKS cluster %s: %w", d.cluster.Name, err)
	}
	c := cl.Cluster
	vpc := c.ResourcesVpcConfig
	d.logf("EKS cluster %s %s, Kubernetes %s, endpoint public=%t private=%t from %s, %d subnets",
		aws.ToString(c.Name), c.Status, aws.ToString(c.Version), vpc.EndpointPublicAccess, vpc.EndpointPrivateAccess,
		strings.Join(vpc.PublicAccessCidrs, ","), len(vpc.SubnetIds))
	groups, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: name})
	if err != nil {
		return fmt.Errorf("list node groups of %s: %w", d.cluster.Name, err)
	}
	for _, g := range groups.Nodegroups {
		ng, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: name, NodegroupName: aws.String(g)})
		if err != nil {
			return fmt.Errorf("describe node group %s: %w", g, err)
		}
		n := ng.Nodegroup
		d.logf("node group %-8s %s %s %v desired %d (min %d, max %d), %d taints",
			g, n.Status, n.CapacityType, n.InstanceTypes, aws.ToInt32(n.ScalingConfig.DesiredSize),
			aws.ToInt32(n.ScalingConfig.MinSize), aws.ToInt32(n.ScalingConfig.MaxSize), len(n.Taints))
	}
	profiles, err := client.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: name})
	if err != nil {
		return fmt.Errorf("list Fargate profiles of %s: %w", d.cluster.Name, err)
	}
	for _, p := range profiles.FargateProfileNames {
		fp, err := client.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: name, FargateProfileName: aws.String(p)})
		if err != nil {
			return fmt.Errorf("describe Fargate profile %s: %w", p, err)
		}
		d.logf("Fargate profile %s %s, %d selectors, %d private subnets", p, fp.FargateProfile.Status,
			len(fp.FargateProfile.Selectors), len(fp.FargateProfile.Subnets))
	}
	return nil
}
