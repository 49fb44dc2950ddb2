package eks

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

const (
	updateInProgress = "InProgress"
	updateSuccessful = "Successful"
	updateFailed     = "Failed"
)

type update struct {
	id      string
	status  string
	typ     string
	params  []updateParam
	created time.Time
	errors  []updateError
}

// finish completes the update: Failed with the node group's issues (its
// instances could not launch), else Successful.
func (u *update) finish(issues []issue) {
	u.status = updateSuccessful
	for _, i := range issues {
		u.status = updateFailed
		u.errors = append(u.errors, updateError{ErrorCode: "NodeCreationFailure", ErrorMessage: i.Message, ResourceIDs: i.ResourceIDs})
	}
}

type updateNodegroupConfigInput struct {
	Labels *struct {
		AddOrUpdateLabels map[string]string `json:"addOrUpdateLabels"`
		RemoveLabels      []string          `json:"removeLabels"`
	} `json:"labels"`
	Taints *struct {
		AddOrUpdateTaints []taint `json:"addOrUpdateTaints"`
		RemoveTaints      []taint `json:"removeTaints"`
	} `json:"taints"`
	ScalingConfig      *scalingConfig `json:"scalingConfig"`
	UpdateConfig       *updateConfig  `json:"updateConfig"`
	ClientRequestToken string         `json:"clientRequestToken"`
}

func (u *update) json() updateJSON {
	return updateJSON{ID: u.id, Status: u.status, Type: u.typ, Params: u.params, CreatedAt: epoch(u.created), Errors: append([]updateError{}, u.errors...)}
}

// updateNodegroupConfig changes scaling, labels, taints or the update
// config of an ACTIVE node group. The new configuration shows at once; the
// group is UPDATING (and its Auto Scaling group scaling) until the update
// completes.
func (s *Service) updateNodegroupConfig(w http.ResponseWriter, r *request) error {
	var in updateNodegroupConfigInput
	if err := r.decode(&in); err != nil {
		return err
	}
	cl, ng, err := s.nodegroupOf(r)
	if err != nil {
		return err
	}
	if id, ok := s.idempotent(r, ng.arn, in.ClientRequestToken); ok && ng.updates[id] != nil {
		return writeJSON(w, r, map[string]any{"update": ng.updates[id].json()})
	}
	if cl.status != statusActive {
		return errInUse("Cluster '%s' is not in ACTIVE status", cl.name)
	}
	if ng.status != statusActive {
		return errInUse("Nodegroup %s is currently in %s status and cannot be updated", ng.name, ng.status)
	}
	next := *ng // copy, applied only when valid
	next.labels, next.taints = maps.Clone(ng.labels), slices.Clone(ng.taints)
	params, err := next.applyConfigUpdate(in)
	if err != nil {
		return err
	}
	if len(params) == 0 {
		return errInvalidParameter("No changes needed")
	}
	*ng = next
	u := &update{id: uuid(), status: updateInProgress, typ: "ConfigUpdate", params: params, created: r.now}
	ng.updates[u.id] = u
	ng.status, ng.modified = statusUpdating, r.now
	ng.due = r.now.Add(s.cfg.Latency.Wall(latency.EKSNodegroupUpdated))
	s.rememberToken(r, ng.arn, in.ClientRequestToken, u.id)
	s.reconcileInstances(cl, ng, ng.desiredSize)
	s.schedule(ng.due)
	return writeJSON(w, r, map[string]any{"update": u.json()})
}

// applyConfigUpdate applies the request to ng and returns the update's
// parameters as EKS reports them; an invalid request changes nothing that
// the caller keeps.
func (ng *nodegroup) applyConfigUpdate(in updateNodegroupConfigInput) ([]updateParam, error) {
	var params []updateParam
	add := func(typ string, v any) {
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		params = append(params, updateParam{Type: typ, Value: s})
	}
	if sc := in.ScalingConfig; sc != nil {
		applyScaling(&ng.minSize, &ng.maxSize, &ng.desiredSize, *sc)
		if err := checkScaling(ng.minSize, ng.maxSize, ng.desiredSize); err != nil {
			return nil, err
		}
		for typ, v := range map[string]*int{"MinSize": sc.MinSize, "MaxSize": sc.MaxSize, "DesiredSize": sc.DesiredSize} {
			if v != nil {
				add(typ, strconv.Itoa(*v))
			}
		}
	}
	if l := in.Labels; l != nil {
		if err := checkLabels(l.AddOrUpdateLabels); err != nil {
			return nil, err
		}
		for _, k := range l.RemoveLabels {
			if _, both := l.AddOrUpdateLabels[k]; both {
				return nil, errInvalidParameter("The label %s cannot be both added and removed", k)
			}
			delete(ng.labels, k)
		}
		maps.Copy(ng.labels, l.AddOrUpdateLabels)
		if len(l.AddOrUpdateLabels) > 0 {
			add("LabelsToAdd", l.AddOrUpdateLabels)
		}
		if len(l.RemoveLabels) > 0 {
			add("LabelsToRemove", l.RemoveLabels)
		}
	}
	if t := in.Taints; t != nil {
		if err := checkTaints(t.AddOrUpdateTaints); err != nil {
			return nil, err
		}
		for _, rm := range t.RemoveTaints {
			ng.taints = slices.DeleteFunc(ng.taints, func(x taint) bool {
				return x.Key == rm.Key && x.Effect == rm.Effect || x.Key == rm.Key && rm.Effect == ""
			})
		}
		for _, a := range t.AddOrUpdateTaints {
			ng.taints = slices.DeleteFunc(ng.taints, func(x taint) bool { return x.Key == a.Key && x.Effect == a.Effect })
			ng.taints = append(ng.taints, a)
		}
		if len(ng.taints) > 50 {
			return nil, errInvalidParameter("A node group can have at most 50 taints")
		}
		if len(t.AddOrUpdateTaints) > 0 {
			add("TaintsToAdd", t.AddOrUpdateTaints)
		}
		if len(t.RemoveTaints) > 0 {
			add("TaintsToRemove", t.RemoveTaints)
		}
	}
	if uc := in.UpdateConfig; uc != nil {
		if err := ng.applyUpdateConfig(*uc); err != nil {
			return nil, err
		}
		if uc.MaxUnavailable != nil {
			add("MaxUnavailable", strconv.Itoa(*uc.MaxUnavailable))
		}
		if uc.MaxUnavailablePercentage != nil {
			add("MaxUnavailablePercentage", strconv.Itoa(*uc.MaxUnavailablePercentage))
		}
	}
	slices.SortStableFunc(params, func(a, b updateParam) int { return paramOrder(a.Type) - paramOrder(b.Type) })
	return params, nil
}

// paramOrder keeps update parameters in a stable, readable order.
func paramOrder(typ string) int {
	return slices.Index([]string{"MinSize", "MaxSize", "DesiredSize", "LabelsToAdd", "LabelsToRemove",
		"TaintsToAdd", "TaintsToRemove", "MaxUnavailable", "MaxUnavailablePercentage"}, typ)
}

// describeUpdate answers GET /clusters/{name}/updates/{id}?nodegroupName=.
// Cluster updates are not emulated: only node group updates exist.
func (s *Service) describeUpdate(w http.ResponseWriter, r *request) error {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return err
	}
	id := r.params[1]
	ngName := r.http.URL.Query().Get("nodegroupName")
	ng, ok := cl.nodegroups[ngName]
	if ngName != "" && !ok {
		return errNotFound("No node group found for name: %s.", ngName)
	}
	if !ok || ng.updates[id] == nil {
		return errNotFound("No update found for ID: %s", id)
	}
	return writeJSON(w, r, map[string]any{"update": ng.updates[id].json()})
}
