package ratelimit

import (
	"net/url"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		action string
		form   url.Values
		want   Class
	}{
		{"DescribeVpcs", url.Values{"Action": {"DescribeVpcs"}}, UnfilteredNonMutating},
		{"DescribeVpcs", url.Values{"Action": {"DescribeVpcs"}, "Filter.1.Name": {"tag:x"}}, NonMutating},
		{"DescribeInstances", url.Values{"MaxResults": {"5"}}, NonMutating},
		{"CreateVpc", url.Values{"CidrBlock": {"10.0.0.0/16"}}, Mutating},
	}
	for _, c := range cases {
		if got := Classify(c.action, c.form); got != c.want {
			t.Errorf("Classify(%s, %v) = %s, want %s", c.action, c.form, got, c.want)
		}
	}
}

func TestBucketsDrainAndRefill(t *testing.T) {
	l := New()
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	mutating := Defaults[Mutating]
	for i := 0; i < int(mutating.Capacity); i++ {
		if !l.Allow("a", "us-east-1", "CreateVpc", nil) {
			t.Fatalf("call %d refused within the bucket", i+1)
		}
	}
	if l.Allow("a", "us-east-1", "CreateVpc", nil) {
		t.Fatal("call past the bucket allowed")
	}
	if !l.Allow("b", "us-east-1", "CreateVpc", nil) || !l.Allow("a", "eu-west-1", "CreateVpc", nil) {
		t.Fatal("buckets must be per account and region")
	}
	now = now.Add(time.Second) // refills mutating.Refill tokens
	for i := 0; i < int(mutating.Refill); i++ {
		if !l.Allow("a", "us-east-1", "CreateVpc", nil) {
			t.Fatalf("refilled token %d refused", i+1)
		}
	}
	if l.Allow("a", "us-east-1", "CreateVpc", nil) {
		t.Fatal("more than the refill allowed")
	}
	if l.Throttled()[Mutating] != 2 {
		t.Fatalf("throttled = %v", l.Throttled())
	}
}

func TestRunInstancesResourceTokens(t *testing.T) {
	l := New()
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	if !l.Allow("a", "r", "RunInstances", url.Values{"MaxCount": {"1000"}}) {
		t.Fatal("1000 instances fit the resource bucket")
	}
	if l.Allow("a", "r", "RunInstances", url.Values{"MaxCount": {"1"}}) {
		t.Fatal("resource bucket empty: the next instance must be throttled")
	}
	now = now.Add(time.Second) // RunInstances refills 2 instances per second
	if !l.Allow("a", "r", "RunInstances", url.Values{"MaxCount": {"2"}}) {
		t.Fatal("two refilled instance tokens refused")
	}
}

func TestTimeScaleAndSwitch(t *testing.T) {
	l := New()
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	l.SetTimeScale(0.05) // one wall second is 20 AWS seconds
	l.SetBucket(Mutating, Bucket{Capacity: 1, Refill: 1})
	l.Allow("a", "r", "CreateVpc", nil)
	now = now.Add(50 * time.Millisecond) // one AWS second
	if !l.Allow("a", "r", "CreateVpc", nil) {
		t.Fatal("bucket did not refill in simulated time")
	}
	l.SetEnabled(false)
	for i := 0; i < 5; i++ {
		if !l.Allow("a", "r", "CreateVpc", nil) {
			t.Fatal("disabled limiter throttled")
		}
	}
}
