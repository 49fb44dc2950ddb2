package main

import "fmt"

// Results is bench/results.json. Each top-level key names one figure of the
// benchmark issue; every number in it was measured in this run, except the
// bounds, which are computed from the local cloud's own latency model.
type Results struct {
	Machine             Machine          `json:"machine"`
	ProvisionVsCritical *CriticalPath    `json:"provisionTimeVsCriticalPath,omitempty"`
	AWSCalls            *CallFigures     `json:"awsCallsPerLifecycle,omitempty"`
	PollingBackoff      []PollLoop       `json:"pollingBackoff,omitempty"`
	StateTransitions    *Transitions     `json:"stateTransitionsPerLifecycle,omitempty"`
	PlatformCost        *Cost            `json:"platformCostPerLifecycle,omitempty"`
	Scale               *ScaleFigures    `json:"scale,omitempty"`
	APILatency          *APILatency      `json:"apiLatency,omitempty"`
	LambdaSize          []LambdaSize     `json:"lambdaSize,omitempty"`
	LambdaColdStart     *ColdStart       `json:"lambdaColdStart,omitempty"`
	Goals               []Goal           `json:"goals"`
	Errors              []string         `json:"errors,omitempty"`
	Plots               []string         `json:"plots,omitempty"`
	lifecycle           *lifecycleResult // raw material for the plots
}

// Machine says where and under what load the numbers were taken.
type Machine struct {
	Date          string  `json:"date"`
	Cores         int     `json:"cores"`
	GoVersion     string  `json:"goVersion"`
	TimeScale     float64 `json:"timeScale"` // wall seconds per simulated AWS second
	LoadAvgStart  string  `json:"loadAvgStart"`
	LoadAvgEnd    string  `json:"loadAvgEnd"`
	WallSeconds   float64 `json:"wallSeconds"`
	SharedCPUNote string  `json:"note"`
}

// Goal is one target of the issue and whether this run met it.
type Goal struct {
	Figure   string  `json:"figure"`
	Measured float64 `json:"measured"`
	Goal     float64 `json:"goal"`
	Unit     string  `json:"unit"`
	Met      bool    `json:"met"`
}

func goalAtMost(figure string, measured, goal float64, unit string) Goal {
	return Goal{Figure: figure, Measured: round(measured, 4), Goal: goal, Unit: unit, Met: measured <= goal}
}

// goals checks each figure against the target.
func goals(r *Results) []Goal {
	var g []Goal
	if c := r.ProvisionVsCritical; c != nil {
		g = append(g, goalAtMost("provision time / critical path", c.ProvisionRatio, 1.10, "ratio"),
			goalAtMost("delete time / critical path", c.DeleteRatio, 1.10, "ratio"))
	}
	if c := r.AWSCalls; c != nil {
		g = append(g, goalAtMost("AWS calls per lifecycle", float64(c.Total), 120, "calls"))
	}
	if t := r.StateTransitions; t != nil {
		g = append(g, goalAtMost("state transitions per lifecycle", float64(t.Total), 200, "transitions"))
	}
	if c := r.PlatformCost; c != nil {
		g = append(g, goalAtMost("platform cost per lifecycle", c.TotalUSD, 0.02, "USD"))
	}
	if s := r.Scale; s != nil {
		for _, run := range s.Runs {
			g = append(g, goalAtMost(fmt.Sprintf("failures, %d clusters", run.Clusters), float64(run.Failures), 0, "clusters"),
				goalAtMost(fmt.Sprintf("leftovers, %d clusters", run.Clusters), float64(run.Leftovers), 0, "resources"))
		}
	}
	if a := r.APILatency; a != nil {
		g = append(g, goalAtMost(fmt.Sprintf("GET /v1/clusters/{id} p99 (%d stored)", a.ClustersStored), a.GetCluster.P99, 50, "ms"),
			goalAtMost(fmt.Sprintf("GET /v1/clusters p99 (%d stored)", a.ClustersStored), a.ListClusters.P99, 50, "ms"))
	}
	for _, l := range r.LambdaSize {
		g = append(g, goalAtMost("zipped size "+l.Function, l.ZippedMB, 12, "MB"))
	}
	if c := r.LambdaColdStart; c != nil {
		for _, f := range c.Functions {
			g = append(g, goalAtMost("init duration (median) "+f.Function, f.MedianMs, 30, "ms"))
		}
	}
	return g
}
