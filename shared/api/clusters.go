package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// ClusterStore persists clusters and reads what the workflows recorded
// about them; *store.Store implements it.
type ClusterStore interface {
	CreateCluster(ctx context.Context, scope domain.Scope, c *domain.Cluster) error
	GetCluster(ctx context.Context, scope domain.Scope, id string) (*domain.Cluster, error)
	ListClusters(ctx context.Context, scope domain.Scope, page store.Page) ([]domain.Cluster, string, error)
	UpdateCluster(ctx context.Context, scope domain.Scope, id string, mutate func(*domain.Cluster) error) (*domain.Cluster, error)
	// ClusterDetails reads a cluster with its tasks, ledger and nodes in
	// the time of one round trip (two concurrent requests);
	// ClusterChildren reads those of a cluster in hand with one Query.
	ClusterDetails(ctx context.Context, scope domain.Scope, id string) (*domain.Cluster, []domain.Task, []domain.Resource, map[string][]domain.Node, error)
	ClusterChildren(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Task, []domain.Resource, map[string][]domain.Node, error)
	Tasks(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Task, error)
	ResetTasks(ctx context.Context, scope domain.Scope, clusterID string, tasks []domain.Task) error
	Resources(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Resource, error)
	Nodes(ctx context.Context, scope domain.Scope, clusterID string) (map[string][]domain.Node, error)
	AccountAccess(ctx context.Context, scope domain.Scope, accountID string) (cloud.Access, error)
}

// DefaultForceDeleteDelay is how long a deletion runs before force delete
// unlocks (DESIGN §4).
const DefaultForceDeleteDelay = 15 * time.Minute

// WorkflowInput is every cluster state machine's input.
type WorkflowInput struct {
	Cluster workflow.ClusterRef `json:"cluster"`
}

func workflowInput(scope domain.Scope, c *domain.Cluster) WorkflowInput {
	return WorkflowInput{Cluster: workflow.ClusterRef{ID: c.ID, Tenant: scope.Tenant, Project: scope.Project, Generation: c.Generation}}
}

// executionName names a generation's execution, so a retried request that
// starts the same generation gets the same execution, never a second one.
func executionName(c *domain.Cluster) string { return fmt.Sprintf("%s-%d", c.ID, c.Generation) }

// pendingTasks are a workflow's task records before it runs.
func pendingTasks(names []string) []domain.Task {
	out := make([]domain.Task, len(names))
	for i, n := range names {
		out[i] = domain.Task{Name: n, State: domain.TaskPending}
	}
	return out
}

// requireClusters and requireWorkflows answer 501 in a deployment wired
// without cluster storage or workflows; they come after the checks that
// answer 4xx, so a bad request is told so either way.
func (h *Handler) requireClusters() error {
	if h.clusters == nil {
		return &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "clusters are not configured in this deployment"}
	}
	return nil
}

func (h *Handler) requireWorkflows() error {
	if err := h.requireClusters(); err != nil {
		return err
	}
	if h.deps.Executions == nil || h.deps.Schedules == nil {
		return &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "cluster workflows are not configured in this deployment"}
	}
	return nil
}

// decodeClusterSpec reads and validates a create request: strict decoding,
// defaults, then every rule of DESIGN §3, each failure a 400 with its path.
func (h *Handler) decodeClusterSpec(r *request) (domain.ClusterSpec, error) {
	var in domain.ClusterSpec
	if err := domain.DecodeStrict(r.body, &in); err != nil {
		return in, err
	}
	spec := domain.WithDefaults(in)
	zeros := domain.ExplicitZeroSpotPercents(r.body)
	err := domain.ValidateCluster(spec, h.catalog)
	if len(zeros) > 0 {
		// An explicit spotMaxPricePercent 0 was defaulted away before
		// validation: report it with whatever else is wrong.
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			zeros = append(zeros, ve.Errors...)
		}
		return spec, &domain.ValidationError{Errors: zeros}
	}
	if err != nil {
		return spec, err
	}
	return spec, nil
}

// checkReferences answers 404 with the field for an account or profile the
// caller's project does not have.
func (h *Handler) checkReferences(ctx context.Context, scope domain.Scope, spec domain.ClusterSpec) error {
	if _, err := h.deps.Store.GetCloudAccount(ctx, scope, spec.CloudAccountID); err != nil {
		return referenceError(err, "cloudAccountId", "cloud account")
	}
	if _, err := h.deps.Store.GetClusterProfile(ctx, scope, spec.ProfileID); err != nil {
		return referenceError(err, "profileId", "cluster profile")
	}
	return nil
}

func referenceError(err error, field, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		e := notFound(what)
		e.Field = field
		return e
	}
	return fmt.Errorf("load %s: %w", what, err)
}

func (h *Handler) createCluster(ctx context.Context, r *request) (response, error) {
	if err := h.requireClusters(); err != nil {
		return response{}, err
	}
	spec, err := h.decodeClusterSpec(r)
	if err != nil {
		return response{}, err
	}
	scope := r.principal.Scope
	if err := h.checkReferences(ctx, scope, spec); err != nil {
		return response{}, err
	}
	if err := h.checkStaticPlacement(ctx, scope, spec); err != nil {
		return response{}, err
	}
	dry, err := dryRunRequested(r)
	if err != nil {
		return response{}, err
	}
	if dry {
		return h.dryRun(ctx, r, spec)
	}
	if err := h.requireWorkflows(); err != nil {
		return response{}, err
	}
	provision := h.workflowsOf(spec.Kind).provision
	if err := requireMachine(provision, spec.Kind, "provisioning"); err != nil {
		return response{}, err
	}
	now := h.now().UTC()
	c := &domain.Cluster{
		ID: domain.NewID(domain.PrefixCluster, now), ClusterSpec: spec,
		Status: domain.StatusProvisioning, Generation: 1, CreatedAt: now,
		Tasks: pendingTasks(workflow.ProvisionTasks(spec)),
	}
	if err := h.clusters.CreateCluster(ctx, scope, c); err != nil {
		if errors.Is(err, store.ErrNotFound) { // the account was deleted meanwhile
			return response{}, referenceError(err, "cloudAccountId", "cloud account")
		}
		return response{}, fmt.Errorf("create cluster: %w", err)
	}
	r.log.InfoContext(ctx, "cluster created", "clusterId", c.ID)
	c, err = h.startWorkflow(ctx, r, c, provision)
	if err != nil {
		return response{}, err
	}
	return h.clusterResponse(ctx, r, c, http.StatusAccepted)
}

func dryRunRequested(r *request) (bool, error) {
	v, ok := r.event.QueryStringParameters["dryRun"]
	if !ok {
		return false, nil
	}
	dry, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("dryRun", "must be true or false")
	}
	return dry, nil
}

// startWorkflow starts the cluster's current generation on a state machine
// and records the execution. If it cannot be started the cluster is marked
// Failed (retry starts it again) and the error returned.
func (h *Handler) startWorkflow(ctx context.Context, r *request, c *domain.Cluster, stateMachineARN string) (*domain.Cluster, error) {
	return h.startWorkflowWith(ctx, r, c, stateMachineARN, workflowInput(r.principal.Scope, c))
}

// startWorkflowWith is startWorkflow with an input of the workflow's own
// (update-nodepool's says which pools to change and how).
func (h *Handler) startWorkflowWith(ctx context.Context, r *request, c *domain.Cluster, stateMachineARN string, input any) (*domain.Cluster, error) {
	scope := r.principal.Scope
	arn, startErr := h.deps.Executions.Start(ctx, stateMachineARN, executionName(c), input)
	gen := c.Generation
	updated, err := h.clusters.UpdateCluster(context.WithoutCancel(ctx), scope, c.ID, func(cur *domain.Cluster) error {
		if cur.Generation != gen {
			return errSuperseded
		}
		if startErr != nil {
			cur.Status, cur.StatusMessage = domain.StatusFailed, "the workflow could not be started; retry"
			return nil
		}
		cur.ExecutionARN = arn
		return nil
	})
	switch {
	case startErr != nil:
		return nil, fmt.Errorf("start %s: %w", executionName(c), startErr)
	case errors.Is(err, errSuperseded): // a newer request moved on; answer with its state
		return h.clusters.GetCluster(ctx, scope, c.ID)
	case err != nil:
		return nil, fmt.Errorf("record execution of %s: %w", c.ID, err)
	}
	r.log.InfoContext(ctx, "workflow started", "clusterId", c.ID, "executionArn", arn)
	return updated, nil
}

// errSuperseded aborts an update meant for a generation that is no longer
// the cluster's.
var errSuperseded = errors.New("cluster generation moved on")

func (h *Handler) listClusters(ctx context.Context, r *request) (response, error) {
	if err := h.requireClusters(); err != nil {
		return response{}, err
	}
	page, err := pageOf(r)
	if err != nil {
		return response{}, err
	}
	items, next, err := h.clusters.ListClusters(ctx, r.principal.Scope, page)
	if err != nil {
		return response{}, err
	}
	// The list is a summary: tasks, ledger and nodes are per cluster reads.
	for i := range items {
		h.summarize(&items[i], nil)
	}
	return jsonResponse(http.StatusOK, List[domain.Cluster]{Items: items, NextToken: next}), nil
}

func (h *Handler) getCluster(ctx context.Context, r *request) (response, error) {
	if err := h.requireClusters(); err != nil {
		return response{}, err
	}
	c, err := h.loadClusterDetails(ctx, r)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, c), nil
}

// loadCluster reads the {id} cluster of the caller's project; ids of the
// wrong shape are simply not found.
func (h *Handler) loadCluster(ctx context.Context, r *request) (*domain.Cluster, error) {
	id, err := clusterIDParam(r)
	if err != nil {
		return nil, err
	}
	c, err := h.clusters.GetCluster(ctx, r.principal.Scope, id)
	if err != nil {
		return nil, clusterLoadError(err)
	}
	return c, nil
}

// loadClusterDetails is loadCluster with tasks, ledger and nodes filled in
// (as fillCluster does), read together rather than one after another.
func (h *Handler) loadClusterDetails(ctx context.Context, r *request) (*domain.Cluster, error) {
	id, err := clusterIDParam(r)
	if err != nil {
		return nil, err
	}
	c, tasks, resources, nodes, err := h.clusters.ClusterDetails(ctx, r.principal.Scope, id)
	if err != nil {
		return nil, clusterLoadError(err)
	}
	h.fillWith(c, tasks, resources, nodes)
	return c, nil
}

func clusterIDParam(r *request) (string, error) {
	id := r.params["id"]
	if !domain.ValidID(domain.PrefixCluster, id) {
		return "", notFound("cluster")
	}
	return id, nil
}

func clusterLoadError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound("cluster")
	}
	return fmt.Errorf("load cluster: %w", err)
}

// clusterResponse answers with the full cluster: tasks, ledger and nodes.
func (h *Handler) clusterResponse(ctx context.Context, r *request, c *domain.Cluster, status int) (response, error) {
	if err := h.fillCluster(ctx, r.principal.Scope, c); err != nil {
		return response{}, err
	}
	return jsonResponse(status, c), nil
}

// fillCluster reads and fills in the cluster's tasks, ledger and nodes.
func (h *Handler) fillCluster(ctx context.Context, scope domain.Scope, c *domain.Cluster) error {
	tasks, resources, nodes, err := h.clusters.ClusterChildren(ctx, scope, c.ID)
	if err != nil {
		return err
	}
	h.fillWith(c, tasks, resources, nodes)
	return nil
}

func (h *Handler) fillWith(c *domain.Cluster, tasks []domain.Task, resources []domain.Resource, nodes map[string][]domain.Node) {
	c.Tasks, c.Resources = tasks, domain.WithNodeStates(resources, nodes)
	h.summarize(c, nodes)
}

// summarize fills the computed fields: pools with their nodes, progress and
// when force delete unlocks.
func (h *Handler) summarize(c *domain.Cluster, nodes map[string][]domain.Node) {
	c.NodePools = domain.PoolsWithNodes(c.ClusterSpec.NodePools, nodes)
	for i := range c.NodePools {
		c.NodePools[i].SpotWaiting = spotWaiting(c.Tasks, c.NodePools[i].Name)
	}
	c.Progress = progress(c)
	if c.DeletingSince != nil {
		at := c.DeletingSince.Add(h.forceDeleteDelay).UTC()
		c.ForceDelete.AvailableAt = &at
	}
}

// spotWaiting is why a spot pool waits for the price, from its running
// task's message (workflow.SpotWaitPrefix), or "".
func spotWaiting(tasks []domain.Task, pool string) string {
	name := workflow.NodePoolTask(pool)
	for _, t := range tasks {
		if t.Name == name && t.State == domain.TaskRunning {
			if why, ok := strings.CutPrefix(t.Message, workflow.SpotWaitPrefix); ok {
				return why
			}
		}
	}
	return ""
}

// progress is the share of tasks that are done without failing. A cluster
// that reached its goal is complete whatever its task records say.
func progress(c *domain.Cluster) int {
	if c.Status == domain.StatusRunning || c.Status == domain.StatusDeleted {
		return 100
	}
	if len(c.Tasks) == 0 {
		return 0
	}
	done := 0
	for _, t := range c.Tasks {
		if t.State == domain.TaskSucceeded || t.State == domain.TaskSkipped {
			done++
		}
	}
	return done * 100 / len(c.Tasks)
}
