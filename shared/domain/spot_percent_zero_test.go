package domain_test

import (
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestExplicitZeroSpotPercents(t *testing.T) {
	body := []byte(`{"nodePools":[{"name":"a"},{"name":"b","capacity":{"type":"spot"}},
		{"name":"c","capacity":{"type":"spot","spotMaxPricePercent":0}},
		{"name":"d","capacity":{"type":"onDemand","spotMaxPricePercent":0.0}},
		{"name":"e","capacity":{"type":"spot","spotMaxPricePercent":null}},
		{"name":"f","capacity":{"type":"spot","spotMaxPricePercent":60}}]}`)
	got := domain.ExplicitZeroSpotPercents(body)
	if len(got) != 2 || got[0].Field != "nodePools[2].capacity.spotMaxPricePercent" || got[1].Field != "nodePools[3].capacity.spotMaxPricePercent" {
		t.Fatalf("got %+v, want pools 2 and 3", got)
	}
}
