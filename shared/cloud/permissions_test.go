package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func TestClassifyDryRun(t *testing.T) {
	for name, tc := range map[string]struct {
		err     error
		want    dryRunVerdict
		wantErr bool
	}{
		"DryRunOperation":       {apiErr("DryRunOperation"), dryRunAllowed, false},
		"wrapped DryRun":        {errors.Join(errors.New("op"), apiErr("DryRunOperation")), dryRunAllowed, false},
		"UnauthorizedOperation": {apiErr("UnauthorizedOperation"), dryRunDenied, false},
		"AccessDenied":          {apiErr("AccessDenied"), dryRunDenied, false},
		"InvalidParameter":      {apiErr("InvalidParameterValue"), dryRunUndecided, false},
		"no error":              {nil, dryRunAllowed, false},
		"network":               {errors.New("connection refused"), 0, true},
	} {
		got, err := classifyDryRun(tc.err)
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("%s: got %v, %v; want %v, err %v", name, got, err, tc.want, tc.wantErr)
		}
	}
}

// fakeSimulator answers SimulatePrincipalPolicy from a decision per action,
// and records each request.
type fakeSimulator struct {
	mu        sync.Mutex
	decisions map[string]iamtypes.EvaluationResult
	deny      error // returned for every call when set
	requests  []*iam.SimulatePrincipalPolicyInput
}

func (f *fakeSimulator) SimulatePrincipalPolicy(_ context.Context, in *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, in)
	if f.deny != nil {
		return nil, f.deny
	}
	out := &iam.SimulatePrincipalPolicyOutput{}
	for _, a := range in.ActionNames {
		r, ok := f.decisions[a]
		if !ok {
			r = iamtypes.EvaluationResult{EvalDecision: iamtypes.PolicyEvaluationDecisionTypeAllowed}
		}
		r.EvalActionName = aws.String(a)
		out.EvaluationResults = append(out.EvaluationResults, r)
	}
	return out, nil
}

func decision(d iamtypes.PolicyEvaluationDecisionType, missingCtx ...string) iamtypes.EvaluationResult {
	return iamtypes.EvaluationResult{EvalDecision: d, MissingContextValues: missingCtx}
}

func testChecker(probes map[string]error, sim *fakeSimulator) *permissionChecker {
	return &permissionChecker{
		dryRun:    func(_ context.Context, a string) error { return probes[a] },
		canDryRun: func(a string) bool { _, ok := probes[a]; return ok },
		iam:       sim,
		principal: testRole,
		partition: "aws", region: "eu-west-1", account: "111122223333",
	}
}

func TestCheckReportsEveryGapAtOnce(t *testing.T) {
	probes := map[string]error{
		"ec2:CreateVpc":        apiErr("DryRunOperation"),
		"ec2:CreateNatGateway": apiErr("UnauthorizedOperation"),
		"ec2:DeleteVpc":        apiErr("UnauthorizedOperation"),
		"ec2:DescribeImages":   apiErr("InvalidAMIID.Malformed"), // → simulated
	}
	sim := &fakeSimulator{decisions: map[string]iamtypes.EvaluationResult{
		"ec2:DescribeImages":                     decision(iamtypes.PolicyEvaluationDecisionTypeImplicitDeny),
		"elasticloadbalancing:CreateTargetGroup": decision(iamtypes.PolicyEvaluationDecisionTypeExplicitDeny),
		"iam:CreateServiceLinkedRole":            decision(iamtypes.PolicyEvaluationDecisionTypeImplicitDeny, "iam:AWSServiceName"),
		"eks:CreateCluster":                      decision(iamtypes.PolicyEvaluationDecisionTypeAllowed),
	}}
	actions := []string{"ec2:CreateVpc", "ec2:CreateNatGateway", "ec2:DeleteVpc", "ec2:DescribeImages", "ec2:CreateVpc",
		"elasticloadbalancing:CreateTargetGroup", "iam:CreateServiceLinkedRole", "eks:CreateCluster", "sts:GetCallerIdentity"}
	missing, unverified, err := testChecker(probes, sim).check(context.Background(), actions)
	if err != nil {
		t.Fatal(err)
	}
	wantMissing := []string{"ec2:CreateNatGateway", "ec2:DeleteVpc", "ec2:DescribeImages", "elasticloadbalancing:CreateTargetGroup"}
	if !reflect.DeepEqual(missing, wantMissing) {
		t.Errorf("missing = %v, want %v", missing, wantMissing)
	}
	if !reflect.DeepEqual(unverified, []string{"iam:CreateServiceLinkedRole"}) {
		t.Errorf("unverified = %v", unverified)
	}
	for _, req := range sim.requests {
		for _, a := range req.ActionNames {
			if a == "ec2:CreateVpc" || a == "sts:GetCallerIdentity" {
				t.Errorf("%s was simulated, though decided without IAM", a)
			}
		}
		if aws.ToString(req.PolicySourceArn) != testRole {
			t.Errorf("simulated %s", aws.ToString(req.PolicySourceArn))
		}
	}
}

func TestSimulationDeniedMakesActionsUnverified(t *testing.T) {
	probes := map[string]error{"ec2:CreateVpc": apiErr("UnauthorizedOperation")}
	sim := &fakeSimulator{deny: apiErr("AccessDenied")}
	missing, unverified, err := testChecker(probes, sim).check(context.Background(), []string{"ec2:CreateVpc", "eks:CreateCluster", "iam:PassRole"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(missing, []string{"ec2:CreateVpc"}) || !reflect.DeepEqual(unverified, []string{"eks:CreateCluster", "iam:PassRole"}) {
		t.Fatalf("missing %v unverified %v", missing, unverified)
	}
}

func TestProbeTransportFailureIsAnError(t *testing.T) {
	probes := map[string]error{"ec2:CreateVpc": errors.New("dial tcp: connection refused")}
	_, _, err := testChecker(probes, &fakeSimulator{}).check(context.Background(), []string{"ec2:CreateVpc"})
	if err == nil || !strings.Contains(err.Error(), "dry-run ec2:CreateVpc") {
		t.Fatalf("err = %v", err)
	}
}

// Resource-scoped and conditional grants are simulated against what they
// grant: one simulation per CreateServiceLinkedRole statement, with the
// service name it is conditioned on and a concrete ARN.
func TestPlanUsesGrantedResourcesAndConditions(t *testing.T) {
	c := testChecker(nil, &fakeSimulator{})
	plan := c.plan([]string{"iam:CreateServiceLinkedRole", "eks:CreateCluster", "custom:Thing"})
	services := map[string]bool{}
	var sawEKS, sawUngranted bool
	for _, s := range plan {
		for _, e := range s.context {
			if aws.ToString(e.ContextKeyName) == "iam:AWSServiceName" {
				services[e.ContextKeyValues[0]] = true
			}
		}
		for _, r := range s.resources {
			if strings.Contains(r, "*") && r != "*" {
				t.Errorf("resource %q still has a wildcard", r)
			}
		}
		if reflect.DeepEqual(s.actions, []string{"eks:CreateCluster"}) {
			sawEKS = true
			want := []string{"arn:aws:eks:eu-west-1:111122223333:cluster/clusterforge-preflight", "arn:aws:eks:eu-west-1:111122223333:nodegroup/clusterforge-preflight/clusterforge-preflight/clusterforge-preflight"}
			if !reflect.DeepEqual(s.resources, want) {
				t.Errorf("eks resources %v", s.resources)
			}
		}
		if reflect.DeepEqual(s.actions, []string{"custom:Thing"}) && reflect.DeepEqual(s.resources, []string{"*"}) {
			sawUngranted = true
		}
	}
	if len(services) != 6 || !services["autoscaling.amazonaws.com"] || !services["eks-nodegroup.amazonaws.com"] {
		t.Errorf("service-linked role contexts: %v", services)
	}
	if !sawEKS || !sawUngranted {
		t.Errorf("plan %+v", plan)
	}
}

func TestPrincipalARN(t *testing.T) {
	for caller, want := range map[[2]string]string{
		{"arn:aws:sts::111122223333:assumed-role/cf-role/clusterforge-x", ""}:           "arn:aws:iam::111122223333:role/cf-role",
		{"arn:aws:sts::111122223333:assumed-role/cf-role/x", "arn:aws:iam::1:role/p/r"}: "arn:aws:iam::1:role/p/r",
		{"arn:aws-cn:iam::111122223333:user/ops/alice", ""}:                             "arn:aws-cn:iam::111122223333:user/ops/alice",
		{"arn:aws:iam::111122223333:root", ""}:                                          "",
	} {
		if got, _ := principalARN(caller[0], caller[1]); got != want {
			t.Errorf("principalARN(%v) = %q, want %q", caller, got, want)
		}
	}
}

// Every EC2 action the documents grant has a DryRun probe or is known to
// have none; and every probe is a well-formed request that EC2 (here a fake
// speaking EC2's protocol) receives with DryRun=true under the action name.
func TestEveryEC2ActionIsProbedThroughTheRealClient(t *testing.T) {
	for _, a := range policy.RequiredActions() {
		if strings.HasPrefix(a, "ec2:") && ec2Probes[a] == nil && !ec2WithoutDryRun[a] {
			t.Errorf("%s has neither a DryRun probe nor an ec2WithoutDryRun entry", a)
		}
	}
	denied := map[string]bool{"RunInstances": true, "CreateNatGateway": true}
	var rec recorder
	srv := newQueryServer(t, func(key, action string, form url.Values) (int, string) {
		rec.add(action)
		switch {
		case action == "GetCallerIdentity":
			return http.StatusOK, callerIdentityXML("arn:aws:iam::111122223333:user/ops", "111122223333")
		case form.Get("DryRun") != "true":
			return http.StatusBadRequest, ec2Error("MissingDryRun", action)
		case denied[action]:
			return http.StatusForbidden, ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")
		default:
			return http.StatusPreconditionFailed, ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		}
	})
	sess, err := NewSessionCache(platformConfig(srv.URL, nil), RateLimits{NonMutating: Rate{1000, 1000}, Mutating: Rate{1000, 1000}}).
		Session(Access{Type: AccessSecret, AccessKeyID: "AKIDCUSTOMER", SecretAccessKey: "s"}, "eu-west-1", "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	var probed []string
	for a := range ec2Probes {
		probed = append(probed, a)
	}
	sort.Strings(probed)
	missing, unverified, err := CheckPermissions(context.Background(), sess, probed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(missing, []string{"ec2:CreateNatGateway", "ec2:RunInstances"}) || len(unverified) != 0 {
		t.Fatalf("missing %v unverified %v", missing, unverified)
	}
	for _, a := range probed {
		if rec.count(ec2Action(a)) != 1 {
			t.Errorf("%s: %d requests", a, rec.count(ec2Action(a)))
		}
	}
}
