// Package ec2 emulates the EC2 Query API (networking and instances) of one
// simulated AWS account, every region in memory. State transitions (NAT
// gateways, instances) are computed lazily from timestamps on each request,
// scaled by the local latency model, so no goroutines run behind the API.
package ec2

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/latency"
)

// Config configures one account's EC2.
type Config struct {
	AccountID string
	Latency   *latency.Model
	Catalog   Catalog
}

// Service is the EC2 of one simulated account. It is safe for concurrent use.
type Service struct {
	cfg Config

	mu              sync.Mutex
	seq             uint64
	vpcs            map[string]*vpc
	subnets         map[string]*subnet
	internetGWs     map[string]*internetGateway
	routeTables     map[string]*routeTable
	addresses       map[string]*address // by allocation id
	natGateways     map[string]*natGateway
	securityGroups  map[string]*securityGroup
	enis            map[string]*networkInterface
	instances       map[string]*instance
	volumes         map[string]*volume
	keyPairs        map[string]*keyPair // by key pair id
	launchTemplates map[string]*launchTemplate
	tags            map[string]map[string]string // resource id → tags
	quotas          map[string]map[string]int    // region ("" = every region) → quota code → value
	clientTokens    map[string]string            // region/action/token → resource id
	nextPublicIP    uint32
}

// meta is what every resource has; it also lets generic helpers (describe,
// inventory) treat all kinds alike.
type meta struct {
	id      string
	region  string
	seq     uint64
	created time.Time
}

func (m *meta) base() *meta { return m }

type record interface{ base() *meta }

// New returns an empty account.
func New(cfg Config) *Service {
	if cfg.Latency == nil {
		cfg.Latency = latency.New(1)
	}
	return &Service{
		cfg:             cfg,
		vpcs:            map[string]*vpc{},
		subnets:         map[string]*subnet{},
		internetGWs:     map[string]*internetGateway{},
		routeTables:     map[string]*routeTable{},
		addresses:       map[string]*address{},
		natGateways:     map[string]*natGateway{},
		securityGroups:  map[string]*securityGroup{},
		enis:            map[string]*networkInterface{},
		instances:       map[string]*instance{},
		volumes:         map[string]*volume{},
		keyPairs:        map[string]*keyPair{},
		launchTemplates: map[string]*launchTemplate{},
		tags:            map[string]map[string]string{},
		quotas:          map[string]map[string]int{},
		clientTokens:    map[string]string{},
		nextPublicIP:    0x36000010, // 54.0.0.16: looks like an AWS public range
	}
}

// request is one decoded EC2 call, handed to every action handler.
type request struct {
	call awsproto.Call
	form url.Values
	now  time.Time
}

func (r *request) region() string { return r.call.Region }

type actionHandler func(s *Service, w http.ResponseWriter, r *request) error

// actions maps EC2 action names to handlers; each resource file registers
// its own in init so that this file does not grow with every action.
var actions = map[string]actionHandler{}

func register(handlers map[string]actionHandler) {
	for name, h := range handlers {
		actions[name] = h
	}
}

// ServeHTTP answers one EC2 Query API request.
func (s *Service) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	call, ok := awsproto.FromContext(hr.Context())
	if !ok {
		var err error
		if call, err = awsproto.Parse(hr); err != nil {
			awsproto.WriteError(w, awsproto.Call{Protocol: awsproto.ProtocolEC2Query},
				awsproto.Errorf(http.StatusBadRequest, "MissingAuthenticationToken", "%v", err))
			return
		}
	}
	call.Protocol = awsproto.ProtocolEC2Query
	if call.RequestID == "" {
		call.RequestID = awsproto.NewRequestID()
	}
	form, err := awsproto.ReadForm(hr)
	if err != nil {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err))
		return
	}
	if call.Action == "" {
		call.Action = form.Get("Action")
	}
	if s.cfg.Catalog != nil && s.cfg.Catalog.ServeAction(w, call, form) {
		return
	}
	handler, ok := actions[call.Action]
	if !ok {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "UnsupportedOperation",
			"The action %s is not supported by the local EC2.", call.Action))
		return
	}
	if strings.EqualFold(form.Get("DryRun"), "true") {
		// The router has already checked permissions when it reaches here.
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusPreconditionFailed, "DryRunOperation",
			"Request would have succeeded, but DryRun flag is set."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.advance(now)
	if err := handler(s, w, &request{call: call, form: form, now: now}); err != nil {
		awsproto.WriteError(w, call, err)
	}
}

// advance applies every timed transition that is due at now.
func (s *Service) advance(now time.Time) {
	s.advanceNATGateways(now)
	s.advanceInstances(now)
}

// newID returns an AWS-looking id: prefix, dash, 17 hex digits.
func newID(prefix string) string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

func (s *Service) newMeta(prefix string, r *request) meta {
	s.seq++
	return meta{id: newID(prefix), region: r.region(), seq: s.seq, created: r.now}
}

// inRegion returns the region's resources of one kind in creation order.
func inRegion[T record](all map[string]T, region string) []T {
	out := make([]T, 0, len(all))
	for _, v := range all {
		if v.base().region == region {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].base().seq < out[j].base().seq })
	return out
}

// lookup finds one resource of the caller's region or answers its NotFound error.
func lookup[T record](all map[string]T, r *request, id string, notFound func(string) error) (T, error) {
	v, ok := all[id]
	if !ok || v.base().region != r.region() {
		var zero T
		return zero, notFound(id)
	}
	return v, nil
}

// Common error constructors, in AWS's wording.
func errBadRequest(code, format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, code, format, args...)
}

func errMissing(param string) error {
	return errBadRequest("MissingParameter", "The request must contain the parameter %s", param)
}

func errDependency(format string, args ...any) error {
	return errBadRequest("DependencyViolation", format, args...)
}

func notFoundFunc(code, noun string) func(string) error {
	return func(id string) error {
		return errBadRequest(code, "The %s '%s' does not exist", noun, id)
	}
}

// required reads a mandatory parameter.
func required(form url.Values, name string) (string, error) {
	v := form.Get(name)
	if v == "" {
		return "", errMissing(name)
	}
	return v, nil
}

// idempotent returns the resource id an earlier call with the same client
// token created, so that retried creates return the same resource.
func (s *Service) idempotent(r *request) (string, bool) {
	token := r.form.Get("ClientToken")
	if token == "" {
		return "", false
	}
	id, ok := s.clientTokens[r.region()+"/"+r.call.Action+"/"+token]
	return id, ok
}

func (s *Service) rememberToken(r *request, id string) {
	if token := r.form.Get("ClientToken"); token != "" {
		s.clientTokens[r.region()+"/"+r.call.Action+"/"+token] = id
	}
}

// allocatePublicIP hands out a fresh public address.
func (s *Service) allocatePublicIP() string {
	s.nextPublicIP++
	n := s.nextPublicIP
	return fmt.Sprintf("%d.%d.%d.%d", n>>24, n>>16&0xff, n>>8&0xff, n&0xff)
}
