// Package latency models how long AWS takes to move a resource from one state
// to the next, scaled down so that the local cloud runs in minutes while
// preserving the proportions (and so the critical path) of real AWS.
package latency

import (
	"sync"
	"time"
)

// Kind names one AWS state transition.
type Kind string

// Transition kinds, with AWS's typical real duration in DefaultAWS.
const (
	NATGatewayAvailable Kind = "nat-gateway-available" // pending → available
	NATGatewayDeleted   Kind = "nat-gateway-deleted"   // deleting → deleted
	InstanceRunning     Kind = "instance-running"      // pending → running
	InstanceTerminated  Kind = "instance-terminated"   // shutting-down → terminated
	TargetHealthy       Kind = "target-healthy"        // initial → healthy
	LoadBalancerActive  Kind = "load-balancer-active"  // provisioning → active
	EKSClusterActive    Kind = "eks-cluster-active"    // CREATING → ACTIVE
	EKSClusterDeleted   Kind = "eks-cluster-deleted"   // DELETING → gone
	EKSNodegroupActive  Kind = "eks-nodegroup-active"  // CREATING → ACTIVE
	EKSNodegroupUpdated Kind = "eks-nodegroup-updated" // UPDATING → ACTIVE
	EKSNodegroupDeleted Kind = "eks-nodegroup-deleted" // DELETING → gone
	FargateActive       Kind = "fargate-active"        // CREATING → ACTIVE
	FargateDeleted      Kind = "fargate-deleted"       // DELETING → gone
)

// DefaultAWS holds typical real-AWS durations, as observed in practice and in
// cluster-api-provider-aws's and eksctl's default wait budgets.
var DefaultAWS = map[Kind]time.Duration{
	NATGatewayAvailable: 90 * time.Second,
	NATGatewayDeleted:   60 * time.Second,
	InstanceRunning:     30 * time.Second,
	InstanceTerminated:  45 * time.Second,
	TargetHealthy:       90 * time.Second,
	LoadBalancerActive:  120 * time.Second,
	EKSClusterActive:    9 * time.Minute,
	EKSClusterDeleted:   4 * time.Minute,
	EKSNodegroupActive:  3 * time.Minute,
	EKSNodegroupUpdated: 2 * time.Minute,
	EKSNodegroupDeleted: 3 * time.Minute,
	FargateActive:       90 * time.Second,
	FargateDeleted:      90 * time.Second,
}

// Model turns AWS durations into wall-clock durations with one scale factor.
type Model struct {
	mu    sync.RWMutex
	scale float64
	aws   map[Kind]time.Duration
	start time.Time
}

// New returns a model with DefaultAWS durations; scale is wall seconds per
// AWS second (0.05 makes one AWS minute last three wall seconds).
func New(scale float64) *Model {
	aws := make(map[Kind]time.Duration, len(DefaultAWS))
	for k, v := range DefaultAWS {
		aws[k] = v
	}
	if scale <= 0 {
		scale = 1
	}
	return &Model{scale: scale, aws: aws, start: time.Now()}
}

// Scale is wall seconds per simulated AWS second.
func (m *Model) Scale() float64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.scale
}

// AWS returns the real-AWS duration of a transition.
func (m *Model) AWS(k Kind) time.Duration {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.aws[k]
}

// Wall returns how long the transition takes on the local cloud.
func (m *Model) Wall(k Kind) time.Duration {
	return m.ToWall(m.AWS(k))
}

// ToWall scales an AWS duration to wall time.
func (m *Model) ToWall(d time.Duration) time.Duration {
	return time.Duration(float64(d) * m.Scale())
}

// ToSimulated scales a wall duration back to AWS time.
func (m *Model) ToSimulated(d time.Duration) time.Duration {
	return time.Duration(float64(d) / m.Scale())
}

// Set overrides the AWS duration of one transition (tests and benchmarks).
func (m *Model) Set(k Kind, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.aws[k] = d
}

// Durations returns a copy of every AWS duration.
func (m *Model) Durations() map[Kind]time.Duration {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[Kind]time.Duration, len(m.aws))
	for k, v := range m.aws {
		out[k] = v
	}
	return out
}

// SimulatedSince is the AWS time that corresponds to the wall time since t.
func (m *Model) SimulatedSince(t time.Time) time.Duration {
	return m.ToSimulated(time.Since(t))
}

// Started is when the model (the local cloud) started.
func (m *Model) Started() time.Time { return m.start }

// Ready reports whether a transition that began at since has completed.
func (m *Model) Ready(k Kind, since time.Time) bool {
	return time.Since(since) >= m.Wall(k)
}
