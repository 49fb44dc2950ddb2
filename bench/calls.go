package main

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"
)

// call is one entry of GET {admin}/calls.
type call struct {
	Time      time.Time `json:"time"`
	Account   string    `json:"account"`
	Service   string    `json:"service"`
	Action    string    `json:"action"`
	Status    int       `json:"status"`
	ErrorCode string    `json:"errorCode"`
	AppID     string    `json:"appId"`
}

// callLog is the router's call log (the newest 100,000 calls) with its
// per-action counts, which are never dropped.
type callLog struct {
	Calls  []call `json:"calls"`
	Counts []struct {
		Account string `json:"account"`
		Calls   int    `json:"calls"`
	} `json:"counts"`
	Throttled map[string]int64 `json:"throttled"`
}

// total counts every call to account; only the service calls a customer
// account during a scale run, so there it is the service's count.
func (l callLog) total(account string) int {
	n := 0
	for _, c := range l.Counts {
		if c.Account == account {
			n += c.Calls
		}
	}
	return n
}

func (s *session) calls(ctx context.Context) (callLog, error) {
	var log callLog
	_, err := s.cloud.Admin(ctx, http.MethodGet, "/calls", nil, &log)
	return log, err
}

func (s *session) resetCalls(ctx context.Context) error {
	_, err := s.cloud.Admin(ctx, http.MethodDelete, "/calls", nil, nil)
	return err
}

// function is the Lambda function that made the call ("" for anyone else:
// the bench's own client, Step Functions, the scheduler). The runner sets
// each process's SDK app id to lambda.<fn>.<n>.
func (c call) function() string {
	if !strings.HasPrefix(c.AppID, "lambda.") {
		return ""
	}
	fn := strings.TrimPrefix(c.AppID, "lambda.")
	if i := strings.LastIndexByte(fn, '.'); i > 0 {
		fn = fn[:i]
	}
	return fn
}

func (c call) key() string { return c.Service + ":" + c.Action }

func (c call) throttled() bool {
	return c.ErrorCode == "RequestLimitExceeded" || strings.Contains(c.ErrorCode, "Throttl")
}

// readOnly is AWS's own split: Describe*/Get*/List* do not change anything.
func readOnly(action string) bool {
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// filter keeps the calls for which keep is true.
func filter(calls []call, keep func(call) bool) []call {
	var out []call
	for _, c := range calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// serviceCallsIn are the service's own calls (made by a Lambda) to account
// in [from, to).
func serviceCallsIn(calls []call, account string, from, to time.Time) []call {
	return filter(calls, func(c call) bool {
		return c.Account == account && c.function() != "" && !c.Time.Before(from) && c.Time.Before(to)
	})
}

// Count is one row of a by-action table.
type Count struct {
	Name  string `json:"name"`
	Calls int    `json:"calls"`
}

// countBy groups calls by key and sorts the largest first.
func countBy(calls []call, key func(call) string) []Count {
	m := map[string]int{}
	for _, c := range calls {
		m[key(c)]++
	}
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].Name < out[j].Name
	})
	return out
}
