package catalog

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Spot prices are a deterministic function of (region, zone, type, time): a
// slow sine plus a faster ripple around 35% of on-demand, each series with its
// own phase so zones differ at any moment and their order changes over a
// day. The sum stays within 25.5%–44.5% of on-demand, inside the ~25–45% band
// real spot prices usually sit in. Like AWS, a price holds for a while and then
// changes: it is evaluated on a grid of spotStep.
const (
	spotStep         = time.Hour
	spotCenter       = 0.35
	spotSlowAmp      = 0.07
	spotSlowPeriodH  = 30.0 // not a day, so the daily pattern drifts
	spotRippleAmp    = 0.025
	spotRipplePeriod = 7.0
	// spotRecentPoints is how many price changes per series
	// DescribeSpotPriceHistory answers when no time range is asked for.
	spotRecentPoints = 4
	// spotMaxLookback is how far back AWS keeps spot price history.
	spotMaxLookback = 90 * 24 * time.Hour
)

// SpotPrice is the Linux/UNIX spot price per hour in USD in effect at at (a
// pinned price if one applies); 0 if the type is not offered in the zone.
// az may be a zone name or a zone ID.
func (c *Catalog) SpotPrice(regionName, az, instanceType string, at time.Time) float64 {
	z, ok := c.zone(regionName, az)
	if !ok || !c.Offered(regionName, z.name, instanceType) {
		return 0
	}
	return c.spotPriceIn(regionName, z.name, instanceType, at)
}

func (c *Catalog) spotPriceIn(regionName, zoneName, instanceType string, at time.Time) float64 {
	if p, ok := c.pinned(regionName, zoneName, instanceType); ok {
		return p
	}
	od, _ := c.OnDemandPrice(regionName, instanceType)
	h := float64(at.Truncate(spotStep).Unix()) / 3600
	phase := seriesPhase(regionName, zoneName, instanceType)
	frac := spotCenter +
		spotSlowAmp*math.Sin(2*math.Pi*h/spotSlowPeriodH+phase) +
		spotRippleAmp*math.Sin(2*math.Pi*h/spotRipplePeriod+2*phase)
	// Spot prices are quoted with six decimals.
	return math.Round(od*frac*1e6) / 1e6
}

// seriesPhase spreads the series over the sine's period by hashing its key.
func seriesPhase(parts ...string) float64 {
	var h uint32 = 2166136261 // FNV-1a: stable across runs and platforms
	for _, b := range []byte(strings.Join(parts, "/")) {
		h = (h ^ uint32(b)) * 16777619
	}
	return 2 * math.Pi * float64(h%3600) / 3600
}

// SetSpotPrice pins the spot price of a type in one zone (name or zone ID),
// or with az "" in every zone of the region, replacing any zone pins there.
// A pin holds at every time, past points of the history included, so that a
// test sees one price whichever time it asks about.
func (c *Catalog) SetSpotPrice(regionName, az, instanceType string, price float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if az == "" {
		c.clearZonePinsLocked(regionName, instanceType)
	} else if z, ok := c.zone(regionName, az); ok {
		az = z.name
	}
	c.pins[offerKey{regionName, az, instanceType}] = price
}

// ClearSpotPrice removes a pin. az "" removes the region's pin and every zone
// pin of the type in the region; a zone removes only that zone's own pin (a
// region pin, if any, still applies there).
func (c *Catalog) ClearSpotPrice(regionName, az, instanceType string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if az == "" {
		c.clearZonePinsLocked(regionName, instanceType)
	} else if z, ok := c.zone(regionName, az); ok {
		az = z.name
	}
	delete(c.pins, offerKey{regionName, az, instanceType})
}

func (c *Catalog) clearZonePinsLocked(regionName, instanceType string) {
	for _, z := range c.AZs(regionName) {
		delete(c.pins, offerKey{regionName, z, instanceType})
	}
}

// pinned returns the zone pin, else the region pin.
func (c *Catalog) pinned(regionName, zoneName, instanceType string) (float64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if p, ok := c.pins[offerKey{regionName, zoneName, instanceType}]; ok {
		return p, true
	}
	p, ok := c.pins[offerKey{regionName, "", instanceType}]
	return p, ok
}

// spotPoint is one entry of the spot price history.
type spotPoint struct {
	zone         zone
	instanceType string
	price        float64
	at           time.Time
}

// spotHistory lists the price changes of every offered (zone, type) pair
// between from and to, plus the change in effect at from, newest first. A
// zero from asks for the last spotRecentPoints changes up to to.
func (c *Catalog) spotHistory(regionName string, zones []zone, types []string, from, to time.Time) []spotPoint {
	last := to.Truncate(spotStep)
	first := last.Add(-spotStep * (spotRecentPoints - 1))
	if !from.IsZero() {
		if oldest := to.Add(-spotMaxLookback); from.Before(oldest) {
			from = oldest
		}
		first = from.Truncate(spotStep)
	}
	var out []spotPoint
	for at := last; !at.Before(first); at = at.Add(-spotStep) {
		for _, z := range zones {
			for _, t := range types {
				if c.Offered(regionName, z.name, t) {
					out = append(out, spotPoint{z, t, c.spotPriceIn(regionName, z.name, t, at), at})
				}
			}
		}
	}
	return out
}

// sortTypes keeps history deterministic whatever order the caller named types in.
func sortTypes(types []string) []string {
	types = slices.Clone(types)
	slices.Sort(types)
	return slices.Compact(types)
}
