package domain

import (
	"fmt"
	"math"
	"slices"
)

// PriceCatalog is a Catalog that also knows prices (USD).
type PriceCatalog interface {
	Catalog
	OnDemandHourly(region, instanceType string) (float64, bool)
	RegionPrices(region string) (RegionPrices, bool)
}

// RegionPrices are the non-instance prices a cluster's estimate needs.
type RegionPrices struct {
	NATGatewayHourly float64 `json:"natGatewayHourly"`
	NATGatewayPerGB  float64 `json:"natGatewayPerGB"` // data processed
	NLBHourly        float64 `json:"nlbHourly"`
	NLBLCUHourly     float64 `json:"nlbLCUHourly"`
	PublicIPv4Hourly float64 `json:"publicIPv4Hourly"`
	EBSGp3PerGBMonth float64 `json:"ebsGp3PerGBMonth"`
	// EKSClusterHourly is an EKS cluster's control plane in standard support.
	EKSClusterHourly float64 `json:"eksClusterHourly"`
}

// Assumptions of the estimate; returned with it so nobody mistakes it for a bill.
const (
	HoursPerMonth          = 730 // AWS's own convention for monthly prices
	NATProcessedGBPerMonth = 100 // per NAT gateway: image pulls and updates of a small cluster
	NLBLCUs                = 1   // the API server's traffic is far below one LCU
)

// CostAssumptions says how EstimateCost counts.
var CostAssumptions = []string{
	"730 hours per month, on-demand Linux list prices, USD, before tax and discounts",
	fmt.Sprintf("%d GB per month processed by each NAT gateway", NATProcessedGBPerMonth),
	fmt.Sprintf("%d LCU for the API server load balancer", NLBLCUs),
	"root volumes are gp3 at the baseline 3000 IOPS / 125 MB/s (no extra charge)",
	"public IPv4: one per NAT gateway, one for the bastion, one per internet-facing load balancer subnet",
	"spot instances at their maximum price (an upper bound; the actual spot price is usually lower)",
	"data transfer out, snapshots, CloudWatch and load balancers created by the cluster itself are not included",
}

// EKSCostAssumptions are added for an eks cluster.
var EKSCostAssumptions = []string{
	"EKS control plane in standard support; extended support versions cost more",
	"managed node groups at their desired size; spot node groups at the on-demand price, the most a managed spot group pays",
	"Fargate pods are billed per vCPU and GB of the pods that run, unknown before they run: counted as 0",
}

// CostItem is one line of an estimate.
type CostItem struct {
	What        string  `json:"what"`
	Quantity    float64 `json:"quantity"`
	Unit        string  `json:"unit"` // instance-hour, GB-month, GB, ...
	UnitPrice   float64 `json:"unitPrice"`
	Monthly     float64 `json:"monthly"`     // at on-demand prices
	SpotMonthly float64 `json:"spotMonthly"` // with spot pools at their max price
}

// CostEstimate is a cluster's monthly cost estimate.
type CostEstimate struct {
	Currency        string     `json:"currency"`
	Items           []CostItem `json:"items"`
	OnDemandMonthly float64    `json:"onDemandMonthly"` // as if every instance were on-demand
	SpotMonthly     float64    `json:"spotMonthly"`     // spot pools at their max price
	Assumptions     []string   `json:"assumptions"`
}

// EstimateCost prices a plan in its region. Lines are in plan order, one per
// pool rather than per instance, and rounded to cents; totals are the sums of
// the lines.
func EstimateCost(p Plan, cat PriceCatalog) (CostEstimate, error) {
	rp, ok := cat.RegionPrices(p.Region)
	if !ok {
		return CostEstimate{}, fmt.Errorf("estimate cost: no prices for region %q", p.Region)
	}
	est := CostEstimate{Currency: "USD", Assumptions: slices.Clone(CostAssumptions)}
	add := func(what, unit string, qty, unitPrice, hours float64) {
		m := cents(qty * unitPrice * hours)
		est.Items = append(est.Items, CostItem{What: what, Quantity: qty, Unit: unit, UnitPrice: unitPrice, Monthly: m, SpotMonthly: m})
	}
	if _, ok := p.Find(KeyEKSCluster); ok {
		est.Assumptions = append(est.Assumptions, EKSCostAssumptions...)
		add("EKS control plane", "cluster-hour", 1, rp.EKSClusterHourly, HoursPerMonth)
	}
	pools, err := instanceGroups(p, cat)
	if err != nil {
		return CostEstimate{}, fmt.Errorf("estimate cost: %w", err)
	}
	for _, g := range pools {
		add(fmt.Sprintf("%s instances (%s)", g.name, g.instanceType), "instance-hour", float64(g.count), g.hourly, HoursPerMonth)
		if g.spotPercent > 0 {
			last := &est.Items[len(est.Items)-1]
			last.SpotMonthly = cents(float64(g.count) * SpotMaxPrice(g.hourly, g.spotPercent) * HoursPerMonth)
		}
	}
	for _, g := range pools {
		add(fmt.Sprintf("%s root volumes (gp3)", g.name), "GB-month", float64(g.count*g.volumeGiB), rp.EBSGp3PerGBMonth, 1)
	}
	nats := p.Count(ResNATGateway, "")
	if nats > 0 {
		add("NAT gateways", "gateway-hour", float64(nats), rp.NATGatewayHourly, HoursPerMonth)
		add("NAT gateway data processed", "GB", float64(nats*NATProcessedGBPerMonth), rp.NATGatewayPerGB, 1)
	}
	lb, hasLB := p.Find(KeyLoadBalancer)
	if hasLB {
		add("API server load balancer (NLB)", "hour", 1, rp.NLBHourly, HoursPerMonth)
		add("API server load balancer capacity units", "LCU-hour", NLBLCUs, rp.NLBLCUHourly, HoursPerMonth)
	}
	if ips := publicIPv4Count(p, lb); ips > 0 {
		add("public IPv4 addresses", "address-hour", float64(ips), rp.PublicIPv4Hourly, HoursPerMonth)
	}
	if p.Count(ResFargateProfile, "") > 0 {
		add("Fargate pods (billed per pod, not estimated)", "vCPU-hour", 0, 0, HoursPerMonth)
	}
	for _, it := range est.Items {
		est.OnDemandMonthly += it.Monthly
		est.SpotMonthly += it.SpotMonthly
	}
	est.OnDemandMonthly, est.SpotMonthly = cents(est.OnDemandMonthly), cents(est.SpotMonthly)
	return est, nil
}

type instanceGroup struct {
	name, instanceType string
	count, volumeGiB   int
	hourly             float64
	spotPercent        int
}

// instanceGroups folds the plan's instances into one group per pool (the
// bastion is its own group), in plan order; a managed node group is one
// group of its desired size.
func instanceGroups(p Plan, cat PriceCatalog) ([]instanceGroup, error) {
	var out []instanceGroup
	index := map[string]int{}
	for _, r := range p.Resources {
		if r.Type == ResNodeGroup {
			hourly, ok := cat.OnDemandHourly(p.Region, r.InstanceType)
			if !ok {
				return nil, fmt.Errorf("no on-demand price for %s in %s", r.InstanceType, p.Region)
			}
			g := instanceGroup{name: r.Pool, instanceType: r.InstanceType, count: r.Size, volumeGiB: r.RootVolumeGiB, hourly: hourly}
			if r.Spot {
				g.spotPercent = 100 // a managed spot group's max price is the on-demand price
			}
			out = append(out, g)
			continue
		}
		if r.Type != ResInstance {
			continue
		}
		name := r.Pool
		if r.Role == RoleBastion {
			name = RoleBastion
		}
		if i, ok := index[name]; ok {
			out[i].count++
			continue
		}
		hourly, ok := cat.OnDemandHourly(p.Region, r.InstanceType)
		if !ok {
			return nil, fmt.Errorf("no on-demand price for %s in %s", r.InstanceType, p.Region)
		}
		g := instanceGroup{name: name, instanceType: r.InstanceType, count: 1, volumeGiB: r.RootVolumeGiB, hourly: hourly}
		if r.Spot {
			g.spotPercent = r.SpotMaxPricePercent
		}
		index[name] = len(out)
		out = append(out, g)
	}
	return out, nil
}

// publicIPv4Count counts the public addresses AWS bills hourly: the NAT
// gateways' Elastic IPs, the bastion's, and one per subnet of an
// internet-facing load balancer (lb is the zero value without one). An
// EKS endpoint's public addresses are AWS's, not billed to the account.
func publicIPv4Count(p Plan, lb PlannedResource) int {
	n := p.Count(ResEIP, "") + p.Count(ResInstance, RoleBastion)
	if lb.Role == SchemeInternetFacing {
		n += len(lb.Subnets)
	}
	return n
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }
