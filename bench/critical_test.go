package main

import "testing"

// The bound must follow the latency model: with DESIGN's defaults the NAT
// gateway, the instances and the target health checks are in series, and
// the NLB's 120 s runs beside the first two.
func TestLongestPath(t *testing.T) {
	lat := map[string]float64{
		"nat-gateway-available": 90, "instance-running": 30, "target-healthy": 90, "load-balancer-active": 120,
		"instance-terminated": 45, "nat-gateway-deleted": 60,
	}
	if _, got, err := longestPath(provisionGraph, "clusterRunning", lat); err != nil || got != 210 {
		t.Fatalf("provision bound = %v, %v; want 210", got, err)
	}
	if _, got, err := longestPath(deleteGraph, "vpcDeleted", lat); err != nil || got != 60 {
		t.Fatalf("delete bound = %v, %v; want 60", got, err)
	}
	lat["load-balancer-active"] = 200 // a slower NLB takes over the path
	path, got, err := longestPath(provisionGraph, "clusterRunning", lat)
	if err != nil || got != 290 || path[0].Step != "vpc" {
		t.Fatalf("bound with a slow NLB = %v via %v, %v; want 290 via vpc → subnets → loadBalancerActive", got, path, err)
	}
	delete(lat, "target-healthy")
	if _, _, err := longestPath(provisionGraph, "clusterRunning", lat); err == nil {
		t.Fatal("a latency missing from the model must be an error, not zero")
	}
}
