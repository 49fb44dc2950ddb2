// Package api is the HTTP API of ClusterForge behind API Gateway (HTTP API,
// payload v2): routing, auth from JWT claims, idempotency, JSON errors and
// the handlers. functions/api only wires it up.
package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
	"github.com/clusterforge/clusterforge/shared/store"
)

// AccountValidator checks what the service can do in a customer account:
// identity, missing permissions, quota headroom. *cloud.Validator
// implements it. Errors: *cloud.CredentialsError (or any error with
// `AccessDenied() bool` true) means the customer's role or keys do not work
// and answers 422; cloud.ErrInvalidAccess answers 400; anything else is 500.
type AccountValidator interface {
	Validate(ctx context.Context, access cloud.Access, region string) (cloud.ValidationReport, error)
}

// AccountStore persists cloud accounts and the tenant ExternalId.
type AccountStore interface {
	CreateCloudAccount(ctx context.Context, scope domain.Scope, a *domain.CloudAccount) error
	GetCloudAccount(ctx context.Context, scope domain.Scope, id string) (*domain.CloudAccount, error)
	ListCloudAccounts(ctx context.Context, scope domain.Scope, page store.Page) ([]domain.CloudAccount, string, error)
	DeleteCloudAccount(ctx context.Context, scope domain.Scope, a *domain.CloudAccount) error
	CloudAccountInUse(ctx context.Context, scope domain.Scope, id string) (bool, error)
	ExternalID(ctx context.Context, tenant string) (string, error)
}

// ProfileStore persists cluster profiles.
type ProfileStore interface {
	CreateClusterProfile(ctx context.Context, scope domain.Scope, p *domain.ClusterProfile) error
	GetClusterProfile(ctx context.Context, scope domain.Scope, id string) (*domain.ClusterProfile, error)
	ListClusterProfiles(ctx context.Context, scope domain.Scope, page store.Page) ([]domain.ClusterProfile, string, error)
}

// IdempotencyStore remembers Idempotency-Key requests and their responses.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, scope domain.Scope, key, fingerprint string) (*store.IdempotencyRecord, error)
	CompleteIdempotencyKey(ctx context.Context, scope domain.Scope, key string, rec store.IdempotencyRecord) error
	ReleaseIdempotencyKey(ctx context.Context, scope domain.Scope, key string) error
}

// Store is everything the API persists; *store.Store implements it.
type Store interface {
	AccountStore
	ProfileStore
	IdempotencyStore
}

// SecretStore keeps access keys of secret-type accounts; *store.Secrets
// implements it.
type SecretStore interface {
	PutAccessKey(ctx context.Context, scope domain.Scope, accountID string, key domain.AccessKey) (ref string, err error)
	GetAccessKey(ctx context.Context, ref string) (domain.AccessKey, error)
	DeleteSecret(ctx context.Context, ref string) error
}

// Deps are the handler's collaborators and settings.
type Deps struct {
	Store   Store
	Secrets SecretStore
	// Validator may be nil until shared/cloud provides one: validate then
	// answers 501.
	Validator AccountValidator
	// PlatformAccountID is the AWS account customers trust in their role.
	PlatformAccountID string
	Logger            *slog.Logger
	Now               func() time.Time

	// Clusters persists clusters; nil means Store, when it implements
	// ClusterStore (*store.Store does).
	Clusters ClusterStore
	// The cluster workflows (PROVISION_STATE_MACHINE_ARN,
	// DELETE_STATE_MACHINE_ARN) and how they are started and stopped.
	// Cluster routes answer 501 without Executions and Schedules.
	ProvisionStateMachineARN string
	DeleteStateMachineARN    string
	// UpdateNodePoolStateMachineARN (UPDATE_NODEPOOL_STATE_MACHINE_ARN)
	// runs node pool changes; the nodepools mutations answer 501 without it.
	UpdateNodePoolStateMachineARN string
	// The eks cluster workflows (PROVISION_EKS_STATE_MACHINE_ARN,
	// DELETE_EKS_STATE_MACHINE_ARN, UPDATE_EKS_NODEGROUPS_STATE_MACHINE_ARN):
	// requests for eks clusters answer 501 without them.
	ProvisionEKSStateMachineARN        string
	DeleteEKSStateMachineARN           string
	UpdateEKSNodeGroupsStateMachineARN string
	// Subnets checks static placement's subnets at create (DescribeSubnets
	// with the customer's access); nil leaves it to the workflow.
	Subnets    SubnetChecker
	Executions Executions
	// Schedules unlock force delete ForceDeleteDelay (FORCE_DELETE_DELAY,
	// default DefaultForceDeleteDelay) after a deletion began; where they
	// live and what they invoke is the implementation's (SchedulerTarget).
	Schedules        Schedules
	ForceDeleteDelay time.Duration
	// Quotas reads quota headroom for dry runs; nil reports them unavailable.
	Quotas QuotaChecker
	// Scanner finds force-deleted clusters' leftovers in the account; nil
	// falls back to the ledger.
	Scanner LeftoverScanner
	// Networks lists an account's VPCs and subnets for the console's
	// static placement (GET /v1/cloudaccounts/{id}/vpcs); nil answers 501.
	Networks NetworkLister
	// Catalog validates, plans and prices clusters; nil means pricing.Default().
	Catalog domain.PriceCatalog
}

// Handler serves API Gateway HTTP API (payload v2) events.
type Handler struct {
	deps             Deps
	log              *slog.Logger
	now              func() time.Time
	clusters         ClusterStore
	catalog          domain.PriceCatalog
	forceDeleteDelay time.Duration
}

// New returns a Handler; Logger and Now default to slog.Default and time.Now.
func New(deps Deps) *Handler {
	h := &Handler{deps: deps, log: deps.Logger, now: deps.Now}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.clusters = deps.Clusters
	if cs, ok := deps.Store.(ClusterStore); ok && h.clusters == nil {
		h.clusters = cs
	}
	h.catalog = deps.Catalog
	if h.catalog == nil {
		h.catalog = pricing.Default()
	}
	h.forceDeleteDelay = deps.ForceDeleteDelay
	if h.forceDeleteDelay <= 0 {
		h.forceDeleteDelay = DefaultForceDeleteDelay
	}
	return h
}

// maxBodyBytes bounds request bodies well above the largest valid profile.
const maxBodyBytes = 1 << 20

// request is one API call as the route handlers see it.
type request struct {
	event     *events.APIGatewayV2HTTPRequest
	route     *route
	params    map[string]string
	principal Principal
	body      []byte
	log       *slog.Logger
}

// response is what a route handler answers; body is marshalled to JSON
// unless raw is set (replays, the OpenAPI document).
type response struct {
	status  int
	body    any
	raw     []byte
	headers map[string]string
}

// Handle is the Lambda entry point. It never returns an error: every
// outcome, faults included, is an HTTP response with a JSON error body.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := h.now()
	log := h.log.With("apiRequestId", ev.RequestContext.RequestID)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("awsRequestId", lc.AwsRequestID)
	}
	resp, r := h.serve(ctx, log, &ev)
	if r != nil {
		log = r.log
	}
	out, err := encode(resp)
	if err != nil {
		log.Error("encode response", "err", err)
		out, _ = encode(errorResponse(faultError()))
	}
	log.Info("request", "method", ev.RequestContext.HTTP.Method, "path", ev.RawPath,
		"status", out.StatusCode, "durationMs", h.now().Sub(start).Milliseconds())
	return out, nil
}

// serve routes, authenticates and runs one request. Panics become 500s so
// one bad request cannot take the warm Lambda's other requests with it.
func (h *Handler) serve(ctx context.Context, log *slog.Logger, ev *events.APIGatewayV2HTTPRequest) (resp response, r *request) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = errorResponse(faultError())
		}
	}()
	rt, params, err := match(ev)
	if err != nil {
		return errorResponse(err), nil
	}
	log = log.With("route", rt.key())
	r = &request{event: ev, route: rt, params: params, log: log}
	if !rt.public {
		if r.principal, err = authenticate(ev, rt.minRole); err != nil {
			return errorResponse(err), r
		}
		r.log = log.With("tenant", r.principal.Scope.Tenant, "project", r.principal.Scope.Project,
			"sub", r.principal.Subject, "role", string(r.principal.Role))
	}
	if r.body, err = readBody(ev); err != nil {
		return errorResponse(err), r
	}
	next := func(ctx context.Context) response { return h.run(ctx, r) }
	if rt.idempotent {
		return h.withIdempotency(ctx, r, next), r
	}
	return next(ctx), r
}

// run calls the route's handler and turns its error into a response.
func (h *Handler) run(ctx context.Context, r *request) response {
	resp, err := r.route.handle(h, ctx, r)
	if err != nil {
		apiErr := toAPIError(err)
		if apiErr.Status >= 500 {
			r.log.ErrorContext(ctx, "request failed", "err", err)
		}
		return errorResponse(apiErr)
	}
	return resp
}

func readBody(ev *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, badRequest("", "request body is not valid base64")
		}
		body = decoded
	}
	if len(body) > maxBodyBytes {
		return nil, badRequest("", fmt.Sprintf("request body must be at most %d bytes", maxBodyBytes))
	}
	return body, nil
}

func encode(resp response) (events.APIGatewayV2HTTPResponse, error) {
	headers := map[string]string{"Cache-Control": "no-store"}
	for k, v := range resp.headers {
		headers[k] = v
	}
	body := resp.raw
	if body == nil && resp.body != nil {
		var err error
		if body, err = json.Marshal(resp.body); err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("marshal response: %w", err)
		}
	}
	if len(body) > 0 {
		if _, set := headers["Content-Type"]; !set {
			headers["Content-Type"] = "application/json"
		}
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: resp.status, Headers: headers, Body: string(body)}, nil
}

func jsonResponse(status int, body any) response { return response{status: status, body: body} }
