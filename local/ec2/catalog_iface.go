package ec2

import (
	"net/http"
	"net/url"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// Catalog is the read-only knowledge of the simulated AWS partition: regions,
// zones, images, instance types and prices. It is written in local/ec2/catalog;
// the Service only consults it, so that tests can substitute a small fake.
type Catalog interface {
	// ServeAction answers a read-only catalog action; false if action is not one.
	ServeAction(w http.ResponseWriter, call awsproto.Call, form url.Values) bool
	AZs(region string) []string      // zone names, e.g. us-east-1a
	ZoneID(region, az string) string // e.g. use1-az1
	ImageExists(region, imageID string) bool
	InstanceTypeVCPUs(instanceType string) (int, bool) // false: unknown type
	Offered(region, az, instanceType string) bool
	SpotPrice(region, az, instanceType string, at time.Time) float64 // USD/hour
}
