// Package eks emulates the Amazon EKS REST-JSON API of one simulated AWS
// account, every region in memory: clusters, managed node groups and their
// configuration updates, Fargate profiles and tags. Statuses move along
// AWS's own lifecycle (CREATING → ACTIVE, UPDATING → ACTIVE, DELETING →
// gone) after AWS's durations scaled by the local latency model, and EKS's
// side effects in the account's EC2 are real: the cluster security group
// and control-plane ENIs, and the node groups' instances.
package eks

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/latency"
)

// Network is what EKS needs from the account's EC2 (local/ec2.Service).
type Network interface {
	Subnet(region, id string) (ec2.SubnetInfo, bool)
	InstanceTypeKnown(instanceType string) bool
	CreateServiceSecurityGroup(region, vpcID, name, description string, tags map[string]string) (string, error)
	CreateServiceInterface(region, subnetID, description string, groups []string, tags map[string]string) (string, error)
	DeleteServiceResources(region string, ids []string)
	LaunchServiceInstance(spec ec2.ServiceInstance) (string, error)
	TerminateServiceInstances(region string, ids []string)
}

// noNetwork is an account without EC2: no subnet exists, so every create
// is refused rather than the service failing.
type noNetwork struct{}

var errNoNetwork = errors.New("the account has no EC2")

func (noNetwork) Subnet(string, string) (ec2.SubnetInfo, bool) { return ec2.SubnetInfo{}, false }
func (noNetwork) InstanceTypeKnown(string) bool                { return false }
func (noNetwork) CreateServiceSecurityGroup(string, string, string, string, map[string]string) (string, error) {
	return "", errNoNetwork
}
func (noNetwork) CreateServiceInterface(string, string, string, []string, map[string]string) (string, error) {
	return "", errNoNetwork
}
func (noNetwork) DeleteServiceResources(string, []string) {}
func (noNetwork) LaunchServiceInstance(ec2.ServiceInstance) (string, error) {
	return "", errNoNetwork
}
func (noNetwork) TerminateServiceInstances(string, []string) {}

// RoleTrust returns the trust policy of an IAM role of the account, false
// when the role does not exist.
type RoleTrust func(accountID, roleName string) (trustPolicy string, ok bool)

// Config configures one account's EKS.
type Config struct {
	AccountID string
	Latency   *latency.Model
	Network   Network
	// Roles lets EKS check that the roles it is given exist and trust the
	// right service principal; nil skips the check.
	Roles RoleTrust
}

// Service is the EKS of one simulated account. It is safe for concurrent use.
type Service struct {
	cfg Config

	mu       sync.Mutex
	clusters map[string]*cluster // region/name
	tokens   map[string]string   // region/action/scope/token → resource name or update id
}

// New returns an account without EKS resources.
func New(cfg Config) *Service {
	if cfg.Latency == nil {
		cfg.Latency = latency.New(1)
	}
	if cfg.Network == nil {
		cfg.Network = noNetwork{}
	}
	return &Service{cfg: cfg, clusters: map[string]*cluster{}, tokens: map[string]string{}}
}

// request is one decoded call.
type request struct {
	call   awsproto.Call
	http   *http.Request
	params []string // the path's variable segments, e.g. the cluster name
	op     string   // operation name
	now    time.Time
}

func (r *request) region() string { return r.call.Region }

// decode reads the JSON body into v; an empty body leaves v unchanged.
func (r *request) decode(v any) error {
	if r.http.Body == nil {
		return nil
	}
	dec := json.NewDecoder(r.http.Body)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return errInvalidRequest("Could not parse request body: %v", err)
	}
	return nil
}

type handler func(s *Service, w http.ResponseWriter, r *request) error

// route is one operation: method, path pattern ("*" is one segment) and
// the operation's name (which scopes client request tokens).
type route struct {
	method, pattern, op string
	h                   handler
}

// routes are matched in order; the path's "*" segments become r.params.
var routes = []route{
	{"POST", "/clusters", "CreateCluster", (*Service).createCluster},
	{"GET", "/clusters", "ListClusters", (*Service).listClusters},
	{"GET", "/clusters/*", "DescribeCluster", (*Service).describeCluster},
	{"DELETE", "/clusters/*", "DeleteCluster", (*Service).deleteCluster},
	{"GET", "/clusters/*/updates/*", "DescribeUpdate", (*Service).describeUpdate},
	{"POST", "/clusters/*/node-groups", "CreateNodegroup", (*Service).createNodegroup},
	{"GET", "/clusters/*/node-groups", "ListNodegroups", (*Service).listNodegroups},
	{"GET", "/clusters/*/node-groups/*", "DescribeNodegroup", (*Service).describeNodegroup},
	{"DELETE", "/clusters/*/node-groups/*", "DeleteNodegroup", (*Service).deleteNodegroup},
	{"POST", "/clusters/*/node-groups/*/update-config", "UpdateNodegroupConfig", (*Service).updateNodegroupConfig},
	{"POST", "/clusters/*/fargate-profiles", "CreateFargateProfile", (*Service).createFargateProfile},
	{"GET", "/clusters/*/fargate-profiles", "ListFargateProfiles", (*Service).listFargateProfiles},
	{"GET", "/clusters/*/fargate-profiles/*", "DescribeFargateProfile", (*Service).describeFargateProfile},
	{"DELETE", "/clusters/*/fargate-profiles/*", "DeleteFargateProfile", (*Service).deleteFargateProfile},
}

func match(pattern, path string) ([]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var params []string
	for i, p := range ps {
		switch {
		case p == "*":
			if xs[i] == "" {
				return nil, false
			}
			params = append(params, xs[i])
		case p != xs[i]:
			return nil, false
		}
	}
	return params, true
}

// ServeHTTP answers one EKS API request.
func (s *Service) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	call, ok := awsproto.FromContext(hr.Context())
	if !ok {
		var err error
		if call, err = awsproto.Parse(hr); err != nil {
			awsproto.WriteError(w, awsproto.Call{Protocol: awsproto.ProtocolREST},
				awsproto.Errorf(http.StatusForbidden, "MissingAuthenticationTokenException", "%v", err))
			return
		}
	}
	call.Protocol = awsproto.ProtocolREST
	if call.RequestID == "" {
		call.RequestID = awsproto.NewRequestID()
	}
	r := &request{call: call, http: hr, now: time.Now()}
	h, err := s.resolve(r)
	if err != nil {
		awsproto.WriteError(w, call, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(r.now)
	if err := h(s, w, r); err != nil {
		awsproto.WriteError(w, call, err)
	}
}

// resolve finds the operation; tagging paths carry a whole ARN.
func (s *Service) resolve(r *request) (handler, error) {
	path := r.http.URL.Path
	if arn, ok := strings.CutPrefix(path, "/tags/"); ok {
		r.params = []string{arn}
		switch r.http.Method {
		case http.MethodGet:
			return (*Service).listTagsForResource, nil
		case http.MethodPost:
			return (*Service).tagResource, nil
		case http.MethodDelete:
			return (*Service).untagResource, nil
		}
	}
	for _, rt := range routes {
		if rt.method != r.http.Method {
			continue
		}
		if params, ok := match(rt.pattern, path); ok {
			r.params, r.op = params, rt.op
			return rt.h, nil
		}
	}
	return nil, awsproto.Errorf(http.StatusNotFound, "UnknownOperationException",
		"%s %s is not an operation of the local EKS", r.http.Method, path)
}

// writeJSON answers a successful call.
func writeJSON(w http.ResponseWriter, r *request, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s answer: %w", r.call.Action, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", r.call.RequestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// Errors in EKS's spelling.
func errNotFound(format string, args ...any) error {
	return awsproto.Errorf(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func errInUse(format string, args ...any) error {
	return awsproto.Errorf(http.StatusConflict, "ResourceInUseException", format, args...)
}

func errInvalidParameter(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterException", format, args...)
}

func errInvalidRequest(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidRequestException", format, args...)
}

func errBadRequest(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "BadRequestException", format, args...)
}

func errTagTargetNotFound(format string, args ...any) error {
	return awsproto.Errorf(http.StatusNotFound, "NotFoundException", format, args...)
}

// idempotent returns what an earlier create with the same client request
// token made, so that a retried create answers the same resource.
func (s *Service) idempotent(r *request, scope, token string) (string, bool) {
	if token == "" {
		return "", false
	}
	v, ok := s.tokens[r.region()+"/"+r.op+"/"+scope+"/"+token]
	return v, ok
}

func (s *Service) rememberToken(r *request, scope, token, value string) {
	if token != "" {
		s.tokens[r.region()+"/"+r.op+"/"+scope+"/"+token] = value
	}
}

// uuid returns a random RFC 4122 version 4 UUID, as EKS puts in ARNs.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// epoch is a timestamp as EKS's JSON carries it: seconds since the epoch.
func epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// schedule makes sure advance runs when a transition falls due, so EC2
// side effects (instances, the cluster's ENIs) happen on time even when
// nobody calls EKS.
func (s *Service) schedule(at time.Time) {
	time.AfterFunc(time.Until(at)+time.Millisecond, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.advance(time.Now())
	})
}

// advance applies every transition that is due at now.
func (s *Service) advance(now time.Time) {
	for key, cl := range s.clusters {
		s.advanceNodegroups(cl, now)
		s.advanceFargateProfiles(cl, now)
		switch {
		case cl.status == statusCreating && !now.Before(cl.due):
			cl.status = statusActive
		case cl.status == statusDeleting && !now.Before(cl.due):
			s.cfg.Network.DeleteServiceResources(cl.region, cl.ec2Resources())
			delete(s.clusters, key)
		}
	}
}

// paginate returns one page of sorted names and the token of the next.
func paginate(r *request, names []string) ([]string, string, error) {
	q := r.http.URL.Query()
	limit := 100
	if raw := q.Get("maxResults"); raw != "" {
		if _, err := fmt.Sscan(raw, &limit); err != nil || limit < 1 || limit > 100 {
			return nil, "", errInvalidParameter("maxResults must be between 1 and 100")
		}
	}
	start := 0
	if token := q.Get("nextToken"); token != "" {
		start = sort.SearchStrings(names, token)
	}
	end := min(start+limit, len(names))
	next := ""
	if end < len(names) {
		next = names[end]
	}
	return names[start:end], next, nil
}
