package cloud

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// Health checks of the API server target group: TCP on the API port every
// 10 s, 3 checks to become healthy or unhealthy (cluster-api-provider-aws's
// defaults for the API server NLB).
const (
	healthCheckIntervalSeconds = 10
	healthyThreshold           = 3
	unhealthyThreshold         = 3
)

func (s *LoadBalancerService) ensureTargetGroup(ctx context.Context, vpcID string) (*elbtypes.TargetGroup, error) {
	tg, err := s.findTargetGroup(ctx)
	if err != nil {
		return nil, err
	}
	if tg == nil {
		port := int32(domain.PortAPIServer)
		out, err := s.elb.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
			Name: aws.String(s.tgName()), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(port),
			VpcId: aws.String(vpcID), TargetType: elbtypes.TargetTypeEnumInstance,
			HealthCheckEnabled: aws.Bool(true), HealthCheckProtocol: elbtypes.ProtocolEnumTcp,
			// traffic-port is the targets' port, 6443: the same check as
			// naming it, and it stays right if the port ever changes.
			HealthCheckPort:            aws.String("traffic-port"),
			HealthCheckIntervalSeconds: aws.Int32(healthCheckIntervalSeconds),
			HealthyThresholdCount:      aws.Int32(healthyThreshold), UnhealthyThresholdCount: aws.Int32(unhealthyThreshold),
			Tags: elbTagList(s.scope.Tags(domain.KeyTargetGroup)),
		})
		switch {
		case ErrorCode(err) == codeDuplicateTGName:
			if tg, err = s.findTargetGroup(ctx); err == nil && tg == nil {
				err = fmt.Errorf("target group %s: duplicate name but not found", s.tgName())
			}
		case err != nil:
			err = fmt.Errorf("create target group %s: %w", s.tgName(), err)
		case len(out.TargetGroups) == 0:
			err = fmt.Errorf("create target group %s: no target group returned", s.tgName())
		default:
			tg = &out.TargetGroups[0]
		}
		if err != nil {
			return nil, err
		}
	}
	return tg, s.record(ctx, domain.ResTargetGroup, domain.KeyTargetGroup, aws.ToString(tg.TargetGroupArn), "")
}

// findTargetGroup looks ours up by name; nil if there is none.
func (s *LoadBalancerService) findTargetGroup(ctx context.Context) (*elbtypes.TargetGroup, error) {
	out, err := s.elb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{s.tgName()}})
	if ErrorCode(err) == codeTargetGroupNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe target group %s: %w", s.tgName(), err)
	}
	if len(out.TargetGroups) == 0 {
		return nil, nil
	}
	return &out.TargetGroups[0], nil
}

// ensureListener ensures the TCP 6443 listener forwarding to the target group.
func (s *LoadBalancerService) ensureListener(ctx context.Context, lbArn, tgArn string) error {
	find := func() (*elbtypes.Listener, error) {
		out, err := s.elb.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbArn)})
		if err != nil {
			return nil, fmt.Errorf("describe listeners of %s: %w", lbArn, err)
		}
		i := slices.IndexFunc(out.Listeners, func(l elbtypes.Listener) bool { return aws.ToInt32(l.Port) == domain.PortAPIServer })
		if i < 0 {
			return nil, nil
		}
		return &out.Listeners[i], nil
	}
	l, err := find()
	if err != nil {
		return err
	}
	if l == nil {
		out, err := s.elb.CreateListener(ctx, &elbv2.CreateListenerInput{
			LoadBalancerArn: aws.String(lbArn), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(domain.PortAPIServer),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgArn)}},
			Tags:           elbTagList(s.scope.Tags(domain.KeyListener)),
		})
		switch {
		case ErrorCode(err) == codeDuplicateListener:
			if l, err = find(); err == nil && l == nil {
				err = fmt.Errorf("listener %d of %s: duplicate but not found", domain.PortAPIServer, lbArn)
			}
		case err != nil:
			err = fmt.Errorf("create listener %d of %s: %w", domain.PortAPIServer, lbArn, err)
		case len(out.Listeners) == 0:
			err = fmt.Errorf("create listener %d of %s: no listener returned", domain.PortAPIServer, lbArn)
		default:
			l = &out.Listeners[0]
		}
		if err != nil {
			return err
		}
	}
	return s.record(ctx, domain.ResListener, domain.KeyListener, aws.ToString(l.ListenerArn), "")
}

// controlPlane is the control-plane pool's name and planned size.
func (s *LoadBalancerService) controlPlane() (pool string, size int) {
	for _, r := range s.scope.Plan.Resources {
		if r.Type == domain.ResInstance && r.Role == domain.RoleControlPlane {
			pool = r.Pool
			size++
		}
	}
	return pool, size
}

func (s *LoadBalancerService) requireTargetGroup(ctx context.Context) (string, error) {
	tg, err := s.findTargetGroup(ctx)
	if err != nil {
		return "", err
	}
	if tg == nil {
		return "", fmt.Errorf("target group %s not found: reconcile the load balancer first", s.tgName())
	}
	return aws.ToString(tg.TargetGroupArn), nil
}

// RegisterControlPlane makes the target group's targets exactly the
// running control-plane instances (ELBv2 accepts only running instances)
// on port 6443: registers the new ones, deregisters any other.
func (s *LoadBalancerService) RegisterControlPlane(ctx context.Context) error {
	return s.registerControlPlane(ctx, nil)
}

// registerControlPlane is RegisterControlPlane leaving out exclude: nodes
// a node pool update is taking out, which must not come back while they
// drain or after (SyncControlPlaneTargets).
func (s *LoadBalancerService) registerControlPlane(ctx context.Context, exclude []string) error {
	tgArn, err := s.requireTargetGroup(ctx)
	if err != nil {
		return err
	}
	pool, _ := s.controlPlane()
	if pool == "" {
		return errors.New("register control plane: no control-plane pool in the plan")
	}
	instances, err := listInstances(ctx, s.ec2, []ec2types.Filter{
		computeFilter("tag:"+domain.TagClusterID, s.scope.ClusterID), computeFilter("tag:"+TagPool, pool),
		computeFilter("instance-state-name", string(ec2types.InstanceStateNameRunning)),
	})
	if err != nil {
		return fmt.Errorf("register control plane: %w", err)
	}
	want := map[string]bool{}
	for _, inst := range instances {
		if id := aws.ToString(inst.InstanceId); !slices.Contains(exclude, id) {
			want[id] = true
		}
	}
	health, err := s.elb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgArn)})
	if err != nil {
		return fmt.Errorf("describe targets of %s: %w", tgArn, err)
	}
	var register, deregister []elbtypes.TargetDescription
	for _, d := range health.TargetHealthDescriptions {
		if d.Target == nil {
			continue
		}
		id := aws.ToString(d.Target.Id)
		if !want[id] {
			deregister = append(deregister, apiTarget(id))
		}
		delete(want, id) // registered already
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		register = append(register, apiTarget(id))
	}
	if len(register) > 0 {
		if _, err := s.elb.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(tgArn), Targets: register}); err != nil {
			return fmt.Errorf("register control plane in %s: %w", tgArn, err)
		}
	}
	if len(deregister) > 0 {
		_, err := s.elb.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: aws.String(tgArn), Targets: deregister})
		if err != nil && ErrorCode(err) != "InvalidTarget" { // already gone from EC2
			return fmt.Errorf("deregister targets from %s: %w", tgArn, err)
		}
	}
	return nil
}

func apiTarget(id string) elbtypes.TargetDescription {
	return elbtypes.TargetDescription{Id: aws.String(id), Port: aws.Int32(domain.PortAPIServer)}
}

// TargetsHealthy reports how many control-plane targets the NLB finds
// healthy, out of the planned control-plane size.
func (s *LoadBalancerService) TargetsHealthy(ctx context.Context) (Progress, error) {
	tgArn, err := s.requireTargetGroup(ctx)
	if err != nil {
		return Progress{}, err
	}
	_, size := s.controlPlane()
	out, err := s.elb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgArn)})
	if err != nil {
		return Progress{}, fmt.Errorf("describe target health of %s: %w", tgArn, err)
	}
	healthy := 0
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth != nil && d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
			healthy++
		}
	}
	return Progress{Ready: size > 0 && healthy >= size, Done: healthy, Total: size,
		Message: fmt.Sprintf("%d/%d control-plane targets healthy", healthy, size)}, nil
}
