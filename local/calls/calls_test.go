package calls

import "testing"

func TestCountsAndReset(t *testing.T) {
	r := New()
	r.Record(Call{Account: "1", Service: "ec2", Action: "RunInstances", Status: 200})
	r.Record(Call{Account: "1", Service: "ec2", Action: "RunInstances", Status: 503, ErrorCode: "RequestLimitExceeded"})
	r.Record(Call{Account: "2", Service: "ec2", Action: "DescribeVpcs", Status: 200})
	if got := r.Count("1", "ec2", "RunInstances"); got != 2 {
		t.Fatalf("Count = %d, want 2", got)
	}
	if got := r.Count("", "ec2", ""); got != 3 {
		t.Fatalf("Count(any account, ec2) = %d, want 3", got)
	}
	counts := r.Counts()
	if len(counts) != 2 || counts[0].Errors != 1 || counts[0].Calls != 2 {
		t.Fatalf("Counts = %+v", counts)
	}
	r.Reset()
	if len(r.Calls()) != 0 || r.Count("", "", "") != 0 {
		t.Fatal("Reset kept calls")
	}
}

func TestLogIsBounded(t *testing.T) {
	r := New()
	r.limit = 10
	for i := 0; i < 25; i++ {
		r.Record(Call{Service: "ec2", Action: "DescribeVpcs"})
	}
	if len(r.Calls()) > 10 || r.Dropped() == 0 {
		t.Fatalf("log holds %d calls, dropped %d", len(r.Calls()), r.Dropped())
	}
	if r.Count("", "ec2", "DescribeVpcs") != 25 {
		t.Fatal("counts must survive log trimming")
	}
}
