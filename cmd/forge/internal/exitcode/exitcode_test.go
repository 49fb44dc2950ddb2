package exitcode

import (
	"errors"
	"fmt"
	"testing"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
)

func TestOf(t *testing.T) {
	api := func(status int, code, msg string) error {
		// Wrapped, as commands return them.
		return fmt.Errorf("create cluster: %w", &client.APIError{Status: status, Code: code, Message: msg})
	}
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"400", api(400, "invalid_request", "bad"), BadInput},
		{"422 credentials", api(422, "credentials_rejected", "no"), BadInput},
		{"404 object", api(404, "not_found", "cluster not found"), NotFound},
		{"404 route", api(404, "not_found", "no route for GET /v1/x"), Server},
		{"404 gateway", api(404, "", "Not Found"), Server},
		{"405", api(405, "method_not_allowed", "GET is not allowed"), Server},
		{"409", api(409, "ForceDeleteNotAvailable", "later"), Conflict},
		{"401", api(401, "", "Unauthorized"), Auth},
		{"403", api(403, "forbidden", "role"), Auth},
		{"429", api(429, "throttled", "slow down"), Server},
		{"500", api(500, "internal", "oops"), Server},
		{"network", &client.NetworkError{Endpoint: "http://x", Err: errors.New("refused")}, Server},
		{"usage", Wrap(Usage, errors.New("unknown flag")), Usage},
		{"explicit over api", Wrap(Failed, api(400, "x", "y")), Failed},
		{"other", errors.New("boom"), Failed},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of = %d, want %d", c.name, got, c.want)
		}
	}
}
