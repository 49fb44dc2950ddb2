package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// fakeCustomerAccount is one customer account behind one endpoint: STS
// (assume role, identity), EC2 (DryRun probes, describes), IAM policy
// simulation and Service Quotas. The role lacks ec2:CreateNatGateway (EC2
// says so to the DryRun) and elasticloadbalancing:CreateTargetGroup (the
// simulator says so).
func fakeCustomerAccount(t *testing.T, simulated *[]string) *httptest.Server {
	ec2Describe := map[string]string{
		"DescribeAvailabilityZones": `<availabilityZoneInfo><item><zoneName>us-east-1a</zoneName></item><item><zoneName>us-east-1b</zoneName></item></availabilityZoneInfo>`,
		"DescribeAccountAttributes": `<accountAttributeSet><item><attributeName>vpc-max-elastic-ips</attributeName><attributeValueSet><item><attributeValue>5</attributeValue></item></attributeValueSet></item></accountAttributeSet>`,
		"DescribeAddresses":         `<addressesSet><item><allocationId>eipalloc-1</allocationId><domain>vpc</domain></item></addressesSet>`,
		"DescribeVpcs":              `<vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>`,
		"DescribeNatGateways":       `<natGatewaySet><item><natGatewayId>nat-1</natGatewayId><subnetId>subnet-1</subnetId><state>available</state></item></natGatewaySet>`,
		"DescribeSubnets":           `<subnetSet><item><subnetId>subnet-1</subnetId><availabilityZone>us-east-1a</availabilityZone></item></subnetSet>`,
		"DescribeInstances":         `<reservationSet/>`,
	}
	srv := newQueryServer(t, func(key, action string, form url.Values) (int, string) {
		switch {
		case action == "AssumeRole":
			if form.Get("ExternalId") != "ext-1" {
				return http.StatusForbidden, stsError("AccessDenied", "not authorized to perform: sts:AssumeRole")
			}
			return http.StatusOK, assumeRoleXML("ASIACUSTOMER")
		case key != "ASIACUSTOMER":
			return http.StatusForbidden, stsError("InvalidClientTokenId", "platform keys used in the customer account")
		case action == "GetCallerIdentity":
			return http.StatusOK, callerIdentityXML("arn:aws:sts::111122223333:assumed-role/clusterforge/clusterforge-validate", "111122223333")
		case action == "SimulatePrincipalPolicy":
			var results strings.Builder
			for i := 1; form.Get(fmt.Sprintf("ActionNames.member.%d", i)) != ""; i++ {
				a := form.Get(fmt.Sprintf("ActionNames.member.%d", i))
				*simulated = append(*simulated, a)
				decision := "allowed"
				if a == "elasticloadbalancing:CreateTargetGroup" {
					decision = "implicitDeny"
				}
				fmt.Fprintf(&results, `<member><EvalActionName>%s</EvalActionName><EvalDecision>%s</EvalDecision><EvalResourceName>*</EvalResourceName></member>`, a, decision)
			}
			return http.StatusOK, `<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>` + results.String() + `</EvaluationResults></SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>`
		case action == "GetServiceQuota":
			var in struct{ QuotaCode string }
			_ = json.Unmarshal([]byte(form.Get("json")), &in)
			limits := map[string]int{QuotaVPCsPerRegion: 5, QuotaNATGatewaysPerAZ: 5, QuotaOnDemandStandardCPU: 64}
			return http.StatusOK, fmt.Sprintf(`{"Quota":{"QuotaCode":%q,"Value":%d}}`, in.QuotaCode, limits[in.QuotaCode])
		case form.Get("DryRun") == "true" && action == "CreateNatGateway":
			return http.StatusForbidden, ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")
		case form.Get("DryRun") == "true":
			return http.StatusPreconditionFailed, ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		case ec2Describe[action] != "":
			return http.StatusOK, ec2XML(action, ec2Describe[action])
		}
		return http.StatusBadRequest, ec2Error("InvalidAction", action)
	})
	return srv
}

func TestValidateReportsIdentityGapsAndHeadroom(t *testing.T) {
	var simulated []string
	srv := fakeCustomerAccount(t, &simulated)
	v := NewValidator(platformConfig(srv.URL, nil))
	report, err := v.Validate(context.Background(), Access{Type: AccessSTS, RoleARN: testRole, ExternalID: "ext-1"}, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if report.Identity.Account != "111122223333" || !strings.Contains(report.Identity.ARN, "assumed-role/clusterforge") {
		t.Errorf("identity %+v", report.Identity)
	}
	if want := []string{"ec2:CreateNatGateway", "elasticloadbalancing:CreateTargetGroup"}; !reflect.DeepEqual(report.MissingPermissions, want) {
		t.Errorf("missing %v, want %v", report.MissingPermissions, want)
	}
	if len(report.Unverified) != 0 {
		t.Errorf("unverified %v", report.Unverified)
	}
	for _, a := range simulated {
		if a == "ec2:CreateVpc" {
			t.Error("an EC2 action with a DryRun form was simulated")
		}
	}
	byScope := map[string]QuotaHeadroom{}
	for _, q := range report.Quotas {
		if q.Error != "" {
			t.Errorf("quota %s: %s", q.Name, q.Error)
		}
		byScope[q.Code+"@"+q.Scope] = q
	}
	checks := map[string][2]int{ // used, available
		"@us-east-1":                            {1, 4}, // Elastic IPs
		QuotaVPCsPerRegion + "@us-east-1":       {1, 4},
		QuotaNATGatewaysPerAZ + "@us-east-1a":   {1, 4},
		QuotaNATGatewaysPerAZ + "@us-east-1b":   {0, 5},
		QuotaOnDemandStandardCPU + "@us-east-1": {0, 64},
	}
	for k, want := range checks {
		q, ok := byScope[k]
		if !ok || q.Used != want[0] || q.Available != want[1] {
			t.Errorf("quota %s = %+v, want used %d available %d", k, q, want[0], want[1])
		}
	}
}

func TestValidateWrongExternalID(t *testing.T) {
	var simulated []string
	srv := fakeCustomerAccount(t, &simulated)
	_, err := NewValidator(platformConfig(srv.URL, nil)).Validate(context.Background(), Access{Type: AccessSTS, RoleARN: testRole, ExternalID: "someone-elses"}, "us-east-1")
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Code != "AccessDenied" {
		t.Fatalf("err = %v", err)
	}
}
