package catalog

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSpotPriceRange walks every offered series over four days: prices stay
// within 25–45% of the regional on-demand price, move, and differ by zone.
func TestSpotPriceRange(t *testing.T) {
	c := New()
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, region := range Regions() {
		for _, it := range InstanceTypes() {
			od, ok := c.OnDemandPrice(region, it.Name)
			if !ok || od < it.OnDemandUSD {
				t.Fatalf("OnDemandPrice(%s, %s) = %v, %v", region, it.Name, od, ok)
			}
			distinct := map[float64]bool{}
			for h := range 96 {
				at := start.Add(time.Duration(h) * time.Hour)
				zonePrices := map[float64]bool{}
				for _, az := range c.AZs(region) {
					if !c.Offered(region, az, it.Name) {
						if p := c.SpotPrice(region, az, it.Name, at); p != 0 {
							t.Errorf("%s %s not offered but priced %v", az, it.Name, p)
						}
						continue
					}
					p := c.SpotPrice(region, az, it.Name, at)
					if p < 0.25*od || p > 0.45*od {
						t.Fatalf("%s %s at %s: %v outside 25–45%% of %v", az, it.Name, at, p, od)
					}
					zonePrices[p], distinct[p] = true, true
				}
				if len(zonePrices) < 2 {
					t.Fatalf("%s %s at %s: every zone has the same price", region, it.Name, at)
				}
			}
			if len(distinct) < 24 {
				t.Errorf("%s %s: only %d distinct prices in four days", region, it.Name, len(distinct))
			}
		}
	}
}

func TestSpotPricePinned(t *testing.T) {
	c, ec := setup(t, "us-east-1")
	current := func() map[string]float64 {
		t.Helper()
		now := time.Now().UTC()
		out, err := ec.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{
			InstanceTypes:       []types.InstanceType{"m5.large"},
			ProductDescriptions: []string{"Linux/UNIX"},
			StartTime:           aws.Time(now),
			EndTime:             aws.Time(now),
		})
		noErr(t, err)
		prices := map[string]float64{}
		for _, sp := range out.SpotPriceHistory {
			az := aws.ToString(sp.AvailabilityZone)
			if _, dup := prices[az]; dup {
				t.Errorf("two current prices for %s", az)
			}
			p, err := strconv.ParseFloat(aws.ToString(sp.SpotPrice), 64)
			noErr(t, err)
			// The API and SpotPrice agree on the price in effect at that time.
			if want := c.SpotPrice("us-east-1", az, "m5.large", aws.ToTime(sp.Timestamp)); p != want {
				t.Errorf("%s: API %v, SpotPrice %v", az, p, want)
			}
			prices[az] = p
		}
		if len(prices) != 6 {
			t.Fatalf("current prices for %d zones, want 6: %v", len(prices), prices)
		}
		return prices
	}
	// current checks every answer against SpotPrice, so what is left to
	// check is that pins land where they should.
	current()
	c.SetSpotPrice("us-east-1", "us-east-1b", "m5.large", 0.5)
	if pinned := current(); pinned["us-east-1b"] != 0.5 || pinned["us-east-1a"] == 0.5 {
		t.Errorf("zone pin: %v", pinned)
	}
	c.SetSpotPrice("us-east-1", "", "m5.large", 0.01)
	for az, p := range current() {
		if p != 0.01 {
			t.Errorf("region pin: %s at %v", az, p)
		}
	}
	c.ClearSpotPrice("us-east-1", "", "m5.large")
	for az, p := range current() {
		if od, _ := c.OnDemandPrice("us-east-1", "m5.large"); p < 0.25*od || p > 0.45*od {
			t.Errorf("after clearing: %s at %v, not back on the curve", az, p)
		}
	}
}

func TestSpotPriceHistory(t *testing.T) {
	_, ec := setup(t, "us-east-1")
	out, err := ec.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{
		InstanceTypes: []types.InstanceType{"g4dn.2xlarge", "m5.large"},
	})
	noErr(t, err)
	perSeries := map[string]int{}
	var last time.Time
	for i, sp := range out.SpotPriceHistory {
		if sp.ProductDescription != types.RIProductDescriptionLinuxUnix {
			t.Errorf("product %q", sp.ProductDescription)
		}
		if ts := aws.ToTime(sp.Timestamp); i > 0 && ts.After(last) {
			t.Errorf("history not newest first at %d", i)
		} else {
			last = ts
		}
		perSeries[aws.ToString(sp.AvailabilityZone)+" "+string(sp.InstanceType)]++
	}
	// Six zones for m5.large, five for g4dn.2xlarge (not in us-east-1e),
	// each with the current price and a few past points.
	if len(perSeries) != 11 || perSeries["us-east-1e g4dn.2xlarge"] != 0 {
		t.Errorf("series: %v", perSeries)
	}
	for series, n := range perSeries {
		if n != spotRecentPoints {
			t.Errorf("%s: %d points, want %d", series, n, spotRecentPoints)
		}
	}

	// A six-hour window in one zone: the price in effect at the start plus
	// each hourly change since.
	end := time.Now().UTC()
	out, err = ec.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{
		InstanceTypes:    []types.InstanceType{"m5.large"},
		AvailabilityZone: aws.String("us-east-1c"),
		StartTime:        aws.Time(end.Add(-6 * time.Hour)),
		EndTime:          aws.Time(end),
	})
	noErr(t, err)
	if n := len(out.SpotPriceHistory); n != 7 {
		t.Errorf("six-hour window: %d points, want 7", n)
	}
	for _, sp := range out.SpotPriceHistory {
		if aws.ToString(sp.AvailabilityZone) != "us-east-1c" || aws.ToString(sp.AvailabilityZoneId) != "use1-az3" {
			t.Errorf("zone %s/%s", aws.ToString(sp.AvailabilityZone), aws.ToString(sp.AvailabilityZoneId))
		}
	}

	_, err = ec.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{AvailabilityZone: aws.String("us-east-1z")})
	wantCode(t, err, "InvalidParameterValue")
	windows, err := ec.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{ProductDescriptions: []string{"Windows"}})
	noErr(t, err)
	if len(windows.SpotPriceHistory) != 0 {
		t.Errorf("Windows history has %d points; only Linux/UNIX is priced", len(windows.SpotPriceHistory))
	}
}
