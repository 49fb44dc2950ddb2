package commands

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/output"
)

// dryRun is what the plan view reads of POST /v1/clusters?dryRun=true.
type dryRun struct {
	Plan struct {
		ClusterName string                    `json:"clusterName"`
		Region      string                    `json:"region"`
		Placement   string                    `json:"placement"`
		ByType      map[string]map[string]int `json:"byType"`
	} `json:"plan"`
	Quotas []struct {
		Name      string `json:"name"`
		Scope     string `json:"scope"`
		Limit     int    `json:"limit"`
		Used      int    `json:"used"`
		Available int    `json:"available"`
		Needed    int    `json:"needed"`
		Shortfall bool   `json:"shortfall"`
		Error     string `json:"error"`
	} `json:"quotas"`
	QuotaError string         `json:"quotaError"`
	AWSCalls   map[string]int `json:"awsCalls"`
	Cost       struct {
		Currency        string  `json:"currency"`
		OnDemandMonthly float64 `json:"onDemandMonthly"`
		SpotMonthly     float64 `json:"spotMonthly"`
	} `json:"cost"`
}

func (a *app) clusterPlanCmd() *cobra.Command {
	var in clusterInput
	cmd := &cobra.Command{
		Use:   "plan (-f cluster.yaml | flags as for create)",
		Short: "Show what create would build, the quota headroom and the cost, without creating anything",
		Args:  cobra.NoArgs,
	}
	in.bind(cmd)
	cmd.RunE = a.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		body, err := in.body(ctx, a, cmd, c)
		if err != nil {
			return err
		}
		var plan dryRun
		raw, err := c.Do(ctx, http.MethodPost, clusters.path+"?dryRun=true", body, &plan)
		if err != nil {
			return fmt.Errorf("plan cluster: %w", err)
		}
		return a.print(raw, func() (output.View, error) { return planView(plan), nil })
	})
	return cmd
}

func planView(p dryRun) output.View {
	calls := 0
	for _, n := range p.AWSCalls {
		calls += n
	}
	summary := output.KV(
		"cluster", p.Plan.ClusterName, "region", p.Plan.Region, "placement", p.Plan.Placement,
		"AWS calls", strconv.Itoa(calls)+" mutating",
		"cost", fmt.Sprintf("%.2f %s/month on demand, %.2f with spot", p.Cost.OnDemandMonthly, p.Cost.Currency, p.Cost.SpotMonthly),
	)
	resources := output.NewTable("resource", "count", "by az")
	types := make([]string, 0, len(p.Plan.ByType))
	for typ := range p.Plan.ByType {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		total, parts := 0, []string{}
		for az, n := range p.Plan.ByType[typ] {
			total += n
			parts = append(parts, fmt.Sprintf("%s:%d", az, n))
		}
		sort.Strings(parts)
		resources.Add(typ, strconv.Itoa(total), strings.Join(parts, " "))
	}
	quotas := output.NewTable("quota", "needed", "available", "limit", "")
	for _, q := range p.Quotas {
		flag := ""
		if q.Shortfall {
			flag = "SHORTFALL"
		}
		if q.Error != "" {
			flag = q.Error
		}
		quotas.Add(q.Name, strconv.Itoa(q.Needed), strconv.Itoa(q.Available), strconv.Itoa(q.Limit), flag)
	}
	views := output.Sections{summary, resources, quotas}
	if p.QuotaError != "" {
		views = append(views, output.KV("quotas unknown", p.QuotaError))
	}
	return views
}
