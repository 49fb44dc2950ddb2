package latency

import (
	"testing"
	"time"
)

func TestWallScalesAWSDurations(t *testing.T) {
	m := New(0.05)
	if got, want := m.Wall(NATGatewayAvailable), 4500*time.Millisecond; got != want {
		t.Fatalf("NAT gateway wall time = %v, want %v (90s × 0.05)", got, want)
	}
	m.Set(InstanceRunning, 10*time.Second)
	if got := m.Wall(InstanceRunning); got != 500*time.Millisecond {
		t.Fatalf("overridden instance wall time = %v, want 500ms", got)
	}
	if got := m.ToSimulated(3 * time.Second); got != time.Minute {
		t.Fatalf("3s wall = %v simulated, want 1m", got)
	}
}

func TestReadyAfterScaledDelay(t *testing.T) {
	m := New(0.001) // 90s NAT → 90ms
	start := time.Now()
	if m.Ready(NATGatewayAvailable, start) {
		t.Fatal("NAT gateway ready immediately")
	}
	time.Sleep(m.Wall(NATGatewayAvailable) + 10*time.Millisecond)
	if !m.Ready(NATGatewayAvailable, start) {
		t.Fatal("NAT gateway not ready after its scaled latency")
	}
}

func TestNonPositiveScaleMeansRealTime(t *testing.T) {
	if s := New(0).Scale(); s != 1 {
		t.Fatalf("scale = %v, want 1", s)
	}
}
