package faults

import (
	"errors"
	"testing"
)

func firing(f *Injector, n int, account, service, action string) []bool {
	out := make([]bool, n)
	for i := range out {
		_, out[i] = f.Match(account, service, action)
	}
	return out
}

func TestNthAndTimes(t *testing.T) {
	cases := []struct {
		name string
		rule Rule
		want []bool
	}{
		{"nth 1, default times", Rule{Service: "ec2", Action: "RunInstances", Nth: 1, Kind: Throttle}, []bool{true, false, false}},
		{"nth 2 times 2", Rule{Service: "ec2", Action: "RunInstances", Nth: 2, Times: 2, Kind: Throttle}, []bool{false, true, true, false}},
		{"nth 0 is every call", Rule{Service: "ec2", Action: "RunInstances", Kind: Throttle}, []bool{true, true, true}},
		{"action case-insensitive", Rule{Service: "EC2", Action: "runinstances", Nth: 1, Kind: Throttle}, []bool{true, false}},
	}
	for _, c := range cases {
		f := New()
		if _, err := f.Add(c.rule); err != nil {
			t.Fatal(err)
		}
		got := firing(f, len(c.want), "222222222222", "ec2", "RunInstances")
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: firing = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestAccountScopeAndOtherActions(t *testing.T) {
	f := New()
	if _, err := f.Add(Rule{Account: "111111111111", Service: "ec2", Action: "RunInstances", Nth: 1, Kind: Capacity}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Match("222222222222", "ec2", "RunInstances"); ok {
		t.Fatal("rule for 111111111111 fired in 222222222222")
	}
	if _, ok := f.Match("111111111111", "ec2", "TerminateInstances"); ok {
		t.Fatal("rule for RunInstances fired on TerminateInstances")
	}
	if r, ok := f.Match("111111111111", "ec2", "RunInstances"); !ok || r.Kind != Capacity {
		t.Fatal("rule did not fire on its first matching call")
	}
}

func TestAddRemove(t *testing.T) {
	f := New()
	if _, err := f.Add(Rule{Service: "ec2", Kind: "explode"}); !errors.Is(err, ErrInvalidRule) {
		t.Fatalf("unknown kind: %v, want ErrInvalidRule", err)
	}
	r, err := f.Add(Rule{Service: "ec2", Kind: LostResponse})
	if err != nil || r.ID == "" || r.Times != 1 {
		t.Fatalf("Add = %+v, %v", r, err)
	}
	if !f.Remove(r.ID) || len(f.Rules()) != 0 {
		t.Fatal("Remove did not remove the rule")
	}
}
