package domain

// ClusterStatus is where a cluster is in its life. The workflows move it; the
// API only reads it, and refuses mutations that the current status forbids.
type ClusterStatus string

const (
	StatusPending      ClusterStatus = "Pending"      // stored, workflow not started yet
	StatusProvisioning ClusterStatus = "Provisioning" // provision-cluster running
	StatusRunning      ClusterStatus = "Running"      // every control-plane target healthy, every pool at size
	StatusUpdating     ClusterStatus = "Updating"     // update-nodepool running
	StatusFailed       ClusterStatus = "Failed"       // a step failed; retry resumes it, delete cleans up
	StatusDeleting     ClusterStatus = "Deleting"     // delete-cluster running
	StatusDeleted      ClusterStatus = "Deleted"      // gone (or force-deleted); kept for audit only
)

// ClusterStatuses lists every status, in life-cycle order.
var ClusterStatuses = []ClusterStatus{
	StatusPending, StatusProvisioning, StatusRunning, StatusUpdating,
	StatusFailed, StatusDeleting, StatusDeleted,
}

// clusterTransitions is the state machine as data: from → allowed targets.
// Failed may go back to Provisioning or Updating because retry resumes the
// failed workflow from its failed step rather than starting over. Deleting may
// fail too (a stuck DependencyViolation past the workflow deadline) and then
// be retried as a delete. Deleted is final.
var clusterTransitions = map[ClusterStatus][]ClusterStatus{
	StatusPending:      {StatusProvisioning, StatusFailed, StatusDeleting},
	StatusProvisioning: {StatusRunning, StatusFailed, StatusDeleting},
	StatusRunning:      {StatusUpdating, StatusDeleting},
	StatusUpdating:     {StatusRunning, StatusFailed, StatusDeleting},
	StatusFailed:       {StatusProvisioning, StatusUpdating, StatusDeleting},
	StatusDeleting:     {StatusDeleted, StatusFailed},
	StatusDeleted:      nil,
}

// Valid reports whether s is one of the known statuses.
func (s ClusterStatus) Valid() bool {
	_, ok := clusterTransitions[s]
	return ok
}

// Final reports whether nothing can happen to a cluster in status s any more.
func (s ClusterStatus) Final() bool { return s == StatusDeleted }

// CanTransition reports whether a cluster may move from one status to another.
// Staying in the same status is not a transition (store writes that only
// update progress don't go through here).
func CanTransition(from, to ClusterStatus) bool {
	for _, t := range clusterTransitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// TaskState is the state of one workflow step as shown in a cluster's tasks.
type TaskState string

const (
	TaskPending   TaskState = "Pending"
	TaskRunning   TaskState = "Running"
	TaskSucceeded TaskState = "Succeeded"
	TaskFailed    TaskState = "Failed"
	TaskSkipped   TaskState = "Skipped" // e.g. NAT gateways with static placement
)

// TaskStates lists every task state.
var TaskStates = []TaskState{TaskPending, TaskRunning, TaskSucceeded, TaskFailed, TaskSkipped}

// Done reports whether a task in this state will not change again by itself.
func (s TaskState) Done() bool {
	return s == TaskSucceeded || s == TaskFailed || s == TaskSkipped
}
