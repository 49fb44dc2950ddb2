// Package elbhealth answers ELBv2 DescribeTargetHealth, which kumo cannot
// answer truthfully (it has no health checks). It watches the target-group
// calls the router forwards to kumo and reports each target as AWS would:
// initial until the health-check delay has passed and the instance runs,
// then healthy; unused when the instance is stopped or terminated; draining
// for the deregistration delay after DeregisterTargets.
package elbhealth

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/latency"
)

// Instances tells the tracker an EC2 instance's state name (pending,
// running, stopped, terminated, …; "" if unknown).
type Instances interface {
	InstanceState(accountID, region, instanceID string) string
}

// DefaultDeregistrationDelay is ELBv2's default deregistration_delay, in AWS
// time; it is scaled to wall time with the latency model.
const DefaultDeregistrationDelay = 300 * time.Second

// Tracker is safe for concurrent use.
type Tracker struct {
	mu                  sync.Mutex
	latency             *latency.Model
	instances           Instances
	groups              map[string]*targetGroup // by account + "|" + ARN
	DeregistrationDelay time.Duration           // AWS time
	now                 func() time.Time
}

type targetGroup struct {
	targets  map[string]*target // by id:port
	draining map[string]*target
}

type target struct {
	ID           string
	Port         string
	Registered   time.Time
	Deregistered time.Time
}

// New returns a tracker. instances may be nil (targets then count as running).
func New(model *latency.Model, instances Instances) *Tracker {
	return &Tracker{latency: model, instances: instances, groups: map[string]*targetGroup{},
		DeregistrationDelay: DefaultDeregistrationDelay, now: time.Now}
}

func groupKey(accountID, arn string) string { return accountID + "|" + arn }

// Observe records an ELBv2 call kumo answered successfully.
func (t *Tracker) Observe(accountID, action string, form url.Values, response []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	switch action {
	case "CreateTargetGroup":
		if arn := awsproto.XMLText(response, "TargetGroupArn"); arn != "" {
			t.group(accountID, arn)
		}
	case "DeleteTargetGroup":
		delete(t.groups, groupKey(accountID, form.Get("TargetGroupArn")))
	case "RegisterTargets":
		g := t.group(accountID, form.Get("TargetGroupArn"))
		for _, tg := range formTargets(form) {
			tg.Registered = now
			g.targets[tg.key()] = tg
			delete(g.draining, tg.key())
		}
	case "DeregisterTargets":
		g := t.group(accountID, form.Get("TargetGroupArn"))
		for _, tg := range formTargets(form) {
			if old, ok := g.targets[tg.key()]; ok {
				old.Deregistered = now
				g.draining[tg.key()] = old
				delete(g.targets, tg.key())
			}
		}
	}
}

func (t *Tracker) group(accountID, arn string) *targetGroup {
	k := groupKey(accountID, arn)
	g, ok := t.groups[k]
	if !ok {
		g = &targetGroup{targets: map[string]*target{}, draining: map[string]*target{}}
		t.groups[k] = g
	}
	return g
}

func (tg *target) key() string { return tg.ID + ":" + tg.Port }

// formTargets reads Targets.member.N.Id / .Port.
func formTargets(form url.Values) []*target {
	var out []*target
	for i := 1; ; i++ {
		prefix := "Targets.member." + strconv.Itoa(i) + "."
		id := form.Get(prefix + "Id")
		if id == "" {
			return out
		}
		out = append(out, &target{ID: id, Port: form.Get(prefix + "Port")})
	}
}

// Health is one target's reported health.
type Health struct {
	ID, Port                   string
	State, Reason, Description string
}

// Describe reports the health of the listed targets, or of every
// registered and draining target when none are listed.
func (t *Tracker) Describe(accountID, region, arn string, only []Health) ([]Health, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.groups[groupKey(accountID, arn)]
	if !ok {
		return nil, awsproto.Errorf(http.StatusBadRequest, "TargetGroupNotFound", "One or more target groups not found")
	}
	now := t.now()
	drainFor := t.latency.ToWall(t.DeregistrationDelay)
	for k, d := range g.draining {
		if now.Sub(d.Deregistered) >= drainFor {
			delete(g.draining, k)
		}
	}
	var out []Health
	if len(only) == 0 {
		for _, tg := range g.targets {
			out = append(out, t.health(accountID, region, tg, now))
		}
		for _, d := range g.draining {
			out = append(out, Health{ID: d.ID, Port: d.Port, State: "draining", Reason: "Target.DeregistrationInProgress",
				Description: "Target deregistration is in progress"})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID+out[i].Port < out[j].ID+out[j].Port })
		return out, nil
	}
	for _, want := range only {
		k := want.ID + ":" + want.Port
		switch tg, d := g.findTarget(k, want.ID, want.Port == ""); {
		case tg != nil:
			out = append(out, t.health(accountID, region, tg, now))
		case d != nil:
			out = append(out, Health{ID: d.ID, Port: d.Port, State: "draining", Reason: "Target.DeregistrationInProgress",
				Description: "Target deregistration is in progress"})
		default:
			out = append(out, Health{ID: want.ID, Port: want.Port, State: "unused", Reason: "Target.NotRegistered",
				Description: "Target is not registered to the target group"})
		}
	}
	return out, nil
}

// findTarget finds a registered or draining target by id:port, or by id
// alone when the caller gave no port.
func (g *targetGroup) findTarget(key, id string, anyPort bool) (registered, draining *target) {
	if tg, ok := g.targets[key]; ok {
		return tg, nil
	}
	if d, ok := g.draining[key]; ok {
		return nil, d
	}
	if anyPort {
		for _, tg := range g.targets {
			if tg.ID == id {
				return tg, nil
			}
		}
		for _, d := range g.draining {
			if d.ID == id {
				return nil, d
			}
		}
	}
	return nil, nil
}

func (t *Tracker) health(accountID, region string, tg *target, now time.Time) Health {
	h := Health{ID: tg.ID, Port: tg.Port}
	state := "running"
	if t.instances != nil && strings.HasPrefix(tg.ID, "i-") {
		state = t.instances.InstanceState(accountID, region, tg.ID)
	}
	switch {
	case state == "stopped" || state == "stopping" || state == "terminated" || state == "shutting-down":
		h.State, h.Reason, h.Description = "unused", "Target.InvalidState", "Target is in the "+state+" state"
	case state == "running" && now.Sub(tg.Registered) >= t.latency.Wall(latency.TargetHealthy):
		h.State = "healthy"
	default:
		h.State, h.Reason, h.Description = "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
	}
	return h
}

type xmlTargetHealthDescription struct {
	HealthCheckPort string `xml:"HealthCheckPort,omitempty"`
	ID              string `xml:"Target>Id"`
	Port            string `xml:"Target>Port,omitempty"`
	State           string `xml:"TargetHealth>State"`
	Reason          string `xml:"TargetHealth>Reason,omitempty"`
	Description     string `xml:"TargetHealth>Description,omitempty"`
}

// Serve answers a DescribeTargetHealth call in ELBv2's XML.
func (t *Tracker) Serve(w http.ResponseWriter, call awsproto.Call, accountID string, form url.Values) {
	var only []Health
	for _, tg := range formTargets(form) {
		only = append(only, Health{ID: tg.ID, Port: tg.Port})
	}
	hs, err := t.Describe(accountID, call.Region, form.Get("TargetGroupArn"), only)
	if err != nil {
		awsproto.WriteError(w, call, err)
		return
	}
	descs := make([]xmlTargetHealthDescription, 0, len(hs))
	for _, h := range hs {
		descs = append(descs, xmlTargetHealthDescription{HealthCheckPort: h.Port, ID: h.ID, Port: h.Port,
			State: h.State, Reason: h.Reason, Description: h.Description})
	}
	awsproto.WriteXML(w, struct {
		XMLName   xml.Name                     `xml:"DescribeTargetHealthResponse"`
		NS        string                       `xml:"xmlns,attr"`
		Health    []xmlTargetHealthDescription `xml:"DescribeTargetHealthResult>TargetHealthDescriptions>member"`
		RequestID string                       `xml:"ResponseMetadata>RequestId"`
	}{NS: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/", Health: descs, RequestID: call.RequestID})
}
