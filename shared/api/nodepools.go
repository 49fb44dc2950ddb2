package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

// Node pool operations (DESIGN §5): each mutation applies a change to the
// cluster's spec, re-validates the whole spec as create does, and — on the
// cluster version the caller read (optimistic locking) and only while the
// cluster is Running — moves it to Updating and starts the kind's update
// workflow (update-nodepool, or update-eks-nodegroups for an eks cluster)
// for the pools that changed.

// poolChange edits a copy of the cluster's spec; it returns the field
// (relative to the request) of a change it refuses.
type poolChange func(spec *domain.ClusterSpec) error

func (h *Handler) listNodePools(ctx context.Context, r *request) (response, error) {
	if err := h.requireClusters(); err != nil {
		return response{}, err
	}
	c, err := h.loadClusterDetails(ctx, r)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, List[domain.NodePool]{Items: c.NodePools}), nil
}

func (h *Handler) addNodePool(ctx context.Context, r *request) (response, error) {
	body, version, err := bodyAndVersion(r)
	if err != nil {
		return response{}, err
	}
	var pool domain.NodePoolSpec
	if err := domain.DecodeStrict(body, &pool); err != nil {
		return response{}, err
	}
	return h.updateNodePools(ctx, r, version, func(spec *domain.ClusterSpec) error {
		if _, i := poolIndex(spec, pool.Name); i >= 0 {
			return &Error{Status: http.StatusConflict, Code: "already_exists", Message: "the cluster has a node pool named " + pool.Name, Field: "name"}
		}
		if pool.ControlPlane {
			return badRequest("controlPlane", "a cluster has exactly one control-plane pool; add worker pools only")
		}
		spec.NodePools = append(spec.NodePools, pool)
		return nil
	})
}

// patchNodePool applies a JSON merge patch (RFC 7386) to one pool.
func (h *Handler) patchNodePool(ctx context.Context, r *request) (response, error) {
	body, version, err := bodyAndVersion(r)
	if err != nil {
		return response{}, err
	}
	return h.updateNodePools(ctx, r, version, patchPools(map[string][]byte{r.params["name"]: body}))
}

// patchNodePools patches several pools in one update, so they roll
// together when updateWorkerPoolsInParallel: {"version", "nodePools":
// [{"name", ...merge patch}]}.
func (h *Handler) patchNodePools(ctx context.Context, r *request) (response, error) {
	body, version, err := bodyAndVersion(r)
	if err != nil {
		return response{}, err
	}
	var in struct {
		NodePools []json.RawMessage `json:"nodePools"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.NodePools) == 0 {
		return response{}, badRequest("nodePools", "a non-empty list of node pool patches, each with its name, is required")
	}
	patches := map[string][]byte{}
	for i, raw := range in.NodePools {
		var named struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &named); err != nil || named.Name == "" {
			return response{}, badRequest(fmt.Sprintf("nodePools[%d].name", i), "is required")
		}
		patches[named.Name] = raw
	}
	return h.updateNodePools(ctx, r, version, patchPools(patches))
}

func patchPools(patches map[string][]byte) poolChange {
	return func(spec *domain.ClusterSpec) error {
		for name, patch := range patches {
			cur, i := poolIndex(spec, name)
			if i < 0 {
				return notFound("node pool " + name)
			}
			next, err := mergePool(cur, patch)
			if err != nil {
				return err
			}
			if spec.Kind == domain.KindEKS {
				next = rederiveInstanceTypes(next, patch)
			}
			if next.Name != cur.Name {
				return badRequest("name", "a node pool cannot be renamed; add a new pool and remove this one")
			}
			if next.ControlPlane != cur.ControlPlane {
				return badRequest("controlPlane", "cannot change; the control-plane pool stays the control plane")
			}
			spec.NodePools[i] = next
		}
		return nil
	}
}

func (h *Handler) deleteNodePool(ctx context.Context, r *request) (response, error) {
	_, version, err := bodyAndVersion(r)
	if err != nil {
		return response{}, err
	}
	name := r.params["name"]
	return h.updateNodePools(ctx, r, version, func(spec *domain.ClusterSpec) error {
		pool, i := poolIndex(spec, name)
		switch {
		case i < 0:
			return notFound("node pool " + name)
		case pool.ControlPlane:
			return conflict("conflict", "the control-plane pool cannot be removed; delete the cluster instead")
		}
		spec.NodePools = append(spec.NodePools[:i:i], spec.NodePools[i+1:]...)
		return nil
	})
}

// updateNodePools is every mutation's common part: apply the change to the
// current spec under the caller's version, validate, move the cluster to
// Updating under a new generation, and start update-nodepool.
func (h *Handler) updateNodePools(ctx context.Context, r *request, version int64, change poolChange) (response, error) {
	cur, err := h.loadForWorkflow(ctx, r, nil)
	if err != nil {
		return response{}, err
	}
	machine := h.workflowsOf(cur.Kind).update
	if err := requireMachine(machine, cur.Kind, "node pool updates"); err != nil {
		return response{}, err
	}
	scope := r.principal.Scope
	var input workflow.UpdateInput
	c, err := h.clusters.UpdateCluster(ctx, scope, cur.ID, func(cl *domain.Cluster) error {
		if cl.Version != version {
			return &Error{Status: http.StatusConflict, Code: "version_conflict",
				Message: fmt.Sprintf("the cluster is at version %d, not %d; read it again", cl.Version, version), Field: "version"}
		}
		if cl.Status != domain.StatusRunning {
			return conflict("conflict", "node pools change only on a Running cluster; the cluster is "+string(cl.Status))
		}
		next, err := h.changedSpec(cl.ClusterSpec, change)
		if err != nil {
			return err
		}
		if input = updateInput(cl.ClusterSpec, next); len(input.ControlPlane)+len(input.WorkerPools) == 0 {
			return badRequest("", "the request changes nothing")
		}
		cl.ClusterSpec = next
		cl.Status, cl.StatusMessage, cl.Progress = domain.StatusUpdating, "", 0
		cl.Generation++
		cl.ExecutionARN = ""
		return nil
	})
	if err != nil {
		return response{}, err
	}
	input.Cluster = workflow.ClusterRef{ID: c.ID, Tenant: scope.Tenant, Project: scope.Project, Generation: c.Generation}
	tasks := make([]string, 0, len(input.ControlPlane)+len(input.WorkerPools))
	for _, p := range append(append([]string{}, input.ControlPlane...), input.WorkerPools...) {
		tasks = append(tasks, workflow.NodePoolTask(p))
	}
	if err := h.clusters.ResetTasks(ctx, scope, c.ID, pendingTasks(tasks)); err != nil {
		return response{}, fmt.Errorf("reset tasks of %s: %w", c.ID, err)
	}
	if c, err = h.startWorkflowWith(ctx, r, c, machine, input); err != nil {
		return response{}, err
	}
	r.log.InfoContext(ctx, "node pool update started", "clusterId", c.ID, "generation", c.Generation,
		"controlPlane", input.ControlPlane, "workerPools", input.WorkerPools)
	return h.clusterResponse(ctx, r, c, http.StatusAccepted)
}

// changedSpec applies change to a copy of spec and validates the result
// the way create does (the whole spec, defaults applied), then the edit
// itself: what a running eks node group cannot take.
func (h *Handler) changedSpec(spec domain.ClusterSpec, change poolChange) (domain.ClusterSpec, error) {
	next := spec
	next.NodePools = append([]domain.NodePoolSpec(nil), spec.NodePools...)
	if err := change(&next); err != nil {
		return spec, err
	}
	next = domain.WithDefaults(next)
	if err := domain.ValidateCluster(next, h.catalog); err != nil {
		return spec, err
	}
	if err := domain.ValidateNodeGroupChanges(domain.WithDefaults(spec), next); err != nil {
		return spec, err
	}
	return next, nil
}

// updateInput says which pools the update reconciles: the control plane if
// it changed, and every worker pool added, changed or removed.
func updateInput(before, after domain.ClusterSpec) workflow.UpdateInput {
	in := workflow.UpdateInput{ControlPlane: []string{}, WorkerPools: []string{}}
	if !after.UpdateWorkerPoolsInParallel {
		in.MaxConcurrency = 1
	}
	old := domain.WithDefaults(before)
	for _, p := range after.NodePools {
		prev, i := poolIndex(&old, p.Name)
		switch {
		case i >= 0 && reflect.DeepEqual(prev, p):
		case p.ControlPlane:
			in.ControlPlane = append(in.ControlPlane, p.Name)
		default:
			in.WorkerPools = append(in.WorkerPools, p.Name)
		}
	}
	for _, p := range old.NodePools {
		if _, i := poolIndex(&after, p.Name); i < 0 {
			in.WorkerPools = append(in.WorkerPools, p.Name)
		}
	}
	return in
}

// rederiveInstanceTypes keeps an eks pool's instanceType and instanceTypes
// consistent after a patch that sets only one of them: the stored pool has
// both (each defaults from the other), so the one the patch left alone is
// cleared and defaults again from the new one, instead of refusing a
// plain {"instanceType": "m5.xlarge"}.
func rederiveInstanceTypes(pool domain.NodePoolSpec, patch []byte) domain.NodePoolSpec {
	var fields map[string]json.RawMessage
	if json.Unmarshal(patch, &fields) != nil {
		return pool
	}
	_, one := fields["instanceType"]
	_, many := fields["instanceTypes"]
	switch {
	case one && !many:
		pool.InstanceTypes = nil
	case many && !one:
		pool.InstanceType = ""
	}
	return pool
}

func poolIndex(spec *domain.ClusterSpec, name string) (domain.NodePoolSpec, int) {
	for i, p := range spec.NodePools {
		if p.Name == name {
			return p, i
		}
	}
	return domain.NodePoolSpec{}, -1
}

// mergePool applies a merge patch to a pool: objects merge key by key,
// null removes, anything else replaces; the result is decoded strictly.
func mergePool(cur domain.NodePoolSpec, patch []byte) (domain.NodePoolSpec, error) {
	var p map[string]any
	if err := json.Unmarshal(patch, &p); err != nil {
		return cur, badRequest("", "the body must be a JSON object")
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return cur, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return cur, err
	}
	merged, err := json.Marshal(mergePatch(doc, p))
	if err != nil {
		return cur, err
	}
	var out domain.NodePoolSpec
	if err := domain.DecodeStrict(merged, &out); err != nil {
		return cur, err
	}
	return out, nil
}

func mergePatch(doc, patch map[string]any) map[string]any {
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(doc, k)
		case map[string]any:
			dv, _ := doc[k].(map[string]any)
			if dv == nil {
				dv = map[string]any{}
			}
			doc[k] = mergePatch(dv, pv)
		default:
			doc[k] = v
		}
	}
	return doc
}

// bodyAndVersion splits the cluster version the caller read off the body
// (field "version") or the If-Match header, and returns the rest of the
// body. A mutation without a version is refused: it could undo a change
// the caller never saw.
func bodyAndVersion(r *request) ([]byte, int64, error) {
	body := r.body
	var version *int64
	if len(bytes.TrimSpace(body)) > 0 {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, 0, badRequest("", "the body must be a JSON object")
		}
		if raw, ok := fields["version"]; ok {
			var v int64
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, 0, badRequest("version", "must be the cluster's version, an integer")
			}
			version = &v
			delete(fields, "version")
			rest, err := json.Marshal(fields)
			if err != nil {
				return nil, 0, err
			}
			body = rest
		}
	}
	if m := strings.Trim(strings.TrimPrefix(header(r, "If-Match"), "W/"), `" `); m != "" {
		v, err := strconv.ParseInt(m, 10, 64)
		switch {
		case err != nil:
			return nil, 0, badRequest("If-Match", "must be the cluster's version")
		case version != nil && *version != v:
			return nil, 0, badRequest("version", "differs from If-Match")
		}
		version = &v
	}
	if version == nil {
		return nil, 0, badRequest("version", "is required: the cluster's version as read (body field version or an If-Match header)")
	}
	return body, *version, nil
}
