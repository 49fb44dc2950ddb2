package cloud

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// EC2 error codes the compute service tells apart.
const (
	codeInsufficientCapacity = "InsufficientInstanceCapacity"
	codeSpotMaxPriceTooLow   = "SpotMaxPriceTooLow"
	codeInstanceNotFound     = "InvalidInstanceID.NotFound"
)

// ErrInsufficientCapacity says EC2 had no capacity for a pool's instance
// type in any of its AZs: a permanent failure of the launch step, which
// the workflow reports as such instead of retrying forever.
var ErrInsufficientCapacity = errors.New("insufficient instance capacity")

// alive reports whether an instance still counts as one of the cluster's
// nodes. shutting-down and terminated ones are gone (interrupted spot
// instances end there) and get replaced.
func instanceAlive(inst ec2types.Instance) bool {
	if inst.State == nil {
		return false
	}
	switch inst.State.Name {
	case ec2types.InstanceStateNameShuttingDown, ec2types.InstanceStateNameTerminated:
		return false
	}
	return true
}

func instanceState(inst ec2types.Instance) string {
	if inst.State == nil {
		return ""
	}
	return string(inst.State.Name)
}

func instanceTag(inst ec2types.Instance, key string) string {
	for _, t := range inst.Tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// newestInstanceFirst orders instances by launch time, newest first.
func newestInstanceFirst(a, b ec2types.Instance) int {
	return aws.ToTime(b.LaunchTime).Compare(aws.ToTime(a.LaunchTime))
}

// findInstances lists the cluster's instances in every state that also
// match filters. The cluster-id tag is the one every instance we launch
// has from its first moment (tags are applied by RunInstances itself).
func (s *ComputeService) findInstances(ctx context.Context, filters ...ec2types.Filter) ([]ec2types.Instance, error) {
	filters = append([]ec2types.Filter{computeFilter("tag:"+domain.TagClusterID, s.scope.ClusterID)}, filters...)
	return listInstances(ctx, s.ec2, filters)
}

func listInstances(ctx context.Context, api ec2.DescribeInstancesAPIClient, filters []ec2types.Filter) ([]ec2types.Instance, error) {
	var out []ec2types.Instance
	p := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{Filters: filters})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range page.Reservations {
			out = append(out, r.Instances...)
		}
	}
	return out, nil
}

// byKey groups instances by resource key, newest first within a key.
func instancesByKey(instances []ec2types.Instance) map[string][]ec2types.Instance {
	out := map[string][]ec2types.Instance{}
	for _, inst := range instances {
		k := instanceTag(inst, domain.TagResourceKey)
		out[k] = append(out[k], inst)
	}
	for _, list := range out {
		slices.SortStableFunc(list, newestInstanceFirst)
	}
	return out
}

// current is the instance that stands for a key: the newest alive one,
// else the newest dead one (shown as terminated until it is replaced).
func currentInstance(list []ec2types.Instance) (ec2types.Instance, bool) {
	if i := slices.IndexFunc(list, instanceAlive); i >= 0 {
		return list[i], true
	}
	if len(list) > 0 {
		return list[0], true
	}
	return ec2types.Instance{}, false
}

// launchToken is the ClientToken of the instance for key that replaces
// previous ("" for the key's first instance).
//
// The first instance uses scope.ClientToken(key), so a retried launch — a
// crash after RunInstances, a lost response — gets the same instance back.
// A replacement (a spot interruption within the same workflow, hence the
// same generation) cannot reuse that token: EC2 would answer with the dead
// instance. Its token is derived from the id of the instance it replaces
// instead of a stored replacement counter, because that id is already
// durable (tags, ledger) and is the same on every retry until the
// replacement exists, so no extra write has to precede the launch.
func (s *ComputeService) launchToken(key, previous string) string {
	if previous == "" {
		return s.scope.ClientToken(key)
	}
	return domain.ClientToken(s.scope.ClusterID, key+"#replaces#"+previous, s.scope.Generation)
}

// launch is one RunInstances: a single instance in one subnet.
type runSpec struct {
	pool                             string // "" for the bastion
	key, az, subnetID, securityGroup string
	instanceType                     string
	image                            amiImage
	rootVolumeGiB                    int
	userData                         string // base64
	publicIP                         bool
	spotMaxPrice                     string // "" for on-demand
	tags                             map[string]string
	clientToken                      string
}

func (l runSpec) input(keyName string) *ec2.RunInstancesInput {
	in := &ec2.RunInstancesInput{
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		ImageId: aws.String(l.image.ID), InstanceType: ec2types.InstanceType(l.instanceType),
		ClientToken: aws.String(l.clientToken),
		// One interface spelled out so "no public address" for nodes is
		// explicit rather than a property of the subnet.
		NetworkInterfaces: []ec2types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(l.subnetID), Groups: []string{l.securityGroup},
			AssociatePublicIpAddress: aws.Bool(l.publicIP), DeleteOnTermination: aws.Bool(true),
		}},
		TagSpecifications: instanceTagSpecs(l.tags),
		// IMDSv2 only; hop limit 2 so containers on the node reach it.
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{
			HttpTokens: ec2types.HttpTokensStateRequired, HttpPutResponseHopLimit: aws.Int32(2),
			HttpEndpoint: ec2types.InstanceMetadataEndpointStateEnabled,
		},
	}
	if keyName != "" {
		in.KeyName = aws.String(keyName)
	}
	if l.userData != "" {
		in.UserData = aws.String(l.userData)
	}
	if l.rootVolumeGiB > 0 {
		in.BlockDeviceMappings = []ec2types.BlockDeviceMapping{{
			DeviceName: aws.String(l.image.RootDevice),
			Ebs: &ec2types.EbsBlockDevice{
				VolumeSize: aws.Int32(int32(l.rootVolumeGiB)), VolumeType: ec2types.VolumeTypeGp3,
				DeleteOnTermination: aws.Bool(true), Encrypted: aws.Bool(true),
			},
		}}
	}
	if l.spotMaxPrice != "" {
		in.InstanceMarketOptions = &ec2types.InstanceMarketOptionsRequest{
			MarketType: ec2types.MarketTypeSpot,
			SpotOptions: &ec2types.SpotMarketOptions{
				MaxPrice: aws.String(l.spotMaxPrice), SpotInstanceType: ec2types.SpotInstanceTypeOneTime,
				InstanceInterruptionBehavior: ec2types.InstanceInterruptionBehaviorTerminate,
			},
		}
	}
	return in
}

// run launches one instance and records it in the ledger before anything
// else can fail, so that deletion finds it even if this task dies next.
func (s *ComputeService) run(ctx context.Context, l runSpec) (ec2types.Instance, error) {
	out, err := s.ec2.RunInstances(ctx, l.input(s.sshKeyName))
	if err != nil {
		return ec2types.Instance{}, fmt.Errorf("run instance %s in %s: %w", l.key, l.az, err)
	}
	if len(out.Instances) == 0 {
		return ec2types.Instance{}, fmt.Errorf("run instance %s in %s: EC2 returned no instance", l.key, l.az)
	}
	inst := out.Instances[0]
	err = s.record(ctx, domain.Resource{Type: string(domain.ResInstance), ID: aws.ToString(inst.InstanceId),
		AZ: l.az, State: instanceState(inst), Key: l.key})
	return inst, err
}

// recordFound re-records instances a crashed task launched but did not
// record (found by tag): the ledger must hold everything we created.
func (s *ComputeService) recordFound(ctx context.Context, ledger []domain.Resource, found []ec2types.Instance) error {
	for _, inst := range found {
		id := aws.ToString(inst.InstanceId)
		if !instanceAlive(inst) || slices.ContainsFunc(ledger, func(r domain.Resource) bool { return r.ID == id }) {
			continue
		}
		err := s.record(ctx, domain.Resource{Type: string(domain.ResInstance), ID: id,
			AZ: aws.ToString(inst.Placement.AvailabilityZone), State: instanceState(inst), Key: instanceTag(inst, domain.TagResourceKey)})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *ComputeService) ledger(ctx context.Context) ([]domain.Resource, error) {
	res, err := s.scope.Ledger.Resources(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	return res, nil
}

// clusterInstances is every instance of the cluster that AWS still lists:
// found by tag, plus those only the ledger knows (e.g. tagged by hand
// since, or launched by an older version). Ids AWS no longer lists are gone.
func (s *ComputeService) clusterInstances(ctx context.Context) ([]ec2types.Instance, error) {
	found, err := s.findInstances(ctx)
	if err != nil {
		return nil, err
	}
	ledger, err := s.ledger(ctx)
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, r := range ledger {
		if r.Type == string(domain.ResInstance) && !slices.ContainsFunc(found, func(i ec2types.Instance) bool { return aws.ToString(i.InstanceId) == r.ID }) {
			extra = append(extra, r.ID)
		}
	}
	for chunk := range slices.Chunk(extra, 200) {
		// A filter, not InstanceIds: an id AWS has forgotten must not fail the call.
		more, err := listInstances(ctx, s.ec2, []ec2types.Filter{computeFilter("instance-id", chunk...)})
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	return found, nil
}

// TerminateInstances terminates every instance of the cluster that is not
// already going away, the bastion included. It does not wait.
func (s *ComputeService) TerminateInstances(ctx context.Context) error {
	all, err := s.clusterInstances(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, inst := range all {
		if instanceAlive(inst) {
			ids = append(ids, aws.ToString(inst.InstanceId))
		}
	}
	for chunk := range slices.Chunk(ids, 100) {
		if err := s.terminate(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}

// terminate ends a batch. EC2 fails the whole call if one id is unknown,
// so on NotFound it goes one by one, counting unknown ids as gone.
func (s *ComputeService) terminate(ctx context.Context, ids []string) error {
	_, err := s.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	if err == nil {
		return nil
	}
	if ErrorCode(err) != codeInstanceNotFound {
		return fmt.Errorf("terminate instances %v: %w", ids, err)
	}
	for _, id := range ids {
		_, err := s.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		if err != nil && ErrorCode(err) != codeInstanceNotFound {
			return fmt.Errorf("terminate instance %s: %w", id, err)
		}
	}
	return nil
}

// InstancesTerminated reports how many of the cluster's instances are
// terminated; an instance AWS no longer lists counts as terminated.
func (s *ComputeService) InstancesTerminated(ctx context.Context) (Progress, error) {
	all, err := s.clusterInstances(ctx)
	if err != nil {
		return Progress{}, err
	}
	done := 0
	for _, inst := range all {
		if inst.State != nil && inst.State.Name == ec2types.InstanceStateNameTerminated {
			done++
		}
	}
	return Progress{Ready: done == len(all), Done: done, Total: len(all),
		Message: fmt.Sprintf("%d/%d instances terminated", done, len(all))}, nil
}

// nodeOf is an instance as the API shows it.
func nodeOf(inst ec2types.Instance) domain.Node {
	n := domain.Node{
		InstanceID: aws.ToString(inst.InstanceId), State: instanceState(inst),
		PrivateIP: aws.ToString(inst.PrivateIpAddress), Capacity: domain.CapacityOnDemand,
		InstanceType: string(inst.InstanceType), LaunchedAt: aws.ToTime(inst.LaunchTime),
	}
	if inst.Placement != nil {
		n.AZ = aws.ToString(inst.Placement.AvailabilityZone)
	}
	if inst.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot {
		n.Capacity, n.SpotPrice = domain.CapacitySpot, instanceTag(inst, TagSpotPrice)
	}
	n.RootVolumeGiB, _ = strconv.Atoi(instanceTag(inst, TagRootVolumeGiB))
	return n
}

// byInstanceIndex orders keys instance/<pool>/<i> by i, not as strings (10 < 9).
func byInstanceIndex(a, b string) int {
	ia, _ := strconv.Atoi(a[strings.LastIndexByte(a, '/')+1:])
	ib, _ := strconv.Atoi(b[strings.LastIndexByte(b, '/')+1:])
	return cmp.Or(cmp.Compare(ia, ib), cmp.Compare(a, b))
}
