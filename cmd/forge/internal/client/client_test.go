package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestErrorEnvelope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"code":"invalid_request","message":"must be one of [NoSchedule]","field":"nodePools[1].taints[0].effect",
			"details":[{"field":"nodePools[1].taints[0].effect","message":"must be one of [NoSchedule]"},{"field":"name","message":"too long"}]}}`)
	}))
	defer srv.Close()
	_, err := New(srv.URL, "tok").Do(context.Background(), http.MethodPost, "/v1/clusters", map[string]string{}, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Path != "/v1/clusters" {
		t.Fatalf("err = %#v", err)
	}
	want := "nodePools[1].taints[0].effect: must be one of [NoSchedule]\n  name: too long"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestGatewayAndTextErrors(t *testing.T) {
	for body, want := range map[string]string{`{"message":"Unauthorized"}`: "Unauthorized", "bad gateway\n": "bad gateway", "": "unauthorized"} {
		e := decodeError(401, "GET", "/v1/x", []byte(body))
		if e.Error() != want {
			t.Errorf("decodeError(%q) = %q, want %q", body, e.Error(), want)
		}
	}
	if !decodeError(404, "GET", "/x", []byte(`{"message":"Not Found"}`)).RouteMissing() {
		t.Error("gateway 404 is a missing route")
	}
	if decodeError(404, "GET", "/x", []byte(`{"error":{"code":"not_found","message":"cluster not found"}}`)).RouteMissing() {
		t.Error("a missing cluster is not a missing route")
	}
}

// TestRetrySameIdempotencyKey: a 503 is retried, and every attempt of one
// mutation carries the same Idempotency-Key, so the server can dedupe.
func TestRetrySameIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		n := len(keys)
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("auth header %q", r.Header.Get("Authorization"))
		}
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"id":"clu-1","status":"Provisioning"}`)
	}))
	defer srv.Close()
	c := New(srv.URL, "tok")
	c.Backoff = time.Millisecond
	var cl Cluster
	raw, err := c.Do(context.Background(), http.MethodPost, "/v1/clusters", map[string]string{"name": "x"}, &cl)
	if err != nil || cl.ID != "clu-1" || !strings.Contains(string(raw), "Provisioning") {
		t.Fatalf("Do = %s, %+v, %v", raw, cl, err)
	}
	if len(keys) != 3 || keys[0] == "" || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Errorf("idempotency keys over the attempts: %q", keys)
	}
}

func TestListAllFollowsNextToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("nextToken") {
		case "":
			fmt.Fprint(w, `{"items":[{"id":"a"},{"id":"b"}],"nextToken":"p2"}`)
		case "p2":
			fmt.Fprint(w, `{"items":[{"id":"c"}]}`)
		}
	}))
	defer srv.Close()
	items, err := New(srv.URL, "tok").ListAll(context.Background(), "/v1/clusters")
	if err != nil || len(items) != 3 {
		t.Fatalf("ListAll = %d items, %v", len(items), err)
	}
	got, err := DecodeAll[struct{ ID string }](items)
	if err != nil || got[2].ID != "c" {
		t.Errorf("DecodeAll = %+v, %v", got, err)
	}
}

func TestNetworkError(t *testing.T) {
	c := New("http://127.0.0.1:1", "tok")
	c.Retries = 0
	_, err := c.Do(context.Background(), http.MethodGet, "/v1/clusters", nil, nil)
	var netErr *NetworkError
	if !errors.As(err, &netErr) || !strings.Contains(err.Error(), "cannot reach the API at http://127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
}
