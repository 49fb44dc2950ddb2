package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/clusterforge/clusterforge/shared/api"
)

// TestSampleEvents keeps events/ (for `make invoke`) honest: one sample per
// route, each handled without a fault and within the contract.
func TestSampleEvents(t *testing.T) {
	h := newHarness(t)
	files, err := filepath.Glob("../../events/api-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !slices.Contains(api.Routes(), ev.RouteKey) {
			t.Errorf("%s: route key %q is not a route", f, ev.RouteKey)
		}
		covered[ev.RouteKey] = true
		resp, err := h.handler.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %v %s", f, resp.StatusCode, err, resp.Body)
		}
		if err := contract.ValidateEvent(context.Background(), ev, resp); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, key := range api.Routes() {
		if !covered[key] {
			t.Errorf("no sample event for %s", key)
		}
	}
}
