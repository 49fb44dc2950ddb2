package cloud

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// fakeEKSAPI is an in-memory EKS with AWS's rules that the service relies
// on: one Fargate profile in transition per cluster, no cluster deletion
// while node groups or profiles remain, updates only on ACTIVE groups.
// advance() moves every transition one step (CREATING/UPDATING → ACTIVE,
// DELETING → gone), as time would.
type fakeEKSAPI struct {
	mu       sync.Mutex
	recorder recorder
	clusters map[string]*ekstypes.Cluster
	groups   map[string]*ekstypes.Nodegroup // by name (one cluster per test)
	profiles map[string]*ekstypes.FargateProfile
	updates  []*eks.UpdateNodegroupConfigInput
	// createClusterErr is returned (once) by CreateCluster.
	createClusterErr error
}

func newFakeEKSAPI() *fakeEKSAPI {
	return &fakeEKSAPI{clusters: map[string]*ekstypes.Cluster{}, groups: map[string]*ekstypes.Nodegroup{},
		profiles: map[string]*ekstypes.FargateProfile{}}
}

func eksErr(code, format string, args ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (f *fakeEKSAPI) advance() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, c := range f.clusters {
		switch c.Status {
		case ekstypes.ClusterStatusCreating:
			c.Status = ekstypes.ClusterStatusActive
		case ekstypes.ClusterStatusDeleting:
			delete(f.clusters, name)
		}
	}
	for name, g := range f.groups {
		switch g.Status {
		case ekstypes.NodegroupStatusCreating, ekstypes.NodegroupStatusUpdating:
			g.Status = ekstypes.NodegroupStatusActive
		case ekstypes.NodegroupStatusDeleting:
			delete(f.groups, name)
		}
	}
	for name, p := range f.profiles {
		switch p.Status {
		case ekstypes.FargateProfileStatusCreating:
			p.Status = ekstypes.FargateProfileStatusActive
		case ekstypes.FargateProfileStatusDeleting:
			delete(f.profiles, name)
		}
	}
}

func (f *fakeEKSAPI) CreateCluster(_ context.Context, in *eks.CreateClusterInput, _ ...func(*eks.Options)) (*eks.CreateClusterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("CreateCluster")
	if err := f.createClusterErr; err != nil {
		f.createClusterErr = nil
		return nil, err
	}
	name := aws.ToString(in.Name)
	if _, ok := f.clusters[name]; ok {
		return nil, eksErr("ResourceInUseException", "Cluster already exists with name: %s", name)
	}
	c := &ekstypes.Cluster{Name: in.Name, Status: ekstypes.ClusterStatusCreating, Tags: maps.Clone(in.Tags), Version: in.Version,
		RoleArn: in.RoleArn, ResourcesVpcConfig: &ekstypes.VpcConfigResponse{SubnetIds: in.ResourcesVpcConfig.SubnetIds,
			EndpointPublicAccess: aws.ToBool(in.ResourcesVpcConfig.EndpointPublicAccess), EndpointPrivateAccess: aws.ToBool(in.ResourcesVpcConfig.EndpointPrivateAccess),
			PublicAccessCidrs: in.ResourcesVpcConfig.PublicAccessCidrs},
		EncryptionConfig: in.EncryptionConfig, Logging: in.Logging}
	f.clusters[name] = c
	out := *c
	return &eks.CreateClusterOutput{Cluster: &out}, nil
}

func (f *fakeEKSAPI) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clusters[aws.ToString(in.Name)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No cluster found for name: %s.", aws.ToString(in.Name))
	}
	out := *c
	return &eks.DescribeClusterOutput{Cluster: &out}, nil
}

func (f *fakeEKSAPI) DeleteCluster(_ context.Context, in *eks.DeleteClusterInput, _ ...func(*eks.Options)) (*eks.DeleteClusterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("DeleteCluster")
	c, ok := f.clusters[aws.ToString(in.Name)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No cluster found")
	}
	if len(f.groups) > 0 || len(f.profiles) > 0 {
		return nil, eksErr("ResourceInUseException", "Cluster has nodegroups attached")
	}
	c.Status = ekstypes.ClusterStatusDeleting
	return &eks.DeleteClusterOutput{}, nil
}

func (f *fakeEKSAPI) clusterActive(name string) error {
	c, ok := f.clusters[name]
	if !ok {
		return eksErr("ResourceNotFoundException", "No cluster found for name: %s.", name)
	}
	if c.Status != ekstypes.ClusterStatusActive {
		return eksErr("ResourceInUseException", "Cluster %s is not ACTIVE", name)
	}
	return nil
}

func (f *fakeEKSAPI) CreateNodegroup(_ context.Context, in *eks.CreateNodegroupInput, _ ...func(*eks.Options)) (*eks.CreateNodegroupOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("CreateNodegroup")
	if err := f.clusterActive(aws.ToString(in.ClusterName)); err != nil {
		return nil, err
	}
	name := aws.ToString(in.NodegroupName)
	if _, ok := f.groups[name]; ok {
		return nil, eksErr("ResourceInUseException", "NodeGroup already exists with name %s", name)
	}
	g := &ekstypes.Nodegroup{NodegroupName: in.NodegroupName, ClusterName: in.ClusterName, Status: ekstypes.NodegroupStatusCreating,
		ScalingConfig: in.ScalingConfig, InstanceTypes: in.InstanceTypes, CapacityType: in.CapacityType, DiskSize: in.DiskSize,
		Labels: maps.Clone(in.Labels), Taints: slices.Clone(in.Taints), UpdateConfig: in.UpdateConfig, Subnets: in.Subnets,
		NodeRole: in.NodeRole, AmiType: in.AmiType, Tags: maps.Clone(in.Tags)}
	f.groups[name] = g
	out := *g
	return &eks.CreateNodegroupOutput{Nodegroup: &out}, nil
}

func (f *fakeEKSAPI) DescribeNodegroup(_ context.Context, in *eks.DescribeNodegroupInput, _ ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.groups[aws.ToString(in.NodegroupName)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No node group found")
	}
	out := *g
	out.Labels, out.Taints = maps.Clone(g.Labels), slices.Clone(g.Taints)
	return &eks.DescribeNodegroupOutput{Nodegroup: &out}, nil
}

func (f *fakeEKSAPI) ListNodegroups(_ context.Context, in *eks.ListNodegroupsInput, _ ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.clusters[aws.ToString(in.ClusterName)]; !ok {
		return nil, eksErr("ResourceNotFoundException", "No cluster found")
	}
	names := slices.Sorted(maps.Keys(f.groups))
	return &eks.ListNodegroupsOutput{Nodegroups: names}, nil
}

func (f *fakeEKSAPI) UpdateNodegroupConfig(_ context.Context, in *eks.UpdateNodegroupConfigInput, _ ...func(*eks.Options)) (*eks.UpdateNodegroupConfigOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("UpdateNodegroupConfig")
	g, ok := f.groups[aws.ToString(in.NodegroupName)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No node group found")
	}
	if g.Status != ekstypes.NodegroupStatusActive {
		return nil, eksErr("ResourceInUseException", "Nodegroup cannot be updated as it is currently not in Active State")
	}
	f.updates = append(f.updates, in)
	if in.ScalingConfig != nil {
		g.ScalingConfig = in.ScalingConfig
	}
	if in.UpdateConfig != nil {
		g.UpdateConfig = in.UpdateConfig
	}
	if in.Labels != nil {
		if g.Labels == nil {
			g.Labels = map[string]string{}
		}
		maps.Copy(g.Labels, in.Labels.AddOrUpdateLabels)
		for _, k := range in.Labels.RemoveLabels {
			delete(g.Labels, k)
		}
	}
	if in.Taints != nil {
		same := func(a, b ekstypes.Taint) bool {
			return aws.ToString(a.Key) == aws.ToString(b.Key) && a.Effect == b.Effect
		}
		for _, t := range append(slices.Clone(in.Taints.RemoveTaints), in.Taints.AddOrUpdateTaints...) {
			g.Taints = slices.DeleteFunc(g.Taints, func(x ekstypes.Taint) bool { return same(x, t) })
		}
		g.Taints = append(g.Taints, in.Taints.AddOrUpdateTaints...)
	}
	g.Status = ekstypes.NodegroupStatusUpdating
	return &eks.UpdateNodegroupConfigOutput{}, nil
}

func (f *fakeEKSAPI) DeleteNodegroup(_ context.Context, in *eks.DeleteNodegroupInput, _ ...func(*eks.Options)) (*eks.DeleteNodegroupOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("DeleteNodegroup " + aws.ToString(in.NodegroupName))
	g, ok := f.groups[aws.ToString(in.NodegroupName)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No node group found")
	}
	g.Status = ekstypes.NodegroupStatusDeleting
	return &eks.DeleteNodegroupOutput{}, nil
}

func (f *fakeEKSAPI) profileInTransition() bool {
	for _, p := range f.profiles {
		if inTransition(*p) {
			return true
		}
	}
	return false
}

func (f *fakeEKSAPI) CreateFargateProfile(_ context.Context, in *eks.CreateFargateProfileInput, _ ...func(*eks.Options)) (*eks.CreateFargateProfileOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("CreateFargateProfile")
	if err := f.clusterActive(aws.ToString(in.ClusterName)); err != nil {
		return nil, err
	}
	if f.profileInTransition() {
		return nil, eksErr("ResourceInUseException", "Cannot create Fargate Profile %s because cluster currently has another profile in CREATING status", aws.ToString(in.FargateProfileName))
	}
	p := &ekstypes.FargateProfile{FargateProfileName: in.FargateProfileName, Status: ekstypes.FargateProfileStatusCreating,
		Selectors: in.Selectors, Subnets: in.Subnets, PodExecutionRoleArn: in.PodExecutionRoleArn, Tags: maps.Clone(in.Tags)}
	f.profiles[aws.ToString(in.FargateProfileName)] = p
	out := *p
	return &eks.CreateFargateProfileOutput{FargateProfile: &out}, nil
}

func (f *fakeEKSAPI) DescribeFargateProfile(_ context.Context, in *eks.DescribeFargateProfileInput, _ ...func(*eks.Options)) (*eks.DescribeFargateProfileOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.profiles[aws.ToString(in.FargateProfileName)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No Fargate Profile found")
	}
	out := *p
	return &eks.DescribeFargateProfileOutput{FargateProfile: &out}, nil
}

func (f *fakeEKSAPI) ListFargateProfiles(_ context.Context, in *eks.ListFargateProfilesInput, _ ...func(*eks.Options)) (*eks.ListFargateProfilesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.clusters[aws.ToString(in.ClusterName)]; !ok {
		return nil, eksErr("ResourceNotFoundException", "No cluster found")
	}
	return &eks.ListFargateProfilesOutput{FargateProfileNames: slices.Sorted(maps.Keys(f.profiles))}, nil
}

func (f *fakeEKSAPI) DeleteFargateProfile(_ context.Context, in *eks.DeleteFargateProfileInput, _ ...func(*eks.Options)) (*eks.DeleteFargateProfileOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("DeleteFargateProfile")
	p, ok := f.profiles[aws.ToString(in.FargateProfileName)]
	if !ok {
		return nil, eksErr("ResourceNotFoundException", "No Fargate Profile found")
	}
	if f.profileInTransition() {
		return nil, eksErr("ResourceInUseException", "another profile is in transition")
	}
	p.Status = ekstypes.FargateProfileStatusDeleting
	return &eks.DeleteFargateProfileOutput{}, nil
}

// fakeIAMAPI keeps roles and their attached policies.
type fakeIAMAPI struct {
	mu       sync.Mutex
	recorder recorder
	roles    map[string]*iamtypes.Role
	attached map[string][]string
	order    []string // mutating calls in order, "DetachRolePolicy role policy"
}

func newFakeIAMAPI() *fakeIAMAPI {
	return &fakeIAMAPI{roles: map[string]*iamtypes.Role{}, attached: map[string][]string{}}
}

func noSuchEntity(name string) error {
	return &iamtypes.NoSuchEntityException{Message: aws.String("The role with name " + name + " cannot be found.")}
}

func (f *fakeIAMAPI) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, noSuchEntity(aws.ToString(in.RoleName))
	}
	out := *r
	return &iam.GetRoleOutput{Role: &out}, nil
}

func (f *fakeIAMAPI) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorder.add("CreateRole")
	name := aws.ToString(in.RoleName)
	if _, ok := f.roles[name]; ok {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: aws.String("exists")}
	}
	r := &iamtypes.Role{RoleName: in.RoleName, Arn: aws.String("arn:aws:iam::111122223333:role/" + name),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument, Tags: in.Tags}
	f.roles[name] = r
	out := *r
	return &iam.CreateRoleOutput{Role: &out}, nil
}

func (f *fakeIAMAPI) AttachRolePolicy(_ context.Context, in *iam.AttachRolePolicyInput, _ ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	if !slices.Contains(f.attached[name], aws.ToString(in.PolicyArn)) {
		f.attached[name] = append(f.attached[name], aws.ToString(in.PolicyArn))
		sort.Strings(f.attached[name])
	}
	return &iam.AttachRolePolicyOutput{}, nil
}

func (f *fakeIAMAPI) ListAttachedRolePolicies(_ context.Context, in *iam.ListAttachedRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	if _, ok := f.roles[name]; !ok {
		return nil, noSuchEntity(name)
	}
	out := &iam.ListAttachedRolePoliciesOutput{}
	for _, p := range f.attached[name] {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: aws.String(p)})
	}
	return out, nil
}

func (f *fakeIAMAPI) DetachRolePolicy(_ context.Context, in *iam.DetachRolePolicyInput, _ ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	f.attached[name] = slices.DeleteFunc(f.attached[name], func(p string) bool { return p == aws.ToString(in.PolicyArn) })
	f.order = append(f.order, "DetachRolePolicy "+name)
	return &iam.DetachRolePolicyOutput{}, nil
}

func (f *fakeIAMAPI) DeleteRole(_ context.Context, in *iam.DeleteRoleInput, _ ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	if _, ok := f.roles[name]; !ok {
		return nil, noSuchEntity(name)
	}
	if len(f.attached[name]) > 0 {
		return nil, &iamtypes.DeleteConflictException{Message: aws.String("Cannot delete entity, must detach all policies first.")}
	}
	delete(f.roles, name)
	f.order = append(f.order, "DeleteRole "+name)
	return &iam.DeleteRoleOutput{}, nil
}
