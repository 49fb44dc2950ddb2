package domain_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

// The fuzzers below hold the request path's promises for any bytes: no
// panic; every refusal a *domain.ValidationError (the API's 400 with a
// field, never a 500); and whatever passes validation can be planned and
// survives a round trip, so nothing the API accepts breaks a workflow.
// Seeds are in testdata/fuzz/<Fuzz…>; `go test -fuzz` grows them.

// mustBeValidation fails unless err is nil or a ValidationError with at
// least one problem.
func mustBeValidation(t *testing.T, what string, err error) {
	t.Helper()
	var ve *domain.ValidationError
	if err != nil && (!errors.As(err, &ve) || len(ve.Errors) == 0) {
		t.Fatalf("%s: %T %v is not a validation error", what, err, err)
	}
}

// checkCluster validates a decoded spec and, when valid, plans it and
// re-decodes its encoding.
func checkCluster(t *testing.T, spec domain.ClusterSpec) {
	t.Helper()
	spec = domain.WithDefaults(spec)
	err := domain.ValidateCluster(spec, pricing.Default())
	mustBeValidation(t, "validate", err)
	if err != nil {
		return
	}
	if _, err := domain.PlanCluster(spec, pricing.Default()); err != nil {
		t.Fatalf("a valid spec cannot be planned: %v", err)
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatalf("encode a valid spec: %v", err)
	}
	var again domain.ClusterSpec
	if err := domain.DecodeStrict(raw, &again); err != nil {
		t.Fatalf("a valid spec does not decode from its own JSON: %v\n%s", err, raw)
	}
}

func FuzzDecodeCluster(f *testing.F) {
	f.Add([]byte(exampleJSON))
	f.Add([]byte(`{"name":"x","nodePools":[{"name":"cp","controlPlane":true,"size":1}]}`))
	f.Add([]byte(`{"name":"a","placement":{"type":"static","vpcId":"vpc-1","controlPlaneSubnetIds":["subnet-1"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec domain.ClusterSpec
		err := domain.DecodeStrict(data, &spec)
		mustBeValidation(t, "decode", err)
		if err == nil {
			checkCluster(t, spec)
		}
	})
}

// FuzzDecodeNodePool decodes a node pool as POST …/nodepools receives it
// and validates it as a worker pool of the example cluster.
func FuzzDecodeNodePool(f *testing.F) {
	f.Add([]byte(`{"name":"general","size":3,"instanceType":"m5.large","azs":["eu-west-1a"],"labels":{"tier":"web"},` +
		`"taints":[{"key":"dedicated","value":"web","effect":"NoSchedule"}],"rollingUpdate":"expandFirst","capacity":{"type":"onDemand"}}`))
	f.Add([]byte(`{"name":"gpu","size":1,"instanceType":"g4dn.xlarge","capacity":{"type":"spot","spotMaxPricePercent":60}}`))
	f.Add([]byte(`{"name":"x","size":-1,"rootVolumeGiB":1e9}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pool domain.NodePoolSpec
		err := domain.DecodeStrict(data, &pool)
		mustBeValidation(t, "decode", err)
		if err != nil {
			return
		}
		var spec domain.ClusterSpec
		if err := domain.DecodeStrict([]byte(exampleJSON), &spec); err != nil {
			t.Fatal(err)
		}
		spec.NodePools = append(spec.NodePools[:1], pool)
		checkCluster(t, spec)
	})
}

// FuzzDecodeCloudAccount also holds that neither the request's String nor
// a validation message ever carries the secret access key.
func FuzzDecodeCloudAccount(f *testing.F) {
	f.Add([]byte(`{"name":"prod","type":"secret","accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`))
	f.Add([]byte(`{"name":"prod","type":"sts","roleArn":"arn:aws:iam::222222222222:role/ClusterForge"}`))
	f.Add([]byte(`{"name":"x","type":"secret","accessKeyId":"AKIA","secretAccessKey":"short"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req domain.CloudAccountRequest
		err := domain.DecodeStrict(data, &req)
		mustBeValidation(t, "decode", err)
		if err != nil {
			return
		}
		err = req.Validate()
		mustBeValidation(t, "validate", err)
		// A secret that also spells another field proves nothing.
		others := req.Name + string(req.Type) + req.AccessKeyID + req.RoleARN
		if s := req.SecretAccessKey; len(s) >= 8 && !strings.Contains(others, s) {
			for _, out := range []string{req.String(), errString(err)} {
				if strings.Contains(out, s) {
					t.Fatalf("the secret access key is in %q", out)
				}
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestNullElementsRefused: a null map value or array element is not
// "absent" as a null field is; found by the e2e fuzzed bodies, where
// {"packOverrides":{"x":null}} was accepted against the OpenAPI schema.
func TestNullElementsRefused(t *testing.T) {
	for body, field := range map[string]string{
		`{"packOverrides":{"kubernetes":null}}`:     "packOverrides.kubernetes",
		`{"tags":{"team":null}}`:                    "tags.team",
		`{"placement":{"azs":["eu-west-1a",null]}}`: "placement.azs[1]",
	} {
		var spec domain.ClusterSpec
		err := domain.DecodeStrict([]byte(body), &spec)
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.First().Field != field {
			t.Errorf("%s: %v, want a validation error at %s", body, err, field)
		}
	}
}
