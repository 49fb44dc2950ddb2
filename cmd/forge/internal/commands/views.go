package commands

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/watch"
)

// clusterTable is the one-line-per-cluster view of list and mutations.
func clusterTable(list ...client.Cluster) output.View {
	t := output.NewTable("name", "id", "status", "progress", "region", "nodes", "age")
	now := time.Now()
	for _, c := range list {
		t.Add(c.Name, c.ID, c.Status, fmt.Sprintf("%d%%", c.Progress), c.Region, nodeCount(c), output.Age(c.CreatedAt, now))
	}
	return t
}

// clusterView is 'get': a summary, then tasks, node pools and resources.
func clusterView(c client.Cluster) output.View {
	pairs := []string{
		"name", c.Name, "id", c.ID, "status", c.Status, "message", c.StatusMessage,
		"progress", fmt.Sprintf("%d%%", c.Progress), "region", c.Region,
		"cloud account", c.CloudAccountID, "profile", c.ProfileID,
		"created", c.CreatedAt.Local().Format(time.RFC3339),
	}
	if c.DeletingSince != nil {
		pairs = append(pairs, "deleting since", c.DeletingSince.Local().Format(time.RFC3339))
		if c.Status != client.StatusDeleted {
			pairs = append(pairs, "force delete", forceDeleteState(c))
		}
	}
	if c.ForceDeleted {
		pairs = append(pairs, "force deleted", fmt.Sprintf("yes, %d resources left in the account", len(c.LeftoverResources)))
	}
	views := output.Sections{output.KV(pairs...)}
	if len(c.Tasks) > 0 {
		views = append(views, taskTable(c.Tasks))
	}
	if len(c.NodePools) > 0 {
		views = append(views, poolTable(c.NodePools))
	}
	if len(c.Resources) > 0 {
		views = append(views, output.KV("resources", resourceSummary(c.Resources)))
	}
	if len(c.LeftoverResources) > 0 {
		left := output.NewTable("leftover", "id", "az", "reason")
		for _, r := range c.LeftoverResources {
			left.Add(r.Type, r.ID, r.AZ, r.Reason)
		}
		views = append(views, left)
	}
	return views
}

func taskTable(tasks []client.Task) output.View {
	t := output.NewTable("task", "state", "done", "took", "message")
	for _, task := range tasks {
		done := ""
		if task.Total > 0 {
			done = fmt.Sprintf("%d/%d", task.Done, task.Total)
		}
		took := ""
		if task.StartedAt != nil && task.FinishedAt != nil {
			took = watch.FormatDuration(task.FinishedAt.Sub(*task.StartedAt))
		}
		t.Add(task.Name, task.State, done, took, task.Message)
	}
	return t
}

func poolTable(pools []client.NodePool) output.View {
	t := output.NewTable("pool", "role", "size", "instance type", "capacity", "nodes", "azs")
	for _, p := range pools {
		role := "worker"
		if p.ControlPlane {
			role = "control-plane"
		}
		capacity := p.Capacity.Type
		if p.SpotWaiting != "" {
			capacity += " (" + p.SpotWaiting + ")"
		}
		t.Add(p.Name, role, strconv.Itoa(p.Size), p.InstanceType, capacity, runningNodes(p), strings.Join(p.AZs, ","))
	}
	return t
}

// runningNodes is "running/total" of a pool's live nodes.
func runningNodes(p client.NodePool) string {
	running := 0
	for _, n := range p.Nodes {
		if n.State == "running" {
			running++
		}
	}
	return fmt.Sprintf("%d/%d", running, len(p.Nodes))
}

// nodeCount is the nodes the pools ask for: list answers carry pool
// sizes but not the live nodes (get has those).
func nodeCount(c client.Cluster) string {
	n := 0
	for _, p := range c.NodePools {
		n += p.Size
	}
	return strconv.Itoa(n)
}

// resourceSummary counts resources by type: "instance 2, subnet 2, vpc 1".
func resourceSummary(rs []client.Resource) string {
	counts := map[string]int{}
	for _, r := range rs {
		counts[r.Type]++
	}
	parts := make([]string, 0, len(counts))
	for typ, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", typ, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func forceDeleteState(c client.Cluster) string {
	switch {
	case c.ForceDelete.Available:
		return "available now"
	case c.ForceDelete.AvailableAt != nil:
		return "available " + whenAvailable(*c.ForceDelete.AvailableAt, time.Now())
	}
	return "not available"
}

// whenAvailable says when a locked force delete unlocks, in the user's
// local time and as a countdown: "at 10:42:00 (in 12m31s)".
func whenAvailable(at, now time.Time) string {
	local := at.Local()
	stamp := local.Format("15:04:05")
	if y, m, d := local.Date(); y != now.Local().Year() || m != now.Local().Month() || d != now.Local().Day() {
		stamp = local.Format("2006-01-02 15:04:05")
	}
	left := at.Sub(now).Round(time.Second)
	if left <= 0 {
		return "at " + stamp + " (any moment now)"
	}
	return fmt.Sprintf("at %s (in %s)", stamp, left)
}
