package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// serve runs the catalogue behind a minimal stand-in for local/ec2: parse the
// signed request, hand catalogue actions over, refuse the rest.
func serve(t *testing.T, c *Catalog) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call, err := awsproto.Parse(r)
		if err != nil {
			awsproto.WriteError(w, awsproto.Call{Protocol: awsproto.ProtocolEC2Query},
				awsproto.Errorf(http.StatusForbidden, "AuthFailure", "%v", err))
			return
		}
		form, err := awsproto.ReadForm(r)
		if err != nil {
			awsproto.WriteError(w, call, err)
			return
		}
		if !c.ServeAction(w, call, form) {
			awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "%s is not a catalogue action", call.Action))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// client is an aws-sdk-go-v2 EC2 client for one region of the test server.
// It keeps the SDK's default retryer: besides throttling it retries
// net.ErrClosed (aws/aws-sdk-go-v2#2737), a read on a keep-alive connection the
// SDK's own transport closed. Without retries that fails about one run in
// twenty with the SDK's default HTTP client, never with a plain net/http one
// against the same server. API errors (InvalidParameterValue, …) are not retried.
func client(t *testing.T, url, region string) *ec2.Client {
	t.Helper()
	return ec2.New(ec2.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", ""),
	})
}

// setup returns a fresh catalogue and a client for region.
func setup(t *testing.T, region string) (*Catalog, *ec2.Client) {
	c := New()
	return c, client(t, serve(t, c), region)
}

// wantCode fails unless err is an AWS API error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var ctx = context.Background()
