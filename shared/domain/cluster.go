package domain

import "time"

// ClusterKind says who runs the control plane.
type ClusterKind string

const (
	KindSelfManaged ClusterKind = "self-managed" // kubeadm on EC2 instances we launch (the default)
	KindEKS         ClusterKind = "eks"          // EKS control plane, managed node groups, Fargate (cluster_eks.go)
)

// Placement types.
const (
	PlacementDynamic = "dynamic" // a new VPC per cluster, owned by us
	PlacementStatic  = "static"  // the customer's VPC and subnets, shared
)

// NAT gateway layouts for dynamic placement.
const (
	NATPerAZ  = "perAz"  // one per AZ: an AZ outage does not cut the others off
	NATSingle = "single" // one in the first AZ: cheaper, not HA
)

// API server load balancer schemes (ELBv2 spelling).
const (
	SchemeInternetFacing = "internet-facing"
	SchemeInternal       = "internal"
)

// Rolling update strategies.
const (
	RollingExpandFirst   = "expandFirst"   // launch the replacement, then terminate
	RollingContractFirst = "contractFirst" // terminate, then launch the replacement
)

// Capacity types.
const (
	CapacityOnDemand = "onDemand"
	CapacitySpot     = "spot"
)

// Taint effects, as Kubernetes spells them.
const (
	EffectNoSchedule       = "NoSchedule"
	EffectPreferNoSchedule = "PreferNoSchedule"
	EffectNoExecute        = "NoExecute"
)

// ClusterSpec is the cluster create request (DESIGN §3). The JSON names are
// the public contract; omitempty keeps stored specs and answers small.
type ClusterSpec struct {
	Kind                        ClusterKind       `json:"kind,omitempty"`
	Name                        string            `json:"name"`
	Description                 string            `json:"description,omitempty"`
	Tags                        map[string]string `json:"tags,omitempty"`
	ProfileID                   string            `json:"profileId"`
	PackOverrides               map[string]string `json:"packOverrides,omitempty"` // layer name → YAML merged over its values
	CloudAccountID              string            `json:"cloudAccountId"`
	Region                      string            `json:"region"`
	SSHKeyName                  string            `json:"sshKeyName,omitempty"`
	Placement                   Placement         `json:"placement"`
	APIServer                   APIServer         `json:"apiServer"`
	Bastion                     Bastion           `json:"bastion"`
	UpdateWorkerPoolsInParallel bool              `json:"updateWorkerPoolsInParallel"`
	NodePools                   []NodePoolSpec    `json:"nodePools"`
	// EKS is required for kind eks and refused for self-managed.
	EKS *EKSSpec `json:"eks,omitempty"`
}

// Placement says where the cluster's network comes from.
type Placement struct {
	Type string `json:"type,omitempty"`
	// Dynamic placement.
	VPCCIDR     string   `json:"vpcCidr,omitempty"`
	AZs         []string `json:"azs,omitempty"`
	NATGateways string   `json:"natGateways,omitempty"`
	// Static placement.
	VPCID                 string   `json:"vpcId,omitempty"`
	ControlPlaneSubnetIDs []string `json:"controlPlaneSubnetIds,omitempty"`
	WorkerSubnetIDs       []string `json:"workerSubnetIds,omitempty"`
	PublicSubnetIDs       []string `json:"publicSubnetIds,omitempty"`
}

// APIServer configures the load balancer in front of the Kubernetes API.
type APIServer struct {
	Scheme       string   `json:"scheme,omitempty"`
	AllowedCIDRs []string `json:"allowedCidrs,omitempty"`
}

// Bastion configures the single SSH/RDP entry point. Enabled is a pointer so
// that "absent" (default: on) differs from an explicit false.
type Bastion struct {
	Enabled      *bool    `json:"enabled,omitempty"`
	InstanceType string   `json:"instanceType,omitempty"`
	AllowedCIDRs []string `json:"allowedCidrs,omitempty"`
}

// IsEnabled reads Enabled with its default.
func (b Bastion) IsEnabled() bool { return b.Enabled == nil || *b.Enabled }

// NodePoolSpec is one pool of identical nodes.
type NodePoolSpec struct {
	Name                  string            `json:"name"`
	ControlPlane          bool              `json:"controlPlane,omitempty"`
	Size                  int               `json:"size"`
	InstanceType          string            `json:"instanceType,omitempty"`
	AZs                   []string          `json:"azs,omitempty"`
	Labels                map[string]string `json:"labels,omitempty"`
	Taints                []Taint           `json:"taints,omitempty"`
	RollingUpdate         string            `json:"rollingUpdate,omitempty"`
	RootVolumeGiB         int               `json:"rootVolumeGiB,omitempty"`
	Capacity              Capacity          `json:"capacity"`
	AllowWorkerCapability bool              `json:"allowWorkerCapability,omitempty"`
	// EKS managed node groups only: Size is the desired size, within
	// MinSize..MaxSize (default: both Size); InstanceTypes lets a spot
	// group draw from several types (default: [InstanceType]);
	// MaxUnavailable is the update config's nodes replaced at once (default 1).
	MinSize        *int     `json:"minSize,omitempty"`
	MaxSize        *int     `json:"maxSize,omitempty"`
	InstanceTypes  []string `json:"instanceTypes,omitempty"`
	MaxUnavailable int      `json:"maxUnavailable,omitempty"`
}

// Taint is a Kubernetes node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// String renders the taint the way the kubelet's --register-with-taints
// takes it: key=value:Effect, or key:Effect without a value.
func (t Taint) String() string {
	if t.Value == "" {
		return t.Key + ":" + t.Effect
	}
	return t.Key + "=" + t.Value + ":" + t.Effect
}

// Capacity says how a pool's instances are bought.
type Capacity struct {
	Type                string `json:"type,omitempty"`
	SpotMaxPricePercent int    `json:"spotMaxPricePercent,omitempty"` // of the on-demand price, 1–100
}

// IsSpot reports whether the pool runs on spot instances.
func (c Capacity) IsSpot() bool { return c.Type == CapacitySpot }

// ControlPlanePool returns the control-plane pool and its index, or -1.
func (s ClusterSpec) ControlPlanePool() (NodePoolSpec, int) {
	for i, p := range s.NodePools {
		if p.ControlPlane {
			return p, i
		}
	}
	return NodePoolSpec{}, -1
}

// Cluster is a cluster as stored and returned: the spec plus what the
// workflows recorded about it.
type Cluster struct {
	ID string `json:"id"`
	ClusterSpec
	Status        ClusterStatus `json:"status"`
	StatusMessage string        `json:"statusMessage,omitempty"`
	Version       int64         `json:"version"` // optimistic-locking counter
	// Generation counts the workflow executions started for the cluster
	// (provision, delete, retries); it is the ClusterRef generation, names
	// the execution (<id>-<generation>) and goes into ClientTokens.
	Generation int `json:"generation"`
	// ExecutionARN is the Step Functions execution of the current
	// generation, so a later request can stop it.
	ExecutionARN  string     `json:"executionArn,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	DeletingSince *time.Time `json:"deletingSince,omitempty"`
	Progress      int        `json:"progress"` // 0–100
	Tasks         []Task     `json:"tasks,omitempty"`
	Resources     []Resource `json:"resources,omitempty"`
	// NodePools shadows ClusterSpec.NodePools in JSON (the shallower field
	// wins), so the answer's "nodePools" carry their nodes as DESIGN §3 shows
	// while c.ClusterSpec.NodePools stays the stored request. Build it with
	// PoolsWithNodes.
	NodePools         []NodePool  `json:"nodePools"`
	ForceDelete       ForceDelete `json:"forceDelete"`
	ForceDeleted      bool        `json:"forceDeleted,omitempty"`
	LeftoverResources []Leftover  `json:"leftoverResources,omitempty"`
}

// Task is one workflow step's record; counts such as "2/3 NAT gateways
// available" are Done/Total.
type Task struct {
	Name       string     `json:"name"`
	State      TaskState  `json:"state"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	Message    string     `json:"message,omitempty"`
	Done       int        `json:"done,omitempty"`
	Total      int        `json:"total,omitempty"`
}

// Resource is one AWS resource in the ledger.
type Resource struct {
	Type  string `json:"type"` // ResourceType values, e.g. natgateway
	ID    string `json:"id"`
	AZ    string `json:"az,omitempty"`
	State string `json:"state,omitempty"`
	Key   string `json:"key,omitempty"` // the plan's resource key, when we created it
}

// Leftover is a resource a force-deleted cluster left in the customer's
// account: where it is and why it is reported, so the user can clean up.
type Leftover struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Region string `json:"region"`
	State  string `json:"state,omitempty"`
	Reason string `json:"reason"`
}

// NodePool is a pool as returned: its spec and its live nodes.
type NodePool struct {
	NodePoolSpec
	Nodes []Node `json:"nodes"`
	// SpotWaiting explains a spot pool that is waiting for the price to fall
	// into range, e.g. "current 0.2104 > max 0.1578 in every AZ".
	SpotWaiting string `json:"spotWaiting,omitempty"`
}

// Node is one instance of a pool.
type Node struct {
	InstanceID    string    `json:"instanceId"`
	AZ            string    `json:"az"`
	State         string    `json:"state"` // EC2 instance state name
	PrivateIP     string    `json:"privateIp,omitempty"`
	Capacity      string    `json:"capacity"` // onDemand | spot
	SpotPrice     string    `json:"spotPrice,omitempty"`
	InstanceType  string    `json:"instanceType,omitempty"`
	RootVolumeGiB int       `json:"rootVolumeGiB,omitempty"`
	LaunchedAt    time.Time `json:"launchedAt"`
}

// PoolsWithNodes joins the spec's pools with the nodes found per pool name,
// keeping the spec's order; a pool without nodes gets an empty list, not null.
func PoolsWithNodes(pools []NodePoolSpec, nodes map[string][]Node) []NodePool {
	out := make([]NodePool, len(pools))
	for i, p := range pools {
		out[i] = NodePool{NodePoolSpec: p, Nodes: append([]Node{}, nodes[p.Name]...)}
	}
	return out
}

// ForceDelete tells the UI when the force-delete button unlocks.
type ForceDelete struct {
	Available   bool       `json:"available"`
	AvailableAt *time.Time `json:"availableAt,omitempty"`
}

// WithNodeStates returns the ledger with each instance's state taken from
// the nodes the workflows last observed: the ledger records an instance as
// AWS answered its launch (pending), the nodes say what it is now.
func WithNodeStates(resources []Resource, nodes map[string][]Node) []Resource {
	current := map[string]string{}
	for _, pool := range nodes {
		for _, n := range pool {
			current[n.InstanceID] = n.State
		}
	}
	out := make([]Resource, len(resources))
	for i, r := range resources {
		if state, ok := current[r.ID]; ok && r.Type == string(ResInstance) {
			r.State = state
		}
		out[i] = r
	}
	return out
}
