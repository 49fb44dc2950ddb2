package api_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/workflow"
)

func TestDeleteClusterStartsDeletion(t *testing.T) {
	ch := newClusterHarness(t)
	id := ch.create(nil).json["id"].(string)
	ch.clock = ch.clock.Add(90*time.Second + 500*time.Millisecond)
	since := ch.clock.Truncate(time.Second)

	res := ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	if res.json["status"] != "Deleting" || res.json["generation"] != 2.0 || res.json["deletingSince"] != since.Format(time.RFC3339) {
		t.Fatalf("deleted %s", res.body)
	}
	if fd := res.json["forceDelete"].(map[string]any); fd["available"] != false || fd["availableAt"] != since.Add(testDelay).Format(time.RFC3339) {
		t.Fatalf("forceDelete %v", fd)
	}
	// The provisioning execution is stopped, the deletion started.
	if !slices.Equal(ch.exec.stops, []string{api.ExecutionARN(provisionSM, id+"-1")}) {
		t.Fatalf("stops %v", ch.exec.stops)
	}
	last := ch.exec.starts[len(ch.exec.starts)-1]
	if last.stateMachine != deleteSM || last.name != id+"-2" || last.input["cluster"].(map[string]any)["generation"] != 2.0 {
		t.Fatalf("started %+v", last)
	}
	// The unlock is scheduled at deletingSince + delay for this generation.
	sched, ok := ch.schedules.created["forcedelete-"+id+"-2"]
	if !ok || !sched.at.Equal(since.Add(testDelay)) || sched.input["cluster"].(map[string]any)["id"] != id {
		t.Fatalf("schedules %+v", ch.schedules.created)
	}
	// Progress now counts the deletion's tasks.
	var names []string
	for _, tk := range res.json["tasks"].([]any) {
		names = append(names, tk.(map[string]any)["name"].(string))
	}
	if !slices.Equal(names, workflow.DeletionTasks) {
		t.Fatalf("tasks %v", names)
	}

	// DELETE again retries: a fresh execution, deletingSince unchanged.
	ch.clock = ch.clock.Add(20 * time.Minute)
	again := ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	if again.json["deletingSince"] != since.Format(time.RFC3339) || again.json["generation"] != 3.0 {
		t.Fatalf("retried %s", again.body)
	}
	if ch.exec.stops[len(ch.exec.stops)-1] != api.ExecutionARN(deleteSM, id+"-2") || ch.exec.starts[len(ch.exec.starts)-1].name != id+"-3" {
		t.Fatalf("retry stops %v starts %+v", ch.exec.stops, ch.exec.starts)
	}
	// Past the delay, the new generation's unlock fires at once.
	if s := ch.schedules.created["forcedelete-"+id+"-3"]; !s.at.After(ch.clock) || s.at.After(ch.clock.Add(2*time.Second)) {
		t.Fatalf("retry schedule at %v (now %v)", s.at, ch.clock)
	}

	// The workflow finishes: the list drops it, GET still answers.
	ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusDeleted })
	if list := ch.must(200, call{method: "GET", path: "/v1/clusters", claims: acmeViewer}); len(list.json["items"].([]any)) != 0 {
		t.Fatalf("list shows a Deleted cluster: %s", list.body)
	}
	if got := ch.must(200, ch.clusterCall("GET", id, "", acmeViewer)); got.json["status"] != "Deleted" || got.json["progress"] != 100.0 {
		t.Fatalf("get deleted %s", got.body)
	}
	ch.must(409, ch.clusterCall("DELETE", id, "", acmeEditor))
	// Its name is free again.
	ch.create(nil)

	ch.must(403, ch.clusterCall("DELETE", id, "", acmeViewer))
	ch.must(404, ch.clusterCall("DELETE", id, "", globex))
}

func TestForceDelete(t *testing.T) {
	ch := newClusterHarness(t)
	id := ch.create(nil).json["id"].(string)
	if err := ch.env.Store.RecordResource(context.Background(), acmeScope, id, domain.Resource{Type: "vpc", ID: "vpc-1", Key: "vpc"}); err != nil {
		t.Fatal(err)
	}
	// Not being deleted: nothing to force.
	ch.must(409, ch.clusterCall("POST", id, "/forcedelete", acmeAdmin))
	del := ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	availableAt := del.json["forceDelete"].(map[string]any)["availableAt"].(string)

	locked := ch.must(409, ch.clusterCall("POST", id, "/forcedelete", acmeAdmin))
	e := locked.json["error"].(map[string]any)
	if e["code"] != api.ErrCodeForceDeleteNotAvailable || e["availableAt"] != availableAt || e["message"] != "force delete becomes available at "+availableAt {
		t.Fatalf("locked %s", locked.body)
	}
	ch.must(403, ch.clusterCall("POST", id, "/forcedelete", acmeEditor))
	ch.must(403, ch.clusterCall("POST", id, "/forcedelete", acmeViewer))
	ch.must(404, ch.clusterCall("POST", id, "/forcedelete", globex))
	// Time alone does not unlock: the schedule's flag does.
	ch.clock = ch.clock.Add(testDelay + time.Minute)
	ch.must(409, ch.clusterCall("POST", id, "/forcedelete", acmeTenantAdmin))

	ch.update(id, func(c *domain.Cluster) { c.ForceDelete.Available = true })
	ch.scanner.leftovers = []cloud.Leftover{{Type: "natgateway", ID: "nat-1", Region: "eu-west-1", State: "available", Reason: "DependencyViolation"}}
	res := ch.must(200, ch.clusterCall("POST", id, "/forcedelete", acmeTenantAdmin))
	left := res.json["leftoverResources"].([]any)
	if res.json["status"] != "Deleted" || res.json["forceDeleted"] != true || len(left) != 1 || left[0].(map[string]any)["id"] != "nat-1" {
		t.Fatalf("force deleted %s", res.body)
	}
	if len(ch.scanner.ledger) != 1 || ch.scanner.access.Type != cloud.AccessSTS || ch.scanner.access.ExternalID == "" {
		t.Fatalf("scanner got %+v %+v", ch.scanner.ledger, ch.scanner.access)
	}
	if ch.exec.stops[len(ch.exec.stops)-1] != api.ExecutionARN(deleteSM, id+"-2") || !slices.Contains(ch.schedules.deleted, "forcedelete-"+id+"-2") {
		t.Fatalf("stops %v, deleted schedules %v", ch.exec.stops, ch.schedules.deleted)
	}
	// The leftovers are kept for the user; the cluster left the list.
	if got := ch.must(200, ch.clusterCall("GET", id, "", acmeViewer)); len(got.json["leftoverResources"].([]any)) != 1 {
		t.Fatalf("kept %s", got.body)
	}
	if list := ch.must(200, call{method: "GET", path: "/v1/clusters", claims: acmeViewer}); len(list.json["items"].([]any)) != 0 {
		t.Fatalf("list %s", list.body)
	}
	ch.must(409, ch.clusterCall("POST", id, "/forcedelete", acmeAdmin))
}

func TestForceDeleteFallsBackToLedger(t *testing.T) {
	ch := newClusterHarness(t)
	id := ch.create(nil).json["id"].(string)
	for _, r := range []domain.Resource{{Type: "vpc", ID: "vpc-1", Key: "vpc"}, {Type: "eip", ID: "eipalloc-1", Key: "eip/a", State: "released"}} {
		if err := ch.env.Store.RecordResource(context.Background(), acmeScope, id, r); err != nil {
			t.Fatal(err)
		}
	}
	ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	ch.update(id, func(c *domain.Cluster) { c.ForceDelete.Available = true })
	ch.scanner.err = errBoom // e.g. the customer already removed the role
	res := ch.must(200, ch.clusterCall("POST", id, "/forcedelete", acmeAdmin))
	left := res.json["leftoverResources"].([]any)
	if len(left) != 1 || left[0].(map[string]any)["id"] != "vpc-1" || res.json["statusMessage"] == "" {
		t.Fatalf("fallback %s", res.body)
	}
}

func TestRetryCluster(t *testing.T) {
	ch := newClusterHarness(t)
	id := ch.create(nil).json["id"].(string)
	ch.must(409, ch.clusterCall("POST", id, "/retry", acmeEditor)) // Provisioning: nothing to retry
	names := workflow.ProvisionTasks(domain.WithDefaults(ch.exampleCluster()))
	started := ch.clock
	for name, state := range map[string]domain.TaskState{names[0]: domain.TaskSucceeded, names[1]: domain.TaskFailed} {
		if err := ch.env.Store.PutTask(context.Background(), acmeScope, id, domain.Task{Name: name, State: state, StartedAt: &started, FinishedAt: &started}); err != nil {
			t.Fatal(err)
		}
	}
	ch.update(id, func(c *domain.Cluster) { c.Status, c.StatusMessage = domain.StatusFailed, "vpc: boom" })

	res := ch.must(202, ch.clusterCall("POST", id, "/retry", acmeEditor))
	if res.json["status"] != "Provisioning" || res.json["generation"] != 2.0 || res.json["statusMessage"] != nil {
		t.Fatalf("retried %s", res.body)
	}
	last := ch.exec.starts[len(ch.exec.starts)-1]
	if last.stateMachine != provisionSM || last.name != id+"-2" || last.input["cluster"].(map[string]any)["generation"] != 2.0 {
		t.Fatalf("started %+v", last)
	}
	tasks := res.json["tasks"].([]any)
	first, second := tasks[0].(map[string]any), tasks[1].(map[string]any)
	if first["state"] != "Succeeded" || second["state"] != "Pending" || second["startedAt"] != nil || len(tasks) != len(names) {
		t.Fatalf("tasks %v", tasks)
	}

	// A stuck deletion is retried as a deletion.
	ch.must(202, ch.clusterCall("DELETE", id, "", acmeEditor))
	ch.update(id, func(c *domain.Cluster) { c.Status = domain.StatusFailed })
	stuck := ch.must(202, ch.clusterCall("POST", id, "/retry", acmeEditor))
	if stuck.json["status"] != "Deleting" || ch.exec.starts[len(ch.exec.starts)-1].stateMachine != deleteSM {
		t.Fatalf("stuck retry %s", stuck.body)
	}
	ch.must(403, ch.clusterCall("POST", id, "/retry", acmeViewer))
	ch.must(404, ch.clusterCall("POST", id, "/retry", globex))
}

func TestCreateClusterWorkflowStartFails(t *testing.T) {
	ch := newClusterHarness(t)
	ch.exec.failing = true
	ch.must(500, call{method: "POST", path: "/v1/clusters", body: ch.body(nil), claims: acmeEditor, allowFault: true})
	list := ch.must(200, call{method: "GET", path: "/v1/clusters", claims: acmeViewer})
	items := list.json["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["status"] != "Failed" {
		t.Fatalf("after a failed start %s", list.body)
	}
	// Retry starts it once Step Functions answers again.
	ch.exec.failing = false
	id := items[0].(map[string]any)["id"].(string)
	if res := ch.must(202, ch.clusterCall("POST", id, "/retry", acmeEditor)); res.json["status"] != "Provisioning" {
		t.Fatalf("retry %s", res.body)
	}
}
