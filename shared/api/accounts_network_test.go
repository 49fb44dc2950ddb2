package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/cloud"
)

// fakeNetworks records what the handler asked and answers vpcs or err.
type fakeNetworks struct {
	mu     sync.Mutex
	access []cloud.Access
	region string
	vpcs   []cloud.VPCNetwork
	err    error
}

func (f *fakeNetworks) ListNetworks(_ context.Context, access cloud.Access, region string) ([]cloud.VPCNetwork, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access = append(f.access, access)
	f.region = region
	return f.vpcs, f.err
}

// networkHarness is the API with a network lister.
func networkHarness(t *testing.T) (*harness, *fakeNetworks) {
	h := newHarness(t)
	nets := &fakeNetworks{}
	h.handler = api.New(api.Deps{Store: h.env.Store, Secrets: h.env.Secrets, Validator: h.validator,
		Networks: nets, PlatformAccountID: platform, Logger: api.NewLogger(h.logs, "debug")})
	return h, nets
}

func vpcsCall(id, region string, who map[string]string) call {
	c := call{method: "GET", path: "/v1/cloudaccounts/" + id + "/vpcs", claims: who}
	if region != "" {
		c.query = map[string]string{"region": region}
	}
	return c
}

func TestListCloudAccountVPCs(t *testing.T) {
	h, nets := networkHarness(t)
	secID := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: secretAccountBody("keys"), claims: acmeAdmin}).json["id"].(string)
	stsID := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin}).json["id"].(string)
	nets.vpcs = []cloud.VPCNetwork{
		{VPCID: "vpc-1", CIDRBlock: "10.0.0.0/16", Name: "prod", Subnets: []cloud.SubnetNetwork{
			{SubnetID: "subnet-1", CIDRBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1a", Public: true, AvailableIPs: 250},
		}},
		{VPCID: "vpc-2", CIDRBlock: "10.1.0.0/16", IsDefault: true}, // nil subnets answer []
	}

	r := h.must(200, vpcsCall(secID, "eu-west-1", acmeEditor))
	items := r.json["items"].([]any)
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	sn := first["subnets"].([]any)[0].(map[string]any)
	if len(items) != 2 || first["vpcId"] != "vpc-1" || sn["public"] != true || sn["availableIps"] != float64(250) || sn["availabilityZone"] != "eu-west-1a" {
		t.Fatalf("body %s", r.body)
	}
	if subnets, ok := second["subnets"].([]any); !ok || len(subnets) != 0 {
		t.Fatalf("a VPC without subnets must list [] : %s", r.body)
	}
	if got := nets.access[0]; got.Type != cloud.AccessSecret || got.AccessKeyID != keyID || got.SecretAccessKey != secretKey || nets.region != "eu-west-1" {
		t.Fatalf("secret access %+v in %s", got.Type, nets.region)
	}
	ext := h.must(200, call{method: "GET", path: "/v1/cloudaccounts/externalid", claims: acmeViewer}).json["externalId"]
	h.must(200, vpcsCall(stsID, "us-east-1", acmeAdmin))
	if got := nets.access[1]; got.Type != cloud.AccessSTS || got.RoleARN != roleARN || got.ExternalID != ext || nets.region != "us-east-1" {
		t.Fatalf("sts access %+v in %s", got, nets.region)
	}

	nets.vpcs = nil
	if r := h.must(200, vpcsCall(secID, "eu-west-1", acmeEditor)); r.body != `{"items":[]}` {
		t.Fatalf("no VPCs: %s", r.body)
	}

	calls := len(nets.access)
	for _, region := range []string{"", "mars-1", "ap-nowhere-9"} {
		r := h.must(400, vpcsCall(secID, region, acmeEditor))
		if field, _ := r.errorField(); field != "region" {
			t.Errorf("region %q: field %q: %s", region, field, r.body)
		}
	}
	h.must(http.StatusForbidden, vpcsCall(secID, "eu-west-1", acmeViewer))
	// Another tenant's account, and an id that is no account, are not found.
	for _, c := range []call{vpcsCall(secID, "eu-west-1", globex), vpcsCall("acc-nope", "eu-west-1", acmeEditor)} {
		if field, code := h.must(404, c).errorField(); field != "id" || code != "not_found" {
			t.Errorf("%s as %v: field %q code %q", c.path, c.claims["tenant"], field, code)
		}
	}
	if len(nets.access) != calls {
		t.Fatalf("refused requests reached the account: %d calls, want %d", len(nets.access), calls)
	}
	h.checkLogs()
}

func TestListCloudAccountVPCsErrors(t *testing.T) {
	h, nets := networkHarness(t)
	id := h.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin}).json["id"].(string)
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&cloud.CredentialsError{Type: cloud.AccessSTS, RoleARN: roleARN, Code: "AccessDenied"}, 422, "cloud_credentials_rejected"},
		{&cloud.NetworkDeniedError{Err: fmt.Errorf("ec2:DescribeVpcs: UnauthorizedOperation")}, 422, "cloud_credentials_rejected"},
		{fmt.Errorf("ec2:DescribeSubnets: %w", errBoom), 500, "internal"},
	}
	for _, c := range cases {
		nets.err = c.err
		r := h.do(call{method: "GET", path: "/v1/cloudaccounts/" + id + "/vpcs", query: map[string]string{"region": "eu-west-1"}, claims: acmeEditor, allowFault: true})
		if _, code := r.errorField(); r.status != c.status || code != c.code {
			t.Errorf("%v: %d %s, want %d %s", c.err, r.status, code, c.status, c.code)
		}
	}
	if !strings.Contains(h.logs.String(), "boom") {
		t.Error("the fault's cause is not logged")
	}

	t.Run("no lister", func(t *testing.T) {
		h2 := newHarness(t)
		h2.handler = newHandlerWithoutValidator(h2)
		id := h2.must(201, call{method: "POST", path: "/v1/cloudaccounts", body: stsAccountBody("role"), claims: acmeAdmin}).json["id"].(string)
		h2.must(http.StatusNotImplemented, vpcsCall(id, "eu-west-1", acmeEditor))
	})
}
