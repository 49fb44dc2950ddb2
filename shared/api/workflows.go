package api

import (
	"context"
	"net/http"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// clusterWorkflows are the state machines of one cluster kind: an eks
// cluster is provisioned, deleted and updated by its own (provision-eks,
// delete-eks, update-eks-nodegroups), so that a retry or a deletion always
// resumes the machine of the cluster's kind.
type clusterWorkflows struct {
	provision, delete, update string
}

func (h *Handler) workflowsOf(kind domain.ClusterKind) clusterWorkflows {
	if kind == domain.KindEKS {
		return clusterWorkflows{
			provision: h.deps.ProvisionEKSStateMachineARN,
			delete:    h.deps.DeleteEKSStateMachineARN,
			update:    h.deps.UpdateEKSNodeGroupsStateMachineARN,
		}
	}
	return clusterWorkflows{
		provision: h.deps.ProvisionStateMachineARN,
		delete:    h.deps.DeleteStateMachineARN,
		update:    h.deps.UpdateNodePoolStateMachineARN,
	}
}

// requireMachine answers 501 when the deployment has no state machine for
// what a request asks of a cluster of this kind.
func requireMachine(arn string, kind domain.ClusterKind, what string) error {
	if arn == "" {
		return &Error{Status: http.StatusNotImplemented, Code: "not_implemented",
			Message: what + " of " + string(kind) + " clusters are not configured in this deployment"}
	}
	return nil
}

// loadForWorkflow is the common preamble of the routes that start or stop
// a cluster's workflow (delete, force delete, retry, node pool changes):
// the {id} cluster of the caller's project, then 501 without workflows,
// then allowed's 409 for a state the route refuses (nil allows any).
func (h *Handler) loadForWorkflow(ctx context.Context, r *request, allowed func(*domain.Cluster) error) (*domain.Cluster, error) {
	if err := h.requireClusters(); err != nil {
		return nil, err
	}
	c, err := h.loadCluster(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := h.requireWorkflows(); err != nil {
		return nil, err
	}
	if allowed != nil {
		if err := allowed(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}
