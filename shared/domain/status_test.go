package domain_test

import (
	"testing"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func TestCanTransition(t *testing.T) {
	allowed := map[[2]domain.ClusterStatus]bool{
		{"Pending", "Provisioning"}: true, {"Pending", "Failed"}: true, {"Pending", "Deleting"}: true,
		{"Provisioning", "Running"}: true, {"Provisioning", "Failed"}: true, {"Provisioning", "Deleting"}: true,
		{"Running", "Updating"}: true, {"Running", "Deleting"}: true,
		{"Updating", "Running"}: true, {"Updating", "Failed"}: true, {"Updating", "Deleting"}: true,
		{"Failed", "Provisioning"}: true, {"Failed", "Updating"}: true, {"Failed", "Deleting"}: true,
		{"Deleting", "Deleted"}: true, {"Deleting", "Failed"}: true,
	}
	for _, from := range domain.ClusterStatuses {
		for _, to := range domain.ClusterStatuses {
			if got, want := domain.CanTransition(from, to), allowed[[2]domain.ClusterStatus{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if domain.CanTransition("Bogus", domain.StatusRunning) || domain.ClusterStatus("Bogus").Valid() {
		t.Error("unknown status must not transition or be valid")
	}
	if !domain.StatusDeleted.Final() || domain.StatusFailed.Final() {
		t.Error("only Deleted is final")
	}
}

func TestTaskStateDone(t *testing.T) {
	want := map[domain.TaskState]bool{"Pending": false, "Running": false, "Succeeded": true, "Failed": true, "Skipped": true}
	for _, s := range domain.TaskStates {
		if s.Done() != want[s] {
			t.Errorf("%s.Done() = %v", s, s.Done())
		}
	}
}
