package router

import (
	"testing"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

func TestRESTActionsAreNamed(t *testing.T) {
	cases := []struct{ service, method, path, want string }{
		{"lambda", "POST", "/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:api/invocations", "Invoke"},
		{"lambda", "GET", "/2015-03-31/functions/api", "GetFunction"},
		{"lambda", "GET", "/2015-03-31/functions/", "ListFunctions"},
		{"eks", "GET", "/clusters/c1/node-groups/ng1", "DescribeNodegroup"},
		{"eks", "POST", "/clusters", "CreateCluster"},
		{"scheduler", "POST", "/schedules/s1", "CreateSchedule"},
	}
	for _, c := range cases {
		if got := awsproto.RESTAction(c.service, c.method, c.path); got != c.want {
			t.Errorf("%s %s %s = %q, want %q", c.service, c.method, c.path, got, c.want)
		}
	}
	if got := IAMAction(awsproto.Call{Service: "tagging", Action: "GetResources"}); got != "tag:GetResources" {
		t.Errorf("IAMAction(tagging) = %s", got)
	}
}

func TestRewriteARNAccountTouchesOnlyARNs(t *testing.T) {
	in := []byte(`{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t","Size":000000000000,"Role":"arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx"}`)
	got := string(fromKumo(in, "222222222222"))
	want := `{"TableArn":"arn:aws:dynamodb:us-east-1:222222222222:table/t","Size":000000000000,"Role":"arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fx"}`
	if got != want {
		t.Fatalf("fromKumo = %s\nwant      %s", got, want)
	}
}
