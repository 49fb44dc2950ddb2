package workflow

import (
	"slices"
	"strings"
	"testing"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

func roomyQuotas() []cloud.QuotaHeadroom {
	q := []cloud.QuotaHeadroom{
		{Name: "Elastic IP addresses", Scope: "eu-west-1", Limit: 5, Used: 0, Available: 5},
		{Name: "VPCs per Region", Code: cloud.QuotaVPCsPerRegion, Scope: "eu-west-1", Limit: 5, Available: 5},
		{Name: "Running On-Demand Standard", Code: cloud.QuotaOnDemandStandardCPU, Scope: "eu-west-1", Limit: 64, Available: 64},
	}
	for _, az := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
		q = append(q, cloud.QuotaHeadroom{Name: "NAT gateways per Availability Zone", Code: cloud.QuotaNATGatewaysPerAZ, Scope: az, Limit: 5, Available: 5})
	}
	return q
}

func TestPreflightAnswersThePlan(t *testing.T) {
	e := newEnv(t, func(c *domain.Cluster) { c.Placement.NATGateways = domain.NATSingle })
	e.factory.checks.quotas = roomyQuotas()
	out, err := e.run("preflight", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := out.(Plan)
	if !slices.Equal(p.AZs, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}) || !slices.Equal(p.NatAZs, []string{"eu-west-1a"}) ||
		!slices.Equal(p.Pools, []string{"control-plane", "general", "gpu"}) {
		t.Errorf("plan %+v: want 3 AZs, one NAT AZ, control plane first", p)
	}
	if task := e.store.task(TaskPreflight); task.State != domain.TaskSucceeded {
		t.Errorf("preflight task %+v", task)
	}
	if task := e.store.task(NodePoolTask("gpu")); task.State != domain.TaskPending {
		t.Errorf("gpu pool task %+v, want initialised Pending", task)
	}
	if !slices.Contains(e.calls.list(), "NodeImage 1.31.2") {
		t.Errorf("calls %v: want the node image looked up for the profile's Kubernetes version", e.calls.list())
	}
}

func TestPreflightListsEveryShortfallAtOnce(t *testing.T) {
	e := newEnv(t, nil)
	c := e.factory.checks
	c.missing = []string{"ec2:CreateNatGateway", "ec2:RunInstances"}
	c.azs = []string{"eu-west-1a", "eu-west-1b"}
	c.image = ""
	c.notOffered = map[string]string{"g4dn.xlarge": "eu-west-1a"}
	c.keyMissing = true
	c.quotas = roomyQuotas()
	c.quotas[0].Used, c.quotas[0].Available = 3, 2 // 3 NAT gateways need 3 EIPs
	_, err := e.run("preflight", nil)
	wantType(t, err, ErrPreflightFailed,
		"ec2:CreateNatGateway, ec2:RunInstances",
		"eu-west-1c is not available",
		"no node image for Kubernetes 1.31.2",
		"g4dn.xlarge is not offered in eu-west-1a (needed by gpu)",
		`key pair "ops" does not exist`,
		"Elastic IP addresses in eu-west-1: need 3, available 2",
	)
	if n := strings.Count(errorMessage(err), "; ("); n != 5 {
		t.Errorf("%d shortfalls joined, want 6: %s", n+1, errorMessage(err))
	}
	for _, call := range e.calls.list() {
		if strings.HasPrefix(call, "Reconcile") {
			t.Errorf("preflight created something: %s", call)
		}
	}
	if task := e.store.task(TaskPreflight); task.State != domain.TaskFailed || !strings.Contains(task.Message, "key pair") {
		t.Errorf("preflight task %+v, want Failed with the list", task)
	}
}

func TestPreflightDoesNotCountWhatARetryAlreadyCreated(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.checks.quotas = roomyQuotas()
	for _, q := range []*cloud.QuotaHeadroom{&e.factory.checks.quotas[0], &e.factory.checks.quotas[1]} {
		q.Available = 0 // the first attempt's VPC and EIPs use them up
	}
	for _, az := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
		e.store.resources = append(e.store.resources, domain.Resource{Type: "eip", ID: "eipalloc-" + az, Key: domain.EIPKey(az)})
	}
	e.store.resources = append(e.store.resources, domain.Resource{Type: "vpc", ID: "vpc-1", Key: domain.KeyVPC})
	if _, err := e.run("preflight", nil); err != nil {
		t.Fatalf("retry preflight: %v", err)
	}
}

func TestPreflightRejectedCredentials(t *testing.T) {
	e := newEnv(t, nil)
	e.factory.checks.identityErr = &cloud.CredentialsError{Type: cloud.AccessSecret, KeyID: "AKIAEXAMPLE", Code: "InvalidClientTokenId"}
	_, err := e.run("preflight", nil)
	wantType(t, err, ErrPreflightFailed, "AKIAEXAMPLE")
	if strings.Contains(errorMessage(err), "not-a-secret") {
		t.Error("the secret leaked into the error")
	}
}
