package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/clusterforge/clusterforge/local/harness"
)

const demoRegion = harness.ExampleRegion

// clusterView is what the demo reads of GET /v1/clusters/{id}.
type clusterView struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
	Progress      int    `json:"progress"`
	Tasks         []struct {
		Name, State, Message string
		Done, Total          int
	} `json:"tasks"`
	Resources []struct{ Type, ID, AZ, State string } `json:"resources"`
	NodePools []struct {
		Name  string                                                                   `json:"name"`
		Nodes []struct{ InstanceID, AZ, State, PrivateIP, Capacity, SpotPrice string } `json:"nodes"`
	} `json:"nodePools"`
}

// createKeyPair makes the SSH key the cluster names, as the customer would
// have done in their own account.
func (d *demo) createKeyPair(ctx context.Context) error {
	cfg, err := d.cloud.CustomerConfig(ctx, demoRegion)
	if err != nil {
		return err
	}
	if _, err := ec2.NewFromConfig(cfg).CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("ops")}); err != nil {
		return fmt.Errorf("create key pair ops in the customer account: %w", err)
	}
	d.logf("key pair ops created in %s (customer account %s)", demoRegion, d.cloud.Customer.AccountID)
	return nil
}

func (d *demo) createCluster(ctx context.Context) error {
	if _, err := d.cloud.Admin(ctx, http.MethodDelete, "/calls", nil, nil); err != nil {
		return err
	}
	name, body := "prod-eu", harness.ExampleCluster("prod-eu", d.account.ID, d.profile.ID)
	if d.opts.kind == "eks" {
		name, body = "prod-eks", harness.ExampleEKSCluster("prod-eks", d.account.ID, d.profile.ID)
	}
	var c clusterView
	if err := d.call(ctx, http.MethodPost, "/v1/clusters", body, &c); err != nil {
		return err
	}
	d.cluster = &clusterSummary{ID: c.ID, Name: name, Kind: d.opts.kind}
	d.createdAt = time.Now()
	d.logf("cluster %s accepted: %s", c.ID, c.Status)
	return nil
}

// waitFor polls the cluster and prints each task change until the cluster
// reaches want, or fails.
func (d *demo) waitFor(ctx context.Context, want string, timeout time.Duration) (clusterView, error) {
	deadline := time.Now().Add(timeout)
	seen := map[string]string{}
	for {
		var c clusterView
		if err := d.call(ctx, http.MethodGet, "/v1/clusters/"+d.cluster.ID, nil, &c); err != nil {
			return c, err
		}
		for _, t := range c.Tasks {
			line := t.State
			if t.Total > 0 {
				line += fmt.Sprintf(" %d/%d", t.Done, t.Total)
			}
			if t.Message != "" {
				line += " — " + t.Message
			}
			if seen[t.Name] != line {
				seen[t.Name] = line
				d.logf("%3d%% %-22s %s", c.Progress, t.Name, line)
			}
		}
		switch {
		case c.Status == want:
			return c, nil
		case c.Status == "Failed":
			return c, fmt.Errorf("cluster failed: %s", c.StatusMessage)
		case time.Now().After(deadline):
			return c, fmt.Errorf("cluster still %s after %s (wanted %s): %s", c.Status, timeout, want, c.StatusMessage)
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (d *demo) waitRunning(ctx context.Context) error {
	c, err := d.waitFor(ctx, "Running", 6*time.Minute)
	if err != nil {
		return err
	}
	d.cluster.ProvisionWall = time.Since(d.createdAt)
	counts := map[string]int{}
	for _, r := range c.Resources {
		counts[r.Type]++
	}
	d.cluster.Resources = counts
	for _, p := range c.NodePools {
		for _, n := range p.Nodes {
			spot := ""
			switch {
			case n.Capacity == "spot" && n.SpotPrice != "":
				spot = " spot at $" + n.SpotPrice
			case n.Capacity == "spot": // EKS spot nodes: AWS tags no price on them
				spot = " spot"
			}
			d.logf("node %-14s %s %s %s %s%s", p.Name, n.InstanceID, n.AZ, n.State, n.PrivateIP, spot)
		}
	}
	return nil
}

// crossCheck counts what the customer's account holds with the cluster's tag,
// through an independent AWS client, not the service's view.
func (d *demo) crossCheck(ctx context.Context) error {
	found, err := d.tagged(ctx)
	if err != nil {
		return err
	}
	d.logf("in the customer account, tagged %s=%s: %s", harness.ClusterIDTag, d.cluster.ID, countLine(found))
	stats, err := d.cloud.ServiceCalls(ctx, d.cloud.Customer.AccountID)
	if err != nil {
		return err
	}
	d.cluster.ProvisionCalls = stats.Total
	d.logf("AWS calls to provision: %d (%d mutating, %d describe, %d throttled)", stats.Total, stats.Mutating, stats.Describe, stats.Throttled)
	return nil
}

func (d *demo) deleteCluster(ctx context.Context) error {
	if err := d.call(ctx, http.MethodDelete, "/v1/clusters/"+d.cluster.ID, nil, nil); err != nil {
		return err
	}
	d.deletedAt = time.Now()
	d.logf("delete accepted")
	return nil
}

func (d *demo) waitDeleted(ctx context.Context) error {
	if _, err := d.waitFor(ctx, "Deleted", 6*time.Minute); err != nil {
		return err
	}
	d.cluster.DeleteWall = time.Since(d.deletedAt)
	d.cluster.Status = "Deleted"
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := d.call(ctx, http.MethodGet, "/v1/clusters", nil, &list); err != nil {
		return err
	}
	for _, c := range list.Items {
		if c.ID == d.cluster.ID {
			return fmt.Errorf("deleted cluster %s is still listed", c.ID)
		}
	}
	found, err := d.tagged(ctx)
	if err != nil {
		return err
	}
	for _, ids := range found {
		d.cluster.Leftovers += len(ids)
	}
	d.logf("left in the customer account after delete: %d (%s)", d.cluster.Leftovers, countLine(found))
	stats, err := d.cloud.ServiceCalls(ctx, d.cloud.Customer.AccountID)
	if err != nil {
		return err
	}
	d.cluster.TotalCalls = stats.Total
	if d.cluster.Leftovers > 0 {
		return fmt.Errorf("%d resources left behind: %s", d.cluster.Leftovers, countLine(found))
	}
	return nil
}

func (d *demo) tagged(ctx context.Context) (map[string][]string, error) {
	cfg, err := d.cloud.CustomerConfig(ctx, demoRegion)
	if err != nil {
		return nil, err
	}
	return harness.TaggedResources(ctx, cfg, harness.ClusterIDTag, d.cluster.ID)
}

func countLine(found map[string][]string) string {
	if len(found) == 0 {
		return "nothing"
	}
	var parts []string
	for typ, ids := range found {
		parts = append(parts, fmt.Sprintf("%d %s", len(ids), typ))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// clusterSummary is what the final line says about the cluster.
type clusterSummary struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Kind           string         `json:"kind"`
	Status         string         `json:"status"`
	Resources      map[string]int `json:"resources"`
	ProvisionCalls int            `json:"provisionCalls"`
	TotalCalls     int            `json:"totalCalls"`
	Leftovers      int            `json:"leftovers"`
	ProvisionWall  time.Duration  `json:"-"`
	DeleteWall     time.Duration  `json:"-"`
}
