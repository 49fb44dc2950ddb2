package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/local/harness"
)

// npTimeout bounds one provisioning or update of the small test clusters.
const npTimeout = 3 * time.Minute

// npPoolTag is the tag ComputeService puts on a pool's instances.
const npPoolTag = "clusterforge.io/pool"

// npSpec is a small cluster (3 AZs, one control-plane node, one NAT
// gateway, no bastion) with a 3-node expandFirst worker pool "general";
// edit adjusts it before it is posted.
func npSpec(name string, e *tenantEnv, edit func(spec map[string]any)) map[string]any {
	spec := harness.ExampleCluster(name, e.accountID, e.profileID)
	spec["placement"].(map[string]any)["natGateways"] = "single"
	spec["bastion"] = map[string]any{"enabled": false}
	pools := spec["nodePools"].([]map[string]any)
	pools[0]["size"] = 1
	spec["nodePools"] = pools[:2] // control plane and general
	if edit != nil {
		edit(spec)
	}
	return spec
}

// npRunning creates the cluster and waits until it runs.
func (e *tenantEnv) npRunning(t *testing.T, spec map[string]any) string {
	t.Helper()
	var c clusterView
	e.api.must(t, http.StatusAccepted, http.MethodPost, "/v1/clusters", spec, &c)
	e.waitStatus(t, c.ID, "Running", npTimeout)
	return c.ID
}

// npUpdate sends a node pool mutation on the cluster's current version and
// waits for the update to finish cleanly (Running, no failure message).
func (e *tenantEnv) npUpdate(t *testing.T, id, method, path string, body map[string]any) clusterView {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["version"] = e.get(t, id).Version
	var c clusterView
	e.api.must(t, http.StatusAccepted, method, "/v1/clusters/"+id+"/nodepools"+path, body, &c)
	if c.Status != "Updating" {
		t.Fatalf("%s %s answered status %s, want Updating", method, path, c.Status)
	}
	c = e.waitStatus(t, id, "Running", npTimeout)
	if c.StatusMessage != "" {
		t.Fatalf("update %s %s ended with %q; tasks %+v", method, path, c.StatusMessage, c.Tasks)
	}
	return c
}

// npInstance is a pool instance as the customer's EC2 shows it.
type npInstance struct {
	ID, Pool, Type, State, AZ, Subnet string
	Launched                          time.Time
	Tags                              map[string]string
}

func (i npInstance) alive() bool { return i.State == "pending" || i.State == "running" }

// npInstances lists the cluster's instances (terminated ones too).
func npInstances(t *testing.T, c *ec2.Client, clusterID string) []npInstance {
	t.Helper()
	out, err := c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + harness.ClusterIDTag), Values: []string{clusterID}}},
	})
	if err != nil {
		t.Errorf("describe instances: %v", err)
		return nil
	}
	var all []npInstance
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			tags := provTags(in.Tags)
			all = append(all, npInstance{
				ID: aws.ToString(in.InstanceId), Pool: tags[npPoolTag], Type: string(in.InstanceType),
				State: string(in.State.Name), AZ: aws.ToString(in.Placement.AvailabilityZone),
				Subnet: aws.ToString(in.SubnetId), Launched: aws.ToTime(in.LaunchTime), Tags: tags,
			})
		}
	}
	return all
}

// npAlive are the live instances of pool, sorted by id.
func npAlive(all []npInstance, pool string) []npInstance {
	var out []npInstance
	for _, i := range all {
		if i.Pool == pool && i.alive() {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b npInstance) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func npIDs(list []npInstance) []string {
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.ID
	}
	return out
}

// npSample is one look at the account during an update.
type npSample struct {
	at        time.Time
	instances []npInstance
}

// npWatch samples the cluster's instances until the returned stop is
// called, which returns the samples.
func npWatch(t *testing.T, c *ec2.Client, clusterID string) (stop func() []npSample) {
	var (
		mu      sync.Mutex
		samples []npSample
		done    = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			s := npSample{at: time.Now(), instances: npInstances(t, c, clusterID)}
			mu.Lock()
			samples = append(samples, s)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() []npSample {
		close(done)
		wg.Wait()
		return samples
	}
}

// npCall is one call of the admin call log.
type npCall struct {
	Time   time.Time `json:"time"`
	Action string    `json:"action"`
	AppID  string    `json:"appId"`
	Status int       `json:"status"`
}

// npLaunchesAndTerminations are the service's successful RunInstances and
// TerminateInstances in the account since from, in order, as "run" and
// "terminate".
func npLaunchesAndTerminations(t *testing.T, account string, from time.Time) []string {
	t.Helper()
	var log struct {
		Calls []npCall `json:"calls"`
	}
	if _, err := cloud.Admin(context.Background(), http.MethodGet, "/calls?account="+account, nil, &log); err != nil {
		t.Fatalf("read the call log: %v", err)
	}
	slices.SortStableFunc(log.Calls, func(a, b npCall) int { return a.Time.Compare(b.Time) })
	var out []string
	for _, c := range log.Calls {
		if c.Time.Before(from) || !strings.HasPrefix(c.AppID, "lambda.") || c.Status >= 300 {
			continue
		}
		switch c.Action {
		case "RunInstances":
			out = append(out, "run")
		case "TerminateInstances":
			out = append(out, "terminate")
		}
	}
	return out
}
