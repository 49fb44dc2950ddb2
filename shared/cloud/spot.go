package cloud

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// productLinux is the spot price series of Linux instances.
const productLinux = "Linux/UNIX"

// errSpotOutOfRange says no AZ is left whose spot price is within the
// pool's max price: the pool waits and the workflow checks again later.
var errSpotOutOfRange = errors.New("spot price out of range in every AZ")

// spotMarket is a spot pool's view of the market at launch time.
type spotMarket struct {
	maxPrice float64
	current  map[string]float64 // az → current price; absent: no price
	inRange  []string           // AZs whose price ≤ maxPrice, in pool order
}

// spotMarket reads the pool's max price and the current price per AZ.
func (s *ComputeService) spotMarket(ctx context.Context, pool domain.NodePoolSpec, azs []string) (spotMarket, error) {
	if s.prices == nil {
		return spotMarket{}, fmt.Errorf("spot pool %s: no on-demand price list configured", pool.Name)
	}
	onDemand, ok := s.prices.OnDemandHourly(s.scope.Region, pool.InstanceType)
	if !ok {
		return spotMarket{}, fmt.Errorf("spot pool %s: no on-demand price for %s in %s", pool.Name, pool.InstanceType, s.scope.Region)
	}
	m := spotMarket{maxPrice: domain.SpotMaxPrice(onDemand, pool.Capacity.SpotMaxPricePercent)}
	var err error
	if m.current, err = s.currentSpotPrices(ctx, pool.InstanceType); err != nil {
		return spotMarket{}, fmt.Errorf("spot pool %s: %w", pool.Name, err)
	}
	m.inRange = domain.SpotAZsInRange(m.current, m.maxPrice, azs)
	return m, nil
}

// currentSpotPrices is the latest Linux/UNIX spot price per AZ. Asking
// for the window [now, now] makes EC2 answer the price in effect now in
// each AZ — one point per AZ instead of days of history.
func (s *ComputeService) currentSpotPrices(ctx context.Context, instanceType string) (map[string]float64, error) {
	now := s.now()
	in := &ec2.DescribeSpotPriceHistoryInput{
		InstanceTypes: []ec2types.InstanceType{ec2types.InstanceType(instanceType)}, ProductDescriptions: []string{productLinux},
		StartTime: aws.Time(now), EndTime: aws.Time(now),
	}
	latest := map[string]ec2types.SpotPrice{}
	p := ec2.NewDescribeSpotPriceHistoryPaginator(s.ec2, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe spot price history of %s: %w", instanceType, err)
		}
		for _, sp := range page.SpotPriceHistory {
			az := aws.ToString(sp.AvailabilityZone)
			if prev, ok := latest[az]; !ok || aws.ToTime(sp.Timestamp).After(aws.ToTime(prev.Timestamp)) {
				latest[az] = sp
			}
		}
	}
	out := make(map[string]float64, len(latest))
	for az, sp := range latest {
		price, err := strconv.ParseFloat(aws.ToString(sp.SpotPrice), 64)
		if err != nil {
			return nil, fmt.Errorf("spot price %q of %s in %s: %w", aws.ToString(sp.SpotPrice), instanceType, az, err)
		}
		out[az] = price
	}
	return out, nil
}

// waitMessage explains why a spot pool waits, e.g. "current 0.2104 > max
// 0.1578 in every AZ": the cheapest current price of the pool's AZs, since
// that is the one that has to fall.
func (m spotMarket) waitMessage(azs []string) string {
	lowest, found := 0.0, false
	for _, az := range azs {
		if p, ok := m.current[az]; ok && (!found || p < lowest) {
			lowest, found = p, true
		}
	}
	switch {
	case !found:
		return fmt.Sprintf("no spot price in %s (max %s)", strings.Join(azs, ", "), domain.FormatSpotPrice(m.maxPrice))
	case lowest <= m.maxPrice: // in range when read, refused at launch
		return fmt.Sprintf("price rose above max %s in every AZ while launching", domain.FormatSpotPrice(m.maxPrice))
	}
	return fmt.Sprintf("current %s > max %s in every AZ", domain.FormatSpotPrice(lowest), domain.FormatSpotPrice(m.maxPrice))
}

// spotWaitStatus is the answer of a spot pool that launched nothing new.
func spotWaitStatus(status NodesStatus, msg string) NodesStatus {
	status.WaitingForSpotPrice, status.SpotMessage = true, msg
	status.Message = fmt.Sprintf("%d/%d nodes running; waiting for spot price: %s", status.Done, status.Total, msg)
	return status
}
