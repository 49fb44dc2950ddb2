package e2e

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/local/harness"
)

// mutate returns a broken relative of a valid JSON body: half the time a
// field somewhere in the document gets a value of the wrong kind or range
// (which reaches deep into validation), else the text is cut or spliced
// (which exercises the decoder).
func mutate(r *rand.Rand, valid []byte) []byte {
	if r.IntN(2) == 0 {
		var doc any
		_ = json.Unmarshal(valid, &doc)
		setRandom(r, doc)
		out, _ := json.Marshal(doc)
		return out
	}
	s := string(valid)
	at := r.IntN(len(s))
	end := min(len(s), at+r.IntN(20))
	snippets := []string{`"`, `{`, `}`, `[`, `]`, `,`, `:`, `null`, `-1`, `1e999`, `"x"`, `true`, `"\u0000"`, `99999999999999999999`, `{"a":1}`, ``}
	return []byte(s[:at] + snippets[r.IntN(len(snippets))] + s[end:])
}

// oddValues are wrong in kind or range for some field or other.
var oddValues = []any{nil, -1, 0, 1e9, 2.5, "", "UPPER", strings.Repeat("a", 300), []any{}, map[string]any{}, true,
	"10.0.0.0/33", "eu-west-9z", []any{"x", "x"}, map[string]any{"NoSchedule": 1}}

// setRandom walks into doc along random keys and indexes and replaces the
// value it stops at (or adds an unknown field).
func setRandom(r *rand.Rand, doc any) {
	for {
		switch v := doc.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys) // map order would make the run unrepeatable
			if len(keys) == 0 || r.IntN(8) == 0 {
				v["unexpected"] = oddValues[r.IntN(len(oddValues))]
				return
			}
			k := keys[r.IntN(len(keys))]
			if r.IntN(3) == 0 {
				v[k] = oddValues[r.IntN(len(oddValues))]
				return
			}
			doc = v[k]
		case []any:
			if len(v) == 0 {
				return
			}
			i := r.IntN(len(v))
			if r.IntN(3) == 0 {
				v[i] = oddValues[r.IntN(len(oddValues))]
				return
			}
			doc = v[i]
		default:
			return
		}
	}
}

// count lists every item at path, following nextToken.
func (c *client) count(t *testing.T, path string) int {
	t.Helper()
	n, next := 0, ""
	for {
		var page struct {
			Items     []json.RawMessage `json:"items"`
			NextToken string            `json:"nextToken"`
		}
		p := path
		if next != "" {
			p += "?nextToken=" + url.QueryEscape(next)
		}
		c.must(t, http.StatusOK, http.MethodGet, p, nil, &page)
		n += len(page.Items)
		if next = page.NextToken; next == "" {
			return n
		}
	}
}

// TestFuzzedBodies posts a few hundred mutations of valid create bodies:
// no 5xx ever; every 4xx stores nothing (the list is unchanged) and makes
// no AWS call. The account's customer has no `ops` key pair, so a mutant
// the API accepts fails in preflight without creating anything.
func TestFuzzedBodies(t *testing.T) {
	customer := newCustomerAccount(t)
	admin := as(t, "fuzzbodies", "p1", "tenant-admin")
	acc := createAccount(t, admin, map[string]string{"name": "fuzz", "type": "secret",
		"accessKeyId": customer.AccessKeyID, "secretAccessKey": customer.SecretAccessKey})
	var prf struct{ ID string }
	admin.must(t, http.StatusCreated, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("fuzz"), &prf)

	valid := func(v any) []byte { b, _ := json.Marshal(v); return b }
	targets := []struct {
		path string
		body []byte
		n    int
	}{
		{"/v1/clusters", valid(harness.ExampleCluster("fuzzed", acc.ID, prf.ID)), 300},
		{"/v1/cloudaccounts", valid(secretAccount("fuzzed")), 100},
		{"/v1/clusterprofiles", valid(harness.ExampleProfile("fuzzed")), 100},
	}
	r := rand.New(rand.NewPCG(1, 2)) // fixed: a failure replays
	accepted, refused := 0, 0
	for _, tg := range targets {
		before := admin.count(t, tg.path)
		for range tg.n {
			body := mutate(r, tg.body)
			resp := admin.send(t, http.MethodPost, tg.path, body)
			switch {
			case resp.Status >= 500:
				t.Errorf("POST %s = %d for %s: %s", tg.path, resp.Status, body, resp.Body)
			case resp.Status >= 400:
				refused++
				if after := admin.count(t, tg.path); after != before {
					t.Fatalf("a %d for %s changed the %s count %d → %d", resp.Status, body, tg.path, before, after)
				}
			default:
				accepted++
				before++
			}
		}
	}
	// The API Lambda itself never calls the customer's account for a
	// create; only workflows of accepted clusters may.
	var log struct{ Calls []struct{ AppID string } }
	if _, err := cloud.Admin(context.Background(), http.MethodGet, "/calls?account="+customer.AccountID, nil, &log); err != nil {
		t.Fatal(err)
	}
	workflowCalls := 0
	for _, c := range log.Calls {
		if strings.HasPrefix(c.AppID, "lambda.api") {
			t.Errorf("the API Lambda called the customer's account: %+v", c)
		}
		if strings.HasPrefix(c.AppID, "lambda.") {
			workflowCalls++
		}
	}
	if accepted == 0 && workflowCalls > 0 {
		t.Errorf("%d AWS calls although every mutant was refused", workflowCalls)
	}
	t.Logf("%d mutants refused, %d accepted, %d workflow AWS calls", refused, accepted, workflowCalls)
}
