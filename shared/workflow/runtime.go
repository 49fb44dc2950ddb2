package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ActionFunc does one step for the cluster of c. Its answer goes back to
// the state machine (ResultPath); its error is mapped by Handle.
type ActionFunc func(ctx context.Context, c *Call) (any, error)

// SessionSource hands out customer-account sessions; *cloud.SessionCache
// implements it. It is an interface so tests can count or refuse sessions.
type SessionSource interface {
	Session(access cloud.Access, region, owner string) (*cloud.Session, error)
}

// Deps are the runtime's collaborators and settings. Store, Sessions and
// Services are required by actions that touch AWS; the rest have defaults.
type Deps struct {
	Store     ClusterStore
	Sessions  SessionSource
	Services  ServiceFactory
	Prices    domain.PriceCatalog
	Bootstrap BootstrapStore // kubeadm secrets per cluster; nil fails ensureNodes
	Schedules Schedules      // force-delete schedules; nil skips the cleanup
	Now       func() time.Time
	Logger    *slog.Logger
	Deadlines Deadlines
	// ForceDeleteDelay is how long after deletingSince force delete unlocks
	// when the cluster does not say (FORCE_DELETE_DELAY; 15 minutes).
	ForceDeleteDelay time.Duration
}

// Handler serves one Lambda function's actions.
type Handler struct {
	deps    Deps
	actions map[string]ActionFunc
}

// New returns a handler for the given action table.
func New(deps Deps, actions map[string]ActionFunc) *Handler {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	if deps.Deadlines == (Deadlines{}) {
		deps.Deadlines = DefaultDeadlines
	}
	if deps.ForceDeleteDelay == 0 {
		deps.ForceDeleteDelay = DefaultForceDeleteDelay
	}
	return &Handler{deps: deps, actions: actions}
}

// DefaultForceDeleteDelay is DESIGN §4's 15 minutes.
const DefaultForceDeleteDelay = 15 * time.Minute

// Handle runs one Task state's action. It loads the cluster, refuses stale
// work, runs the action and turns its error into the errorType the state
// machine's Retry and Catch match.
func (h *Handler) Handle(ctx context.Context, in Input) (any, error) {
	log := h.deps.Logger.With("action", in.Action, "clusterId", in.Cluster.ID,
		"tenant", in.Cluster.Tenant, "project", in.Cluster.Project, "generation", in.Cluster.Generation)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("requestId", lc.AwsRequestID)
	}
	if in.AZ != "" {
		log = log.With("az", in.AZ)
	}
	if in.Pool != "" {
		log = log.With("pool", in.Pool)
	}
	action, ok := h.actions[in.Action]
	if !ok {
		log.Error("unknown action")
		return nil, Fail(ErrFailed, "unknown action %q for this function", in.Action)
	}
	if in.Cluster.ID == "" || !domain.ValidScopePart(in.Cluster.Tenant) || !domain.ValidScopePart(in.Cluster.Project) {
		return nil, Fail(ErrFailed, "input has no valid cluster reference")
	}
	scope := domain.Scope{Tenant: in.Cluster.Tenant, Project: in.Cluster.Project}
	cluster, err := h.deps.Store.GetCluster(ctx, scope, in.Cluster.ID)
	if err != nil {
		log.Error("load cluster", "err", err)
		return nil, mapError(fmt.Errorf("load cluster %s: %w", in.Cluster.ID, err))
	}
	if stale, why := h.stale(cluster, in); stale {
		log.Info("stale work: no-op", "reason", why)
		return staleAnswer(why), nil
	}
	c := &Call{Input: in, Cluster: cluster, Scope: scope, deps: &h.deps, Log: log}
	start := h.deps.Now()
	out, err := action(ctx, c)
	if err != nil {
		mapped := mapError(err)
		log.Warn("action failed", "errorType", ErrorType(mapped), "err", err, "ms", time.Since(start).Milliseconds())
		c.recordFailure(ctx, mapped)
		return nil, withTask(mapped, c.task)
	}
	log.Info("action done", "ms", time.Since(start).Milliseconds())
	return out, nil
}

// stale reports whether the input belongs to a superseded workflow: a newer
// generation started (a stopped execution's in-flight task must not fight
// it), or the cluster is already Deleted (force delete stopped the
// execution).
func (h *Handler) stale(c *domain.Cluster, in Input) (bool, string) {
	if g := c.Generation; g > in.Cluster.Generation {
		return true, fmt.Sprintf("superseded by generation %d", g)
	}
	if c.Status == domain.StatusDeleted && in.Action != "markDeleted" {
		return true, "cluster is already deleted"
	}
	return false, ""
}

// staleAnswer satisfies every Choice of the state machines in the direction
// that ends the execution soonest: checks are ready, nothing waits for a
// spot price, and an empty plan makes the Map states do nothing.
func staleAnswer(why string) map[string]any {
	return map[string]any{
		"stale": true, "message": why,
		"ready": true, "done": 0, "total": 0, "waitingForSpotPrice": false,
		"azs": []string{}, "natAzs": []string{}, "pools": []string{},
	}
}

// Call is one invocation: the input, the loaded cluster and lazily built
// customer-account access, so lifecycle actions that never touch AWS do not
// depend on the account's credentials working.
type Call struct {
	Input   Input
	Cluster *domain.Cluster
	Scope   domain.Scope
	Log     *slog.Logger
	deps    *Deps

	task       string      // the task this call reports progress on, if any
	current    domain.Task // its last written record
	sess       *cloud.Session
	cscope     *cloud.ClusterScope
	network    cloud.Network
	compute    cloud.Compute
	lb         cloud.LoadBalancer
	eks        cloud.EKS
	k8sVersion string // from the profile, when an action loaded it
	planDone   bool
	plan       domain.Plan
	planErr    error
}

// Now is the runtime's clock.
func (c *Call) Now() time.Time { return c.deps.Now() }

// Plan is the cluster's resource plan (domain.PlanCluster).
func (c *Call) Plan() (domain.Plan, error) {
	if !c.planDone {
		c.planDone = true
		c.plan, c.planErr = domain.PlanCluster(c.Cluster.ClusterSpec, c.deps.Prices)
		if c.planErr != nil {
			c.planErr = Fail(ErrFailed, "the cluster spec cannot be planned: %v", c.planErr)
		}
	}
	return c.plan, c.planErr
}

// ClusterScope is what the cloud services know about the cluster.
func (c *Call) ClusterScope() (*cloud.ClusterScope, error) {
	if c.cscope != nil {
		return c.cscope, nil
	}
	plan, err := c.Plan()
	if err != nil {
		return nil, err
	}
	c.cscope = &cloud.ClusterScope{
		ClusterID: c.Cluster.ID, ClusterName: c.Cluster.Name, Region: c.Cluster.Region,
		Generation: c.Input.Cluster.Generation, UserTags: c.Cluster.Tags, Plan: plan,
		Ledger: storeLedger{store: c.deps.Store, scope: c.Scope, clusterID: c.Cluster.ID},
	}
	return c.cscope, nil
}

// Session is the session for the cluster's account and region.
func (c *Call) Session(ctx context.Context) (*cloud.Session, error) {
	if c.sess != nil {
		return c.sess, nil
	}
	if c.deps.Sessions == nil {
		return nil, errors.New("workflow: no session source configured")
	}
	access, err := c.deps.Store.AccountAccess(ctx, c.Scope, c.Cluster.CloudAccountID)
	if err != nil {
		return nil, fmt.Errorf("resolve cloud account %s: %w", c.Cluster.CloudAccountID, err)
	}
	sess, err := c.deps.Sessions.Session(access, c.Cluster.Region, c.Cluster.ID)
	if err != nil {
		return nil, fmt.Errorf("session for cloud account %s in %s: %w", c.Cluster.CloudAccountID, c.Cluster.Region, err)
	}
	c.sess = sess
	return sess, nil
}

// services builds the session and scope a service needs.
func (c *Call) services(ctx context.Context) (*cloud.Session, *cloud.ClusterScope, error) {
	if c.deps.Services == nil {
		return nil, nil, errors.New("workflow: no service factory configured")
	}
	scope, err := c.ClusterScope()
	if err != nil {
		return nil, nil, err
	}
	sess, err := c.Session(ctx)
	if err != nil {
		return nil, nil, err
	}
	return sess, scope, nil
}

// Network is the cluster's network service.
func (c *Call) Network(ctx context.Context) (cloud.Network, error) {
	if c.network == nil {
		sess, scope, err := c.services(ctx)
		if err != nil {
			return nil, err
		}
		c.network = c.deps.Services.Network(sess, scope)
	}
	return c.network, nil
}

// Compute is the cluster's compute service.
func (c *Call) Compute(ctx context.Context) (cloud.Compute, error) {
	if c.compute == nil {
		sess, scope, err := c.services(ctx)
		if err != nil {
			return nil, err
		}
		c.compute = c.deps.Services.Compute(sess, scope, ComputeOptions{SSHKeyName: c.Cluster.SSHKeyName, KubernetesVersion: c.k8sVersion})
	}
	return c.compute, nil
}

// LoadBalancer is the cluster's load balancer service.
func (c *Call) LoadBalancer(ctx context.Context) (cloud.LoadBalancer, error) {
	if c.lb == nil {
		sess, scope, err := c.services(ctx)
		if err != nil {
			return nil, err
		}
		c.lb = c.deps.Services.LoadBalancer(sess, scope)
	}
	return c.lb, nil
}

// EKS is the cluster's EKS service (kind eks).
func (c *Call) EKS(ctx context.Context) (cloud.EKS, error) {
	if c.eks == nil {
		sess, scope, err := c.services(ctx)
		if err != nil {
			return nil, err
		}
		c.eks = c.deps.Services.EKS(sess, scope, c.Cluster.ClusterSpec)
	}
	return c.eks, nil
}

// networkIDs looks up the ids later steps need.
func (c *Call) networkIDs(ctx context.Context) (cloud.NetworkIDs, error) {
	n, err := c.Network(ctx)
	if err != nil {
		return cloud.NetworkIDs{}, err
	}
	ids, err := n.Lookup(ctx)
	if err != nil {
		return cloud.NetworkIDs{}, fmt.Errorf("look up the cluster's network: %w", err)
	}
	return ids, nil
}

// Scope is the tenant and project the reference names.
func (r ClusterRef) Scope() domain.Scope { return domain.Scope{Tenant: r.Tenant, Project: r.Project} }

// Functions maps each task function (functions/<name>, the ASL's
// ${NameFunctionArn} lower-cased) to its action table.
var Functions = map[string]map[string]ActionFunc{
	"preflight":    PreflightActions,
	"network":      NetworkActions,
	"compute":      ComputeActions,
	"loadbalancer": LoadBalancerActions,
	"lifecycle":    LifecycleActions,
	"eks":          EKSActions,
}
