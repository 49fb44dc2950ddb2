package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// APILatency is the warm latency of the two read endpoints through the
// local API gateway (JWT check, API Gateway v2 event, Lambda Invoke, DynamoDB).
type APILatency struct {
	ClustersStored int       `json:"clustersStored"`
	GetCluster     Latencies `json:"getCluster"`
	ListClusters   Latencies `json:"listClusters"`
	Note           string    `json:"note"`
}

// Latencies are client-side round trips in milliseconds.
type Latencies struct {
	Requests int     `json:"requests"`
	P50      float64 `json:"p50Ms"`
	P99      float64 `json:"p99Ms"`
	Max      float64 `json:"maxMs"`
	Items    int     `json:"itemsPerAnswer,omitempty"`
}

const (
	latencyWarmup   = 20
	latencyRequests = 300
)

// measureAPI times GET /v1/clusters/{id} (cycling over the stored clusters)
// and GET /v1/clusters?limit=100 (all of them in one page), sequentially,
// after a warm-up that starts every API Lambda process.
func measureAPI(ctx context.Context, s *session, clusters []clusterView, live []int) (*APILatency, error) {
	if len(live) == 0 {
		return nil, fmt.Errorf("no clusters stored")
	}
	a := &APILatency{ClustersStored: len(live),
		Note: "sequential requests from one client on the same machine, after a warm-up; the clusters are Running and idle"}
	get := func(i int) error {
		var c clusterView
		return s.api(ctx, http.MethodGet, "/v1/clusters/"+clusters[live[i%len(live)]].ID, nil, &c)
	}
	var page struct {
		Items []struct{ ID string } `json:"items"`
	}
	list := func(int) error { return s.api(ctx, http.MethodGet, "/v1/clusters?limit=100", nil, &page) }
	var err error
	if a.GetCluster, err = timeRequests(get); err != nil {
		return nil, err
	}
	if a.ListClusters, err = timeRequests(list); err != nil {
		return nil, err
	}
	a.ListClusters.Items = len(page.Items)
	return a, nil
}

func timeRequests(f func(int) error) (Latencies, error) {
	for i := range latencyWarmup {
		if err := f(i); err != nil {
			return Latencies{}, err
		}
	}
	d := make([]time.Duration, latencyRequests)
	for i := range d {
		t0 := time.Now()
		if err := f(i); err != nil {
			return Latencies{}, err
		}
		d[i] = time.Since(t0)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return Latencies{Requests: len(d), P50: ms(percentile(d, 50)), P99: ms(percentile(d, 99)), Max: ms(d[len(d)-1])}, nil
}

// percentile uses the nearest-rank method on sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(0, rank-1)]
}
