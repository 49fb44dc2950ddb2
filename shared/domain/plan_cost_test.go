package domain_test

import (
	"math"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// TestEstimateCostExample checks the §3 example in eu-west-1 against numbers
// worked out by hand from catalog.json:
//
//	control plane 3 × m5.large   3 × 0.107 × 730   = 234.33
//	general       3 × m5.large                      = 234.33
//	gpu           1 × g4dn.xlarge 0.587 × 730       = 428.51 (spot: 0.3522 × 730 = 257.11)
//	bastion       1 × t3.micro   0.0114 × 730       =   8.32
//	gp3  control plane 3×80 GB × 0.088 = 21.12; general 150 GB = 13.20; gpu 50 GB = 4.40; bastion 8 GB = 0.70
//	NAT  3 × 0.048 × 730 = 105.12; data 3 × 100 GB × 0.048 = 14.40
//	NLB  0.0252 × 730 = 18.40; 1 LCU × 0.006 × 730 = 4.38
//	IPv4 (3 NAT + 1 bastion + 3 NLB) × 0.005 × 730 = 25.55
//	on-demand total 1112.76; with spot at its max 1112.76 − 428.51 + 257.11 = 941.36
func TestEstimateCostExample(t *testing.T) {
	est, err := domain.EstimateCost(plan(t, nil), catalog())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"control-plane instances (m5.large)":      234.33,
		"general instances (m5.large)":            234.33,
		"gpu instances (g4dn.xlarge)":             428.51,
		"bastion instances (t3.micro)":            8.32,
		"control-plane root volumes (gp3)":        21.12,
		"general root volumes (gp3)":              13.20,
		"gpu root volumes (gp3)":                  4.40,
		"bastion root volumes (gp3)":              0.70,
		"NAT gateways":                            105.12,
		"NAT gateway data processed":              14.40,
		"API server load balancer (NLB)":          18.40,
		"API server load balancer capacity units": 4.38,
		"public IPv4 addresses":                   25.55,
	}
	if len(est.Items) != len(want) {
		t.Errorf("%d items, want %d: %+v", len(est.Items), len(want), est.Items)
	}
	for _, it := range est.Items {
		w, ok := want[it.What]
		if !ok {
			t.Errorf("unexpected item %q", it.What)
			continue
		}
		if !near(it.Monthly, w) {
			t.Errorf("%s: monthly %.2f, want %.2f", it.What, it.Monthly, w)
		}
		if it.What == "gpu instances (g4dn.xlarge)" {
			if !near(it.SpotMonthly, 257.11) {
				t.Errorf("gpu spot monthly %.2f, want 257.11", it.SpotMonthly)
			}
		} else if it.SpotMonthly != it.Monthly {
			t.Errorf("%s: spot monthly %.2f differs from on-demand %.2f", it.What, it.SpotMonthly, it.Monthly)
		}
		if it.What == "public IPv4 addresses" && it.Quantity != 7 {
			t.Errorf("public IPv4 quantity %v, want 7", it.Quantity)
		}
	}
	if !near(est.OnDemandMonthly, 1112.76) || !near(est.SpotMonthly, 941.36) {
		t.Errorf("totals: on-demand %.2f (want 1112.76), spot %.2f (want 941.36)", est.OnDemandMonthly, est.SpotMonthly)
	}
	if est.Currency != "USD" || len(est.Assumptions) == 0 {
		t.Errorf("currency %q, %d assumptions", est.Currency, len(est.Assumptions))
	}
}

func TestEstimateCostSingleNATInternal(t *testing.T) {
	est, err := domain.EstimateCost(plan(t, func(s *domain.ClusterSpec) {
		s.Placement.NATGateways = domain.NATSingle
		s.APIServer.Scheme = domain.SchemeInternal
		s.Bastion = domain.Bastion{Enabled: new(false)}
	}), catalog())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]domain.CostItem{}
	for _, it := range est.Items {
		got[it.What] = it
	}
	// One NAT: 0.048 × 730 = 35.04; 100 GB × 0.048 = 4.80; one address (the
	// NAT's): 0.005 × 730 = 3.65. No bastion lines.
	if !near(got["NAT gateways"].Monthly, 35.04) || !near(got["NAT gateway data processed"].Monthly, 4.80) ||
		got["public IPv4 addresses"].Quantity != 1 || !near(got["public IPv4 addresses"].Monthly, 3.65) {
		t.Errorf("single NAT / internal: %+v", got)
	}
	if _, ok := got["bastion instances (t3.micro)"]; ok {
		t.Error("bastion priced while disabled")
	}
}

func TestEstimateCostUnknownRegion(t *testing.T) {
	p := plan(t, nil)
	p.Region = "mars-north-1"
	if _, err := domain.EstimateCost(p, catalog()); err == nil {
		t.Error("want an error for a region without prices")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }
