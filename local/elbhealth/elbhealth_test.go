package elbhealth

import (
	"net/url"
	"testing"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

type states map[string]string

func (s states) InstanceState(_, _, id string) string { return s[id] }

func TestDescribeStates(t *testing.T) {
	model := latency.New(1)
	model.Set(latency.TargetHealthy, time.Minute)
	tr := New(model, states{"i-run": "running", "i-pend": "pending", "i-term": "terminated"})
	now := time.Unix(1000, 0)
	tr.now = func() time.Time { return now }
	tr.DeregistrationDelay = 10 * time.Second

	const arn = "arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/tg/1"
	reg := url.Values{"TargetGroupArn": {arn}}
	for i, id := range []string{"i-run", "i-pend", "i-term"} {
		n := string(rune('1' + i))
		reg.Set("Targets.member."+n+".Id", id)
		reg.Set("Targets.member."+n+".Port", "80")
	}
	tr.Observe("222222222222", "RegisterTargets", reg, nil)

	want := func(label string, expect map[string]string) {
		t.Helper()
		hs, err := tr.Describe("222222222222", "us-east-1", arn, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, h := range hs {
			got[h.ID] = h.State
		}
		for id, s := range expect {
			if got[id] != s {
				t.Errorf("%s: %s is %q, want %q (all: %v)", label, id, got[id], s, got)
			}
		}
	}
	want("at registration", map[string]string{"i-run": "initial", "i-pend": "initial", "i-term": "unused"})
	now = now.Add(time.Minute)
	want("after the delay", map[string]string{"i-run": "healthy", "i-pend": "initial"})

	tr.Observe("222222222222", "DeregisterTargets", url.Values{"TargetGroupArn": {arn},
		"Targets.member.1.Id": {"i-run"}, "Targets.member.1.Port": {"80"}}, nil)
	want("deregistered", map[string]string{"i-run": "draining"})
	now = now.Add(11 * time.Second)
	want("drained", map[string]string{"i-run": ""})

	hs, err := tr.Describe("222222222222", "us-east-1", arn, []Health{{ID: "i-other", Port: "80"}})
	if err != nil || len(hs) != 1 || hs[0].State != "unused" || hs[0].Reason != "Target.NotRegistered" {
		t.Fatalf("unregistered target: %+v, %v", hs, err)
	}
	if _, err := tr.Describe("222222222222", "us-east-1", arn+"x", nil); err == nil {
		t.Fatal("unknown target group must fail with TargetGroupNotFound")
	}
}
