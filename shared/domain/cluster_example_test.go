package domain_test

import (
	"errors"
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/pricing"
)

const (
	testProfileID = "prf-01jd8k3m4n5p6q7r8s9t0v1w2x"
	testAccountID = "acc-01jd8k3m4n5p6q7r8s9t0v1w2x"
	testClusterID = "clu-01jd8k3m4n5p6q7r8s9t0v1w2x"
)

// exampleJSON is DESIGN §3's example with real-looking ids.
const exampleJSON = `{
  "name": "prod-eu", "description": "payments", "tags": {"team": "pay"},
  "profileId": "` + testProfileID + `", "packOverrides": {"kubernetes": "podCIDR: 192.168.0.0/16"},
  "cloudAccountId": "` + testAccountID + `", "region": "eu-west-1", "sshKeyName": "ops",
  "placement": {"type": "dynamic", "vpcCidr": "10.0.0.0/16",
                "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                "natGateways": "perAz"},
  "apiServer": {"scheme": "internet-facing", "allowedCidrs": ["0.0.0.0/0"]},
  "bastion": {"enabled": true, "instanceType": "t3.micro",
              "allowedCidrs": ["203.0.113.0/24"]},
  "updateWorkerPoolsInParallel": false,
  "nodePools": [
    {"name": "control-plane", "controlPlane": true, "size": 3,
     "instanceType": "m5.large", "allowWorkerCapability": false},
    {"name": "general", "size": 3, "instanceType": "m5.large",
     "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
     "labels": {"tier": "web"},
     "taints": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}],
     "rollingUpdate": "expandFirst", "capacity": {"type": "onDemand"}},
    {"name": "gpu", "size": 1, "instanceType": "g4dn.xlarge",
     "capacity": {"type": "spot", "spotMaxPricePercent": 60}}
  ]
}`

// example decodes the §3 example with the API's strict decoder, so the
// JSON names of the spec types are checked against the contract too.
func example(t *testing.T) domain.ClusterSpec {
	t.Helper()
	var s domain.ClusterSpec
	if err := domain.DecodeStrict([]byte(exampleJSON), &s); err != nil {
		t.Fatalf("decode §3 example: %v", err)
	}
	return s
}

func catalog() *pricing.Static { return pricing.Default() }

// fields returns the field paths of a validation error, in order.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *domain.ValidationError", err, err)
	}
	out := make([]string, len(ve.Errors))
	for i, fe := range ve.Errors {
		out[i] = fe.Field
	}
	return out
}
