// Package pricing is the static AWS catalogue: regions and their AZs,
// instance types and on-demand prices, and the network prices a cluster's
// cost estimate needs. Validation uses it before anything is stored; the live
// preflight then checks real offerings in the customer's account, so the
// static file treats every listed type as offered in every listed AZ.
package pricing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/clusterforge/clusterforge/shared/domain"
)

//go:embed catalog.json
var catalogJSON []byte

// Static implements domain.PriceCatalog from a catalogue document.
type Static struct {
	types   map[string]domain.InstanceTypeInfo
	regions map[string]regionDoc
}

var _ domain.PriceCatalog = (*Static)(nil)

type instanceTypeDoc struct {
	VCPUs     int `json:"vcpus"`
	MemoryMiB int `json:"memoryMiB"`
	GPUs      int `json:"gpus"`
}

type regionDoc struct {
	AZs              []string           `json:"azs"`
	NATGatewayHourly float64            `json:"natGatewayHourly"`
	NATGatewayPerGB  float64            `json:"natGatewayPerGB"`
	NLBHourly        float64            `json:"nlbHourly"`
	NLBLCUHourly     float64            `json:"nlbLCUHourly"`
	PublicIPv4Hourly float64            `json:"publicIPv4Hourly"`
	EBSGp3PerGBMonth float64            `json:"ebsGp3PerGBMonth"`
	EKSClusterHourly float64            `json:"eksClusterHourly"`
	OnDemandHourly   map[string]float64 `json:"onDemandHourly"`
}

type catalogDoc struct {
	InstanceTypes map[string]instanceTypeDoc `json:"instanceTypes"`
	Regions       map[string]regionDoc       `json:"regions"`
}

var (
	defaultOnce sync.Once
	defaultCat  *Static
	defaultErr  error
)

// Default returns the catalogue embedded in the binary. It panics if the
// embedded file is broken: that is a build defect caught by this package's
// tests, not a runtime condition.
func Default() *Static {
	defaultOnce.Do(func() { defaultCat, defaultErr = Parse(catalogJSON) })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultCat
}

// Parse reads a catalogue document and checks it is complete: every region
// has AZs and network prices, and a price for every instance type, so that a
// validated spec can always be priced.
func Parse(data []byte) (*Static, error) {
	var doc catalogDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("pricing: parse catalogue: %w", err)
	}
	if len(doc.Regions) == 0 || len(doc.InstanceTypes) == 0 {
		return nil, fmt.Errorf("pricing: catalogue has no regions or no instance types")
	}
	s := &Static{types: map[string]domain.InstanceTypeInfo{}, regions: doc.Regions}
	for name, t := range doc.InstanceTypes {
		if t.VCPUs <= 0 || t.MemoryMiB <= 0 {
			return nil, fmt.Errorf("pricing: instance type %s: vcpus and memoryMiB must be positive", name)
		}
		s.types[name] = domain.InstanceTypeInfo{VCPUs: t.VCPUs, MemoryMiB: t.MemoryMiB, GPUs: t.GPUs}
	}
	for name, r := range doc.Regions {
		if len(r.AZs) == 0 {
			return nil, fmt.Errorf("pricing: region %s has no AZs", name)
		}
		for _, p := range []float64{r.NATGatewayHourly, r.NATGatewayPerGB, r.NLBHourly, r.NLBLCUHourly, r.PublicIPv4Hourly, r.EBSGp3PerGBMonth, r.EKSClusterHourly} {
			if p <= 0 {
				return nil, fmt.Errorf("pricing: region %s: every network price must be positive", name)
			}
		}
		for t := range s.types {
			if r.OnDemandHourly[t] <= 0 {
				return nil, fmt.Errorf("pricing: region %s: no on-demand price for %s", name, t)
			}
		}
	}
	return s, nil
}

// Regions lists the known regions, sorted.
func (s *Static) Regions() []string {
	out := make([]string, 0, len(s.regions))
	for r := range s.regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// AZs lists a region's zones in catalogue order; nil for an unknown region.
func (s *Static) AZs(region string) []string {
	return slices.Clone(s.regions[region].AZs)
}

// InstanceType describes a known instance type.
func (s *Static) InstanceType(name string) (domain.InstanceTypeInfo, bool) {
	t, ok := s.types[name]
	return t, ok
}

// InstanceTypes lists the known instance types, sorted.
func (s *Static) InstanceTypes() []string {
	out := make([]string, 0, len(s.types))
	for t := range s.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Offered is true for every known type in every known AZ of the region: the
// static file does not track per-AZ offerings (the live preflight does).
func (s *Static) Offered(region, az, instanceType string) bool {
	_, known := s.types[instanceType]
	return known && slices.Contains(s.regions[region].AZs, az)
}

// OnDemandHourly is the Linux on-demand price of an instance type in a region.
func (s *Static) OnDemandHourly(region, instanceType string) (float64, bool) {
	p, ok := s.regions[region].OnDemandHourly[instanceType]
	return p, ok
}

// RegionPrices are the region's network and storage prices.
func (s *Static) RegionPrices(region string) (domain.RegionPrices, bool) {
	r, ok := s.regions[region]
	if !ok {
		return domain.RegionPrices{}, false
	}
	return domain.RegionPrices{
		NATGatewayHourly: r.NATGatewayHourly,
		NATGatewayPerGB:  r.NATGatewayPerGB,
		NLBHourly:        r.NLBHourly,
		NLBLCUHourly:     r.NLBLCUHourly,
		PublicIPv4Hourly: r.PublicIPv4Hourly,
		EBSGp3PerGBMonth: r.EBSGp3PerGBMonth,
		EKSClusterHourly: r.EKSClusterHourly,
	}, true
}
