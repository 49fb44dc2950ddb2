package launcher

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/clusterforge/clusterforge/local/faults"
)

// adminHandlers mounts the local cloud's controls on the admin endpoint
// (see local/CONTRACTS.md): fault injection, call accounting, the clock,
// account quotas and spot prices, and new simulated accounts.
func (c *Cloud) adminHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /faults":         http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, c.Faults.Rules()) }),
		"POST /faults":        http.HandlerFunc(c.addFault),
		"DELETE /faults":      http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Faults.Clear(); w.WriteHeader(http.StatusNoContent) }),
		"DELETE /faults/{id}": http.HandlerFunc(c.removeFault),
		"GET /calls":          http.HandlerFunc(c.listCalls),
		"DELETE /calls": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.Calls.Reset()
			c.Limits.Reset()
			w.WriteHeader(http.StatusNoContent)
		}),
		"GET /clock":                       http.HandlerFunc(c.clock),
		"PUT /accounts/{id}/quotas":        http.HandlerFunc(c.setQuotas),
		"PUT /accounts/{id}/spotprices":    http.HandlerFunc(c.setSpotPrice),
		"DELETE /accounts/{id}/spotprices": http.HandlerFunc(c.clearSpotPrice),
		"GET /accounts/{id}/inventory":     http.HandlerFunc(c.inventory),
		"POST /accounts":                   http.HandlerFunc(c.addAccount),
		"POST /ratelimits":                 http.HandlerFunc(c.setRateLimits),
		// Read-only: the benchmarks read Step Functions history with the
		// platform account's keys (the service's own view, not in the contract).
		"GET /platform": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"accountId": c.platform.ID, "region": Region,
				"accessKeyId": c.platform.AdminKey, "secretAccessKey": c.platform.AdminSecret})
		}),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func badRequest(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "BadRequest", "message": err.Error()}})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid body: %w", err)
	}
	return nil
}

func (c *Cloud) addFault(w http.ResponseWriter, r *http.Request) {
	var rule faults.Rule
	if err := decode(r, &rule); err != nil {
		badRequest(w, err)
		return
	}
	added, err := c.Faults.Add(rule)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (c *Cloud) removeFault(w http.ResponseWriter, r *http.Request) {
	if !c.Faults.Remove(r.PathValue("id")) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]string{"code": "NotFound", "message": "no such fault rule"}})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listCalls answers the call log and the counts; ?account= narrows both.
func (c *Cloud) listCalls(w http.ResponseWriter, r *http.Request) {
	account := r.URL.Query().Get("account")
	out := struct {
		Calls     []any            `json:"calls"`
		Counts    []any            `json:"counts"`
		Throttled map[string]int64 `json:"throttled"`
	}{Throttled: map[string]int64{}}
	for _, call := range c.Calls.Calls() {
		if account == "" || call.Account == account {
			out.Calls = append(out.Calls, call)
		}
	}
	for _, n := range c.Calls.Counts() {
		if account == "" || n.Account == account {
			out.Counts = append(out.Counts, n)
		}
	}
	for class, n := range c.Limits.Throttled() {
		out.Throttled[string(class)] = n
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *Cloud) clock(w http.ResponseWriter, _ *http.Request) {
	aws := map[string]float64{}
	for k, d := range c.Latency.Durations() {
		aws[string(k)] = d.Seconds()
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"scale":            c.Latency.Scale(),
		"wallStart":        c.Latency.Started().UTC().Format(time.RFC3339Nano),
		"wallSeconds":      time.Since(c.Latency.Started()).Seconds(),
		"simulatedSeconds": c.Latency.SimulatedSince(c.Latency.Started()).Seconds(),
		"awsLatencies":     aws,
	})
}

func (c *Cloud) setQuotas(w http.ResponseWriter, r *http.Request) {
	var body map[string]int
	if err := decode(r, &body); err != nil {
		badRequest(w, err)
		return
	}
	region := r.URL.Query().Get("region")
	svc := c.EC2(r.PathValue("id"))
	for code, v := range body {
		svc.SetQuota(region, code, v)
	}
	w.WriteHeader(http.StatusNoContent)
}

type spotPrice struct {
	Region       string  `json:"region"`
	InstanceType string  `json:"instanceType"`
	AZ           string  `json:"az"`
	Price        float64 `json:"price"`
}

// setSpotPrice pins the simulated spot price (for every account: the market
// is regional, not per account).
func (c *Cloud) setSpotPrice(w http.ResponseWriter, r *http.Request) {
	var p spotPrice
	if err := decode(r, &p); err != nil || p.Region == "" || p.InstanceType == "" || p.Price <= 0 {
		badRequest(w, fmt.Errorf("need region, instanceType and a positive price (az optional): %v", err))
		return
	}
	c.Catalog.SetSpotPrice(p.Region, p.AZ, p.InstanceType, p.Price)
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) clearSpotPrice(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c.Catalog.ClearSpotPrice(q.Get("region"), q.Get("az"), q.Get("instanceType"))
	w.WriteHeader(http.StatusNoContent)
}

// inventory lists the account's EC2 resources and its EKS clusters, node
// groups and Fargate profiles.
func (c *Cloud) inventory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	writeJSON(w, http.StatusOK, append(c.EC2(id).Inventory(), c.EKS(id).Inventory()...))
}

func (c *Cloud) addAccount(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID   string `json:"accountId"`
		Name string `json:"name"`
	}
	if err := decode(r, &body); err != nil || len(body.ID) != 12 {
		badRequest(w, fmt.Errorf("need a 12-digit accountId: %v", err))
		return
	}
	if _, exists := c.Accounts.Account(body.ID); exists {
		writeJSON(w, http.StatusConflict, map[string]any{"error": map[string]string{"code": "Conflict", "message": "account exists"}})
		return
	}
	a, err := c.AddAccount(r.Context(), body.ID, body.Name)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]string{"code": "InternalError", "message": err.Error()}})
		return
	}
	writeJSON(w, http.StatusCreated, Customer{AccountID: a.ID, AccessKeyID: a.AdminKey, SecretAccessKey: a.AdminSecret})
}

func (c *Cloud) setRateLimits(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Enabled bool `json:"enabled"`
	}
	if err := decode(r, &body); err != nil {
		badRequest(w, err)
		return
	}
	c.Limits.SetEnabled(body.Enabled)
	w.WriteHeader(http.StatusNoContent)
}
