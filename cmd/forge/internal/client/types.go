package client

import "time"

// The wire shapes the commands read (OpenAPI components/schemas). They
// hold only what tables and the watch view show: -o json|yaml prints the
// API's raw answer, so fields added to the API later are never lost.

// CloudAccount is a registered AWS account.
type CloudAccount struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	AccessKeyID string    `json:"accessKeyId,omitempty"`
	RoleARN     string    `json:"roleArn,omitempty"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
}

// ExternalID is what the customer's role trust policy needs.
type ExternalID struct {
	ExternalID        string `json:"externalId"`
	PlatformAccountID string `json:"platformAccountId"`
}

// ValidationReport is what the service can do in an account.
type ValidationReport struct {
	Region   string `json:"region"`
	Identity struct {
		Account string `json:"account"`
		ARN     string `json:"arn"`
	} `json:"identity"`
	MissingPermissions []string `json:"missingPermissions"`
	Quotas             []struct {
		Name      string `json:"name"`
		Scope     string `json:"scope"`
		Limit     int    `json:"limit"`
		Used      int    `json:"used"`
		Available int    `json:"available"`
		Error     string `json:"error"`
	} `json:"quotas"`
}

// Profile is a cluster profile.
type Profile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Cloud       string    `json:"cloud"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	Layers      []struct {
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"layers"`
}

// Cluster is a cluster as returned.
type Cluster struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Region         string     `json:"region"`
	CloudAccountID string     `json:"cloudAccountId"`
	ProfileID      string     `json:"profileId"`
	Status         string     `json:"status"`
	StatusMessage  string     `json:"statusMessage"`
	Progress       int        `json:"progress"`
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"createdAt"`
	DeletingSince  *time.Time `json:"deletingSince"`
	Tasks          []Task     `json:"tasks"`
	Resources      []Resource `json:"resources"`
	NodePools      []NodePool `json:"nodePools"`
	ForceDelete    struct {
		Available   bool       `json:"available"`
		AvailableAt *time.Time `json:"availableAt"`
	} `json:"forceDelete"`
	ForceDeleted      bool       `json:"forceDeleted"`
	LeftoverResources []Resource `json:"leftoverResources"`
}

// Cluster statuses (DESIGN §3).
const (
	StatusRunning  = "Running"
	StatusFailed   = "Failed"
	StatusDeleting = "Deleting"
	StatusDeleted  = "Deleted"
)

// Task is one step of a workflow with its progress.
type Task struct {
	Name       string     `json:"name"`
	State      string     `json:"state"`
	StartedAt  *time.Time `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
	Message    string     `json:"message"`
	Done       int        `json:"done"`
	Total      int        `json:"total"`
}

// Task states.
const (
	TaskPending   = "Pending"
	TaskRunning   = "Running"
	TaskSucceeded = "Succeeded"
	TaskFailed    = "Failed"
	TaskSkipped   = "Skipped"
)

// Finished reports whether the task will not change again in this run.
func (t Task) Finished() bool {
	return t.State == TaskSucceeded || t.State == TaskSkipped || t.State == TaskFailed
}

// Resource is an AWS resource of the cluster.
type Resource struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	AZ     string `json:"az"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// NodePool is a pool as returned, with its nodes.
type NodePool struct {
	Name         string            `json:"name"`
	ControlPlane bool              `json:"controlPlane"`
	Size         int               `json:"size"`
	InstanceType string            `json:"instanceType"`
	AZs          []string          `json:"azs"`
	Labels       map[string]string `json:"labels"`
	Capacity     struct {
		Type string `json:"type"`
	} `json:"capacity"`
	SpotWaiting string `json:"spotWaiting"`
	Nodes       []Node `json:"nodes"`
}

// Node is one instance of a pool.
type Node struct {
	InstanceID string `json:"instanceId"`
	AZ         string `json:"az"`
	State      string `json:"state"`
	PrivateIP  string `json:"privateIp"`
	Capacity   string `json:"capacity"`
	SpotPrice  string `json:"spotPrice"`
}
