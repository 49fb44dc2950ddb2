// Package catalog is the local cloud's read-only EC2 catalogue: regions and
// zones, public images, instance types, where they are offered, and on-demand
// and spot prices. local/ec2 delegates the read-only Describe actions to
// ServeAction and asks the typed methods when it validates a launch.
//
// The data is fixed and deterministic (AMI ids are derived from region and
// name, spot prices from a smooth function of time), so a test that reads a
// value once can rely on it in every run. Only spot price pins are mutable.
package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Catalog answers catalogue questions. It is safe for concurrent use.
type Catalog struct {
	regions map[string]*region
	types   map[string]*InstanceType
	// missing holds (region, zone name, type) that offeringGaps remove.
	missing map[offerKey]bool

	mu   sync.RWMutex
	pins map[offerKey]float64 // zone "" pins the whole region
}

type region struct {
	name        string
	priceFactor float64
	zones       []zone
	images      []Image
	imageByID   map[string]int
}

type zone struct{ name, id string }

type offerKey struct{ region, zone, instanceType string }

// New builds the catalogue from the data tables.
func New() *Catalog {
	c := &Catalog{
		regions: make(map[string]*region, len(regionTable)),
		types:   make(map[string]*InstanceType, len(instanceTypeTable)),
		missing: map[offerKey]bool{},
		pins:    map[offerKey]float64{},
	}
	for i := range instanceTypeTable {
		c.types[instanceTypeTable[i].Name] = &instanceTypeTable[i]
	}
	for _, rs := range regionTable {
		r := &region{name: rs.name, priceFactor: rs.priceFactor, imageByID: map[string]int{}}
		for _, z := range rs.zones {
			r.zones = append(r.zones, zone{
				name: rs.name + string(z.letter),
				id:   rs.idPrefix + "-az" + strconv.Itoa(z.idNum),
			})
		}
		for _, s := range imageTable {
			img := s.image(rs.name)
			r.imageByID[img.ID] = len(r.images)
			r.images = append(r.images, img)
		}
		c.regions[rs.name] = r
	}
	for _, g := range offeringGaps {
		for _, letter := range []byte(g.zones) {
			for _, t := range g.types {
				c.missing[offerKey{g.region, g.region + string(letter), t}] = true
			}
		}
	}
	return c
}

// Regions lists the region names, in catalogue order.
func Regions() []string {
	names := make([]string, len(regionTable))
	for i, r := range regionTable {
		names[i] = r.name
	}
	return names
}

// InstanceTypes returns a copy of the instance type table.
func InstanceTypes() []InstanceType {
	out := make([]InstanceType, len(instanceTypeTable))
	for i, it := range instanceTypeTable {
		it.Architectures = slices.Clone(it.Architectures)
		if it.GPU != nil {
			g := *it.GPU
			it.GPU = &g
		}
		out[i] = it
	}
	return out
}

// AZs lists the zone names of a region; nil for an unknown region.
func (c *Catalog) AZs(regionName string) []string {
	r := c.regions[regionName]
	if r == nil {
		return nil
	}
	names := make([]string, len(r.zones))
	for i, z := range r.zones {
		names[i] = z.name
	}
	return names
}

// ZoneID maps a zone name to its zone ID; "" if the zone is not in the region.
func (c *Catalog) ZoneID(regionName, az string) string {
	if z, ok := c.zone(regionName, az); ok {
		return z.id
	}
	return ""
}

// zone finds a zone by name or by zone ID, since EC2 accepts either in most
// places that take a zone.
func (c *Catalog) zone(regionName, nameOrID string) (zone, bool) {
	r := c.regions[regionName]
	if r == nil {
		return zone{}, false
	}
	for _, z := range r.zones {
		if z.name == nameOrID || z.id == nameOrID {
			return z, true
		}
	}
	return zone{}, false
}

// Images lists the public images of a region; nil for an unknown region.
func (c *Catalog) Images(regionName string) []Image {
	if r := c.regions[regionName]; r != nil {
		return slices.Clone(r.images)
	}
	return nil
}

// ImageExists reports whether imageID is a public image in the region. AMI
// ids are regional, so another region's id for the same image is unknown.
func (c *Catalog) ImageExists(regionName, imageID string) bool {
	r := c.regions[regionName]
	if r == nil {
		return false
	}
	_, ok := r.imageByID[imageID]
	return ok
}

// InstanceTypeVCPUs returns the default vCPU count; false for an unknown type.
func (c *Catalog) InstanceTypeVCPUs(instanceType string) (int, bool) {
	if it := c.types[instanceType]; it != nil {
		return it.VCPUs, true
	}
	return 0, false
}

// Offered reports whether instanceType can be launched in the zone (name or
// zone ID). An empty az asks whether any zone of the region offers it.
func (c *Catalog) Offered(regionName, az, instanceType string) bool {
	if c.types[instanceType] == nil {
		return false
	}
	if az == "" {
		for _, z := range c.AZs(regionName) {
			if c.Offered(regionName, z, instanceType) {
				return true
			}
		}
		return false
	}
	z, ok := c.zone(regionName, az)
	return ok && !c.missing[offerKey{regionName, z.name, instanceType}]
}

// OnDemandPrice is the Linux on-demand price per hour in USD; false for an
// unknown region or type.
func (c *Catalog) OnDemandPrice(regionName, instanceType string) (float64, bool) {
	r, it := c.regions[regionName], c.types[instanceType]
	if r == nil || it == nil {
		return 0, false
	}
	// AWS publishes prices with four decimals.
	return math.Round(it.OnDemandUSD*r.priceFactor*1e4) / 1e4, true
}

// image materialises one table row in a region.
func (s imageSpec) image(regionName string) Image {
	return Image{
		ID:           "ami-" + hashID(regionName, s.name),
		Name:         s.name,
		Description:  s.description,
		OwnerID:      s.family.owner,
		OwnerAlias:   s.family.alias,
		Architecture: s.arch,
		Platform:     s.family.platform,
		CreationDate: s.created,
		RootDevice:   s.family.rootDevice,
		VolumeGiB:    s.family.volumeGiB,
	}
}

// hashID derives the 17 hex digits of an EC2 resource id from its identity, so
// ids stay the same across runs and differ between regions.
func hashID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:17]
}
