package catalog

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// Product descriptions DescribeSpotPriceHistory accepts. Only Linux/UNIX has
// prices here: the service launches Linux nodes only, and the others answer
// an empty history rather than an error, as AWS does for a product nobody
// bids on in a zone.
const productLinux = "Linux/UNIX"

var productDescriptions = []string{
	productLinux, "Linux/UNIX (Amazon VPC)", "SUSE Linux", "SUSE Linux (Amazon VPC)",
	"Red Hat Enterprise Linux", "Red Hat Enterprise Linux (Amazon VPC)", "Windows", "Windows (Amazon VPC)",
}

// Page sizes when the caller sets no MaxResults, as on EC2.
const (
	defaultPageInstanceTypes = 100
	defaultPageLarge         = 1000
)

func (c *Catalog) describeRegions(rq *request) (reply, error) {
	names := Regions()
	if asked := rq.list("RegionName"); len(asked) > 0 {
		if bad := unknown(asked, func(n string) bool { return c.regions[n] != nil }); len(bad) > 0 {
			return reply{}, invalidParam("Invalid region names: [%s]", strings.Join(bad, ", "))
		}
		names = asked
	}
	items := make([]regionXML, len(names))
	for i, n := range names {
		items[i] = regionItem(n)
	}
	items, err := filterSet[regionXML]{
		"region-name":   func(x regionXML) []string { return []string{x.RegionName} },
		"endpoint":      func(x regionXML) []string { return []string{x.RegionEndpoint} },
		"opt-in-status": func(x regionXML) []string { return []string{x.OptInStatus} },
	}.apply(items, rq.filters())
	return reply{setName: "regionInfo", items: items}, err
}

func (c *Catalog) describeAvailabilityZones(rq *request) (reply, error) {
	r, err := c.region(rq)
	if err != nil {
		return reply{}, err
	}
	names, ids := rq.list("ZoneName"), rq.list("ZoneId")
	for _, n := range names {
		if z, ok := c.zone(r.name, n); !ok || z.name != n {
			return reply{}, invalidParam("The zone '%s' does not exist.", n)
		}
	}
	for _, id := range ids {
		if z, ok := c.zone(r.name, id); !ok || z.id != id {
			return reply{}, invalidParam("The zone ID '%s' does not exist.", id)
		}
	}
	var items []zoneXML
	for _, z := range r.zones {
		// ZoneName and ZoneId together select the union, as on EC2.
		if len(names)+len(ids) == 0 || slices.Contains(names, z.name) || slices.Contains(ids, z.id) {
			items = append(items, zoneItem(r.name, z))
		}
	}
	items, err = filterSet[zoneXML]{
		"region-name":          func(x zoneXML) []string { return []string{x.RegionName} },
		"zone-name":            func(x zoneXML) []string { return []string{x.ZoneName} },
		"zone-id":              func(x zoneXML) []string { return []string{x.ZoneID} },
		"state":                func(x zoneXML) []string { return []string{x.ZoneState} },
		"zone-type":            func(x zoneXML) []string { return []string{x.ZoneType} },
		"group-name":           func(x zoneXML) []string { return []string{x.GroupName} },
		"network-border-group": func(x zoneXML) []string { return []string{x.NetworkBorderGroup} },
		"opt-in-status":        func(x zoneXML) []string { return []string{x.OptInStatus} },
	}.apply(items, rq.filters())
	return reply{setName: "availabilityZoneInfo", items: items}, err
}

func (c *Catalog) describeImages(rq *request) (reply, error) {
	r, err := c.region(rq)
	if err != nil {
		return reply{}, err
	}
	images := r.images
	if ids := rq.list("ImageId"); len(ids) > 0 {
		if images, err = r.imagesByID(ids); err != nil {
			return reply{}, err
		}
	}
	if owners := rq.list("Owner"); len(owners) > 0 {
		images = slices.DeleteFunc(slices.Clone(images), func(img Image) bool {
			// "self" and "aws-marketplace" never match: every catalogue
			// image is public and owned by its publisher.
			return !slices.Contains(owners, img.OwnerID) && (img.OwnerAlias == "" || !slices.Contains(owners, img.OwnerAlias))
		})
	}
	items := make([]imageXML, len(images))
	for i, img := range images {
		items[i] = imageItem(r.name, img)
	}
	one := func(f func(imageXML) string) func(imageXML) []string {
		return func(x imageXML) []string { return []string{f(x)} }
	}
	items, err = filterSet[imageXML]{
		"name":                one(func(x imageXML) string { return x.Name }),
		"description":         one(func(x imageXML) string { return x.Description }),
		"image-id":            one(func(x imageXML) string { return x.ImageID }),
		"architecture":        one(func(x imageXML) string { return x.Architecture }),
		"state":               one(func(x imageXML) string { return x.ImageState }),
		"owner-id":            one(func(x imageXML) string { return x.ImageOwnerID }),
		"owner-alias":         one(func(x imageXML) string { return x.ImageOwnerAlias }),
		"is-public":           one(func(x imageXML) string { return boolStr(x.IsPublic) }),
		"image-type":          one(func(x imageXML) string { return x.ImageType }),
		"platform":            one(func(x imageXML) string { return x.Platform }),
		"platform-details":    one(func(x imageXML) string { return x.PlatformDetails }),
		"root-device-type":    one(func(x imageXML) string { return x.RootDeviceType }),
		"root-device-name":    one(func(x imageXML) string { return x.RootDeviceName }),
		"virtualization-type": one(func(x imageXML) string { return x.VirtualizationType }),
		"hypervisor":          one(func(x imageXML) string { return x.Hypervisor }),
		"ena-support":         one(func(x imageXML) string { return boolStr(x.EnaSupport) }),
	}.apply(items, rq.filters())
	if err != nil {
		return reply{}, err
	}
	// DescribeImages answers everything at once unless MaxResults is given.
	pageItems, next, err := page(rq, items, max(len(items), 1))
	return reply{setName: "imagesSet", items: pageItems, nextToken: next}, err
}

// imagesByID resolves ImageId.N, failing the way EC2 does: a malformed id
// first, then every id that does not exist in this region.
func (r *region) imagesByID(ids []string) ([]Image, error) {
	var out []Image
	var missing []string
	for _, id := range ids {
		if !strings.HasPrefix(id, "ami-") {
			return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
		}
		if i, ok := r.imageByID[id]; ok {
			out = append(out, r.images[i])
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAMIID.NotFound",
			"The image id '[%s]' does not exist", strings.Join(missing, ", "))
	}
	return out, nil
}

func (c *Catalog) describeInstanceTypes(rq *request) (reply, error) {
	if _, err := c.region(rq); err != nil {
		return reply{}, err
	}
	types := instanceTypeTable
	if asked := rq.list("InstanceType"); len(asked) > 0 {
		if bad := unknown(asked, func(n string) bool { return c.types[n] != nil }); len(bad) > 0 {
			return reply{}, awsproto.Errorf(http.StatusBadRequest, "InvalidInstanceType",
				"The following supplied instance types do not exist: [%s]", strings.Join(bad, ", "))
		}
		types = nil
		for _, n := range asked {
			types = append(types, *c.types[n])
		}
	}
	items := make([]instanceTypeXML, len(types))
	for i := range types {
		items[i] = instanceTypeItem(&types[i])
	}
	num := func(f func(instanceTypeXML) int) func(instanceTypeXML) []string {
		return func(x instanceTypeXML) []string { return []string{strconv.Itoa(f(x))} }
	}
	flag := func(f func(instanceTypeXML) bool) func(instanceTypeXML) []string {
		return func(x instanceTypeXML) []string { return []string{boolStr(f(x))} }
	}
	items, err := filterSet[instanceTypeXML]{
		"instance-type":                         func(x instanceTypeXML) []string { return []string{x.InstanceType} },
		"hypervisor":                            func(x instanceTypeXML) []string { return []string{x.Hypervisor} },
		"supported-usage-class":                 func(x instanceTypeXML) []string { return x.SupportedUsageClasses },
		"processor-info.supported-architecture": func(x instanceTypeXML) []string { return x.ProcessorInfo.SupportedArchitectures },
		"vcpu-info.default-vcpus":               num(func(x instanceTypeXML) int { return x.VCPUInfo.DefaultVCPUs }),
		"memory-info.size-in-mib":               num(func(x instanceTypeXML) int { return x.MemoryInfo.SizeInMiB }),
		"current-generation":                    flag(func(x instanceTypeXML) bool { return x.CurrentGeneration }),
		"burstable-performance-supported":       flag(func(x instanceTypeXML) bool { return x.BurstablePerformanceSupported }),
		"instance-storage-supported":            flag(func(x instanceTypeXML) bool { return x.InstanceStorageSupported }),
	}.apply(items, rq.filters())
	if err != nil {
		return reply{}, err
	}
	pageItems, next, err := page(rq, items, defaultPageInstanceTypes)
	return reply{setName: "instanceTypeSet", items: pageItems, nextToken: next}, err
}

func (c *Catalog) describeInstanceTypeOfferings(rq *request) (reply, error) {
	r, err := c.region(rq)
	if err != nil {
		return reply{}, err
	}
	locType := rq.form.Get("LocationType")
	if locType == "" {
		locType = "region" // EC2's default
	}
	var items []offeringXML
	for _, it := range instanceTypeTable {
		switch locType {
		case "region":
			if c.Offered(r.name, "", it.Name) {
				items = append(items, offeringXML{it.Name, locType, r.name})
			}
		case "availability-zone", "availability-zone-id":
			for _, z := range r.zones {
				if !c.Offered(r.name, z.name, it.Name) {
					continue
				}
				loc := z.name
				if locType == "availability-zone-id" {
					loc = z.id
				}
				items = append(items, offeringXML{it.Name, locType, loc})
			}
		default:
			return reply{}, invalidParam("Value (%s) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id.", locType)
		}
	}
	items, err = filterSet[offeringXML]{
		"location":      func(x offeringXML) []string { return []string{x.Location} },
		"instance-type": func(x offeringXML) []string { return []string{x.InstanceType} },
	}.apply(items, rq.filters())
	if err != nil {
		return reply{}, err
	}
	pageItems, next, err := page(rq, items, defaultPageLarge)
	return reply{setName: "instanceTypeOfferingSet", items: pageItems, nextToken: next}, err
}

func (c *Catalog) describeSpotPriceHistory(rq *request) (reply, error) {
	r, err := c.region(rq)
	if err != nil {
		return reply{}, err
	}
	q, err := c.spotQuery(rq, r)
	if err != nil {
		return reply{}, err
	}
	var items []spotPriceXML
	if q.linux {
		for _, p := range c.spotHistory(r.name, q.zones, q.types, q.from, q.to) {
			items = append(items, spotPriceItem(p))
		}
	}
	items, err = filterSet[spotPriceXML]{
		"availability-zone":   func(x spotPriceXML) []string { return []string{x.AvailabilityZone} },
		"instance-type":       func(x spotPriceXML) []string { return []string{x.InstanceType} },
		"product-description": func(x spotPriceXML) []string { return []string{x.ProductDescription} },
		"spot-price":          func(x spotPriceXML) []string { return []string{x.SpotPrice} },
	}.apply(items, rq.filters())
	if err != nil {
		return reply{}, err
	}
	pageItems, next, err := page(rq, items, defaultPageLarge)
	return reply{setName: "spotPriceHistorySet", items: pageItems, nextToken: next}, err
}

// spotQuery is a validated DescribeSpotPriceHistory request.
type spotQuery struct {
	zones    []zone
	types    []string
	linux    bool // whether Linux/UNIX, the only product with prices, is asked for
	from, to time.Time
}

func (c *Catalog) spotQuery(rq *request, r *region) (spotQuery, error) {
	q := spotQuery{zones: r.zones, linux: true}
	for _, param := range []string{"AvailabilityZone", "AvailabilityZoneId"} {
		if v := rq.form.Get(param); v != "" {
			z, ok := c.zone(r.name, v)
			if !ok {
				return q, invalidParam("The zone '%s' does not exist in %s.", v, r.name)
			}
			q.zones = []zone{z}
		}
	}
	q.types = rq.list("InstanceType")
	if bad := unknown(q.types, func(n string) bool { return c.types[n] != nil }); len(bad) > 0 {
		return q, invalidParam("Value (%s) for parameter instanceType is invalid.", bad[0])
	}
	if len(q.types) == 0 {
		for _, it := range instanceTypeTable {
			q.types = append(q.types, it.Name)
		}
	}
	q.types = sortTypes(q.types)
	if products := rq.list("ProductDescription"); len(products) > 0 {
		if bad := unknown(products, func(p string) bool { return slices.Contains(productDescriptions, p) }); len(bad) > 0 {
			return q, invalidParam("Value (%s) for parameter productDescription is invalid.", bad[0])
		}
		q.linux = slices.Contains(products, productLinux)
	}
	var err error
	if q.from, err = rq.timeParam("StartTime"); err != nil {
		return q, err
	}
	if q.to, err = rq.timeParam("EndTime"); err != nil {
		return q, err
	}
	if !q.from.IsZero() && !q.to.IsZero() && q.from.After(q.to) {
		return q, invalidParam("The start time %s is after the end time %s.", q.from.Format(time.RFC3339), q.to.Format(time.RFC3339))
	}
	// Prices after now are unknown, whatever the caller asks for; a start a
	// little in the future (clock skew) still gets the price in effect now.
	now := rq.now()
	if q.to.IsZero() || q.to.After(now) {
		q.to = now
	}
	if q.from.After(q.to) {
		q.from = q.to
	}
	return q, nil
}
