package domain

import (
	"testing"
	"time"
)

func TestNewIDMonotonicWithinMillisecond(t *testing.T) {
	prev := NewID(PrefixProfile, testNow)
	for range 1000 {
		next := NewID(PrefixProfile, testNow)
		if next <= prev || !ValidID(PrefixProfile, next) {
			t.Fatalf("%s after %s", next, prev)
		}
		prev = next
	}
	if back := NewID(PrefixProfile, testNow.Add(-time.Hour)); back <= prev {
		t.Fatalf("clock step back broke order: %s after %s", back, prev)
	}
}
