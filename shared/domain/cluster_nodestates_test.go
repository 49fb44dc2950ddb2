package domain

import "testing"

func TestWithNodeStates(t *testing.T) {
	ledger := []Resource{
		{Type: string(ResInstance), ID: "i-1", State: "pending"},
		{Type: string(ResInstance), ID: "i-2", State: "pending"},
		{Type: string(ResVPC), ID: "i-1", State: "available"}, // same id, other type: untouched
	}
	nodes := map[string][]Node{"general": {{InstanceID: "i-1", State: "running"}}}
	got := WithNodeStates(ledger, nodes)
	want := []string{"running", "pending", "available"}
	for i, r := range got {
		if r.State != want[i] {
			t.Errorf("%s %s: state %s, want %s", r.Type, r.ID, r.State, want[i])
		}
	}
	if ledger[0].State != "pending" {
		t.Error("the input ledger was modified")
	}
}
