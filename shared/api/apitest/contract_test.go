package apitest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/api/apitest"
)

type collect struct{ errs []string }

func (c *collect) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func TestTransportReportsViolations(t *testing.T) {
	cv, err := apitest.NewContractValidator()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/cloudaccounts/externalid":
			fmt.Fprint(w, `{"externalId":"cf-x","platformAccountId":"111111111111"}`)
		case "/v1/clusterprofiles":
			fmt.Fprint(w, `{"items":[{"id":"prf-1"}]}`) // breaks ClusterProfile
		default: // accepts anything, even what the contract rejects
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":"acc-01jh3k4m5n6p7q8r9s0t1v2w3x","name":"a","type":"sts","version":1,"createdAt":"2025-01-01T00:00:00Z"}`)
		}
	}))
	defer srv.Close()

	var got collect
	client := &http.Client{Transport: cv.Transport(nil, &got)}
	get := func(path string) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("/v1/cloudaccounts/externalid")
	if len(got.errs) != 0 {
		t.Fatalf("valid exchange reported: %v", got.errs)
	}
	get("/v1/clusterprofiles")
	if len(got.errs) != 1 || !strings.Contains(got.errs[0], "response breaks the contract") {
		t.Fatalf("bad response not reported: %v", got.errs)
	}
	resp, err := client.Post(srv.URL+"/v1/cloudaccounts", "application/json", strings.NewReader(`{"name":"a","type":"sts","roleArn":"nope"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got.errs) != 2 || !strings.Contains(got.errs[1], "contract rejects the request") {
		t.Fatalf("accepted bad request not reported: %v", got.errs)
	}
}
