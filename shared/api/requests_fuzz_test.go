package api_test

import (
	"testing"
)

// The handler fuzzers send whole requests through api.Handler with a fake
// store and fake workflows: any body answers below 500 (the harness fails
// a 5xx and checks the OpenAPI contract), and a refused body leaves no
// trace — nothing listed, no workflow started. Seeds are in
// testdata/fuzz/<Fuzz…>.

// listed counts what GET path lists for the harness's project.
func listed(h *harness, path string) int {
	items, _ := h.must(200, call{method: "GET", path: path, claims: acmeAdmin}).json["items"].([]any)
	return len(items)
}

// refusedLeavesNoTrace posts body to path and, when it is refused, checks
// the list at path and the workflow starts did not change.
func refusedLeavesNoTrace(t *testing.T, ch *clusterHarness, path, body string) {
	t.Helper()
	before, starts := listed(ch.harness, path), len(ch.exec.starts)
	r := ch.do(call{method: "POST", path: path, body: body, claims: acmeAdmin})
	if r.status < 400 {
		return
	}
	if after := listed(ch.harness, path); after != before || len(ch.exec.starts) != starts {
		t.Fatalf("a %d for %q stored %d → %d items, started %d → %d workflows", r.status, body, before, after, starts, len(ch.exec.starts))
	}
	if field, code := r.errorField(); code == "" {
		t.Fatalf("a %d without an error code (field %q): %s", r.status, field, r.body)
	}
}

func FuzzCreateClusterRequest(f *testing.F) {
	f.Add(`{}`)
	f.Add(`{"name":"x","nodePools":[{"name":"cp","controlPlane":true,"size":1,"instanceType":"m5.large"}]}`)
	f.Add(`[1,2]`)
	f.Add(`{"name":"prod-eu","region":"eu-west-1","placement":{"type":"dynamic","azs":["eu-west-1a"],"natGateways":"single"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		ch := newClusterHarness(t)
		refusedLeavesNoTrace(t, ch, "/v1/clusters", body)
	})
}

// FuzzCreateClusterFromExample mutates the example cluster: its JSON with
// one span replaced, which reaches far deeper into validation than bytes
// from nothing.
func FuzzCreateClusterFromExample(f *testing.F) {
	f.Add(0, 0, "")
	f.Add(10, 4, `"Prod"`)
	f.Add(200, 30, `{"type":"static"}`)
	f.Fuzz(func(t *testing.T, at, drop int, insert string) {
		ch := newClusterHarness(t)
		body := ch.body(nil)
		at = min(max(at, 0), len(body))
		drop = min(max(drop, 0), len(body)-at)
		refusedLeavesNoTrace(t, ch, "/v1/clusters", body[:at]+insert+body[at+drop:])
	})
}

func FuzzCreateCloudAccountRequest(f *testing.F) {
	f.Add(secretAccountBody("prod"))
	f.Add(stsAccountBody("prod"))
	f.Add(`{"name":"prod","type":"sts","roleArn":"arn:aws:iam::12:role/x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		ch := newClusterHarness(t)
		refusedLeavesNoTrace(t, ch, "/v1/cloudaccounts", body)
	})
}
