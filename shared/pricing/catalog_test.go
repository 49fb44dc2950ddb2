package pricing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

func TestDefaultCatalogContents(t *testing.T) {
	c := pricing.Default()
	wantRegions := []string{"ap-northeast-1", "ap-southeast-1", "eu-central-1", "eu-west-1", "us-east-1", "us-east-2", "us-west-2"}
	if got := c.Regions(); !slices.Equal(got, wantRegions) {
		t.Errorf("regions %v", got)
	}
	wantTypes := []string{"c5.large", "c5.xlarge", "g4dn.2xlarge", "g4dn.xlarge", "m5.2xlarge", "m5.4xlarge", "m5.large", "m5.xlarge",
		"m6i.large", "m6i.xlarge", "p3.2xlarge", "r5.large", "t3.large", "t3.medium", "t3.micro", "t3.small", "t3.xlarge"}
	if got := c.InstanceTypes(); !slices.Equal(got, wantTypes) {
		t.Errorf("instance types %v", got)
	}
	if got := c.AZs("ap-northeast-1"); !slices.Equal(got, []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}) {
		t.Errorf("ap-northeast-1 has no 1b for new accounts; got %v", got)
	}
	for _, r := range c.Regions() {
		for _, az := range c.AZs(r) {
			if !strings.HasPrefix(az, r) {
				t.Errorf("%s lists AZ %s", r, az)
			}
		}
	}
}

func TestDefaultCatalogFacts(t *testing.T) {
	c := pricing.Default()
	if info, ok := c.InstanceType("g4dn.xlarge"); !ok || info != (domain.InstanceTypeInfo{VCPUs: 4, MemoryMiB: 16384, GPUs: 1}) {
		t.Errorf("g4dn.xlarge = %+v, %v", info, ok)
	}
	if _, ok := c.InstanceType("m5.huge"); ok {
		t.Error("unknown type reported known")
	}
	for _, tc := range []struct {
		region, it string
		want       float64
	}{{"us-east-1", "m5.large", 0.096}, {"eu-west-1", "m5.large", 0.107}, {"us-east-1", "p3.2xlarge", 3.06}, {"eu-west-1", "t3.micro", 0.0114}} {
		if got, ok := c.OnDemandHourly(tc.region, tc.it); !ok || got != tc.want {
			t.Errorf("OnDemandHourly(%s, %s) = %v, want %v", tc.region, tc.it, got, tc.want)
		}
	}
	rp, ok := c.RegionPrices("us-east-1")
	if !ok || rp.NATGatewayHourly != 0.045 || rp.NATGatewayPerGB != 0.045 || rp.NLBHourly != 0.0225 || rp.PublicIPv4Hourly != 0.005 || rp.EBSGp3PerGBMonth != 0.08 {
		t.Errorf("us-east-1 prices %+v", rp)
	}
	for _, r := range c.Regions() {
		if rp, _ := c.RegionPrices(r); rp.EKSClusterHourly != 0.10 {
			t.Errorf("%s: EKS cluster %v per hour, want 0.10 (standard support)", r, rp.EKSClusterHourly)
		}
	}
	if _, ok := c.RegionPrices("mars-north-1"); ok {
		t.Error("unknown region has prices")
	}
	if !c.Offered("eu-west-1", "eu-west-1c", "p3.2xlarge") || c.Offered("eu-west-1", "us-east-1a", "m5.large") || c.Offered("eu-west-1", "eu-west-1a", "m5.huge") {
		t.Error("Offered: every known type in every known AZ of the region, nothing else")
	}
}

func TestParseRejectsIncompleteCatalogues(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":      `{`,
		"empty":         `{}`,
		"no azs":        `{"instanceTypes":{"t3.micro":{"vcpus":2,"memoryMiB":1024}},"regions":{"r":{"natGatewayHourly":1,"natGatewayPerGB":1,"nlbHourly":1,"nlbLCUHourly":1,"publicIPv4Hourly":1,"ebsGp3PerGBMonth":1,"onDemandHourly":{"t3.micro":1}}}}`,
		"missing price": `{"instanceTypes":{"t3.micro":{"vcpus":2,"memoryMiB":1024}},"regions":{"r":{"azs":["ra"],"natGatewayHourly":1,"natGatewayPerGB":1,"nlbHourly":1,"nlbLCUHourly":1,"publicIPv4Hourly":1,"ebsGp3PerGBMonth":1,"onDemandHourly":{}}}}`,
		"zero nat":      `{"instanceTypes":{"t3.micro":{"vcpus":2,"memoryMiB":1024}},"regions":{"r":{"azs":["ra"],"natGatewayPerGB":1,"nlbHourly":1,"nlbLCUHourly":1,"publicIPv4Hourly":1,"ebsGp3PerGBMonth":1,"onDemandHourly":{"t3.micro":1}}}}`,
		"bad type":      `{"instanceTypes":{"t3.micro":{"vcpus":0,"memoryMiB":1024}},"regions":{"r":{"azs":["ra"],"natGatewayHourly":1,"natGatewayPerGB":1,"nlbHourly":1,"nlbLCUHourly":1,"publicIPv4Hourly":1,"ebsGp3PerGBMonth":1,"onDemandHourly":{"t3.micro":1}}}}`,
	} {
		if _, err := pricing.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// The returned slices are copies: a caller can't corrupt the shared catalogue.
func TestAZsAreCopies(t *testing.T) {
	c := pricing.Default()
	azs := c.AZs("us-east-1")
	azs[0] = "x"
	if c.AZs("us-east-1")[0] != "us-east-1a" {
		t.Error("AZs returned the catalogue's own slice")
	}
}
