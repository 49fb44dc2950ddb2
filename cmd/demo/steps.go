package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/harness"
)

// step is one named stage of the demo. Steps run in order, share the demo's
// state, and stop the run at the first error.
type step struct {
	name string
	run  func(d *demo, ctx context.Context) error // a method expression: (*demo).startCloud
}

// steps is the demo, in order, for a cluster kind: an EKS cluster needs no
// SSH key pair, and its control plane, node groups and Fargate profile are
// checked with an EKS client of the customer's.
func steps(kind string) []step {
	setup := []step{
		{"start the local cloud", (*demo).startCloud},
		{"mint a tenant-admin token", (*demo).mintToken},
		{"register the customer account", (*demo).registerAccount},
		{"validate the account", (*demo).validateAccount},
		{"create a cluster profile", (*demo).createProfile},
	}
	lifecycle := []step{
		{"create the cluster", (*demo).createCluster},
		{"follow provisioning to Running", (*demo).waitRunning},
		{"count the cluster's resources in the customer account", (*demo).crossCheck},
		{"delete the cluster", (*demo).deleteCluster},
		{"follow deletion to Deleted and scan for leftovers", (*demo).waitDeleted},
	}
	if kind == "eks" {
		checkEKS := step{"describe the EKS cluster, node groups and Fargate profile", (*demo).describeEKS}
		return slices.Concat(setup, lifecycle[:3], []step{checkEKS}, lifecycle[3:])
	}
	keyPair := step{"create the SSH key pair in the customer account", (*demo).createKeyPair}
	return slices.Concat(setup, []step{keyPair}, lifecycle)
}

// demo is the state the steps share.
type demo struct {
	opts    options
	out     io.Writer
	start   time.Time
	cloud   *harness.Cloud
	logDir  string
	token   string
	account *accountSummary
	profile *profileSummary
	cluster *clusterSummary
	results []stepResult

	createdAt, deletedAt time.Time
	timeScale            float64 // wall seconds per simulated AWS second
}

// accountSummary is what the final line says about the cloud account.
type accountSummary struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Type               string          `json:"type"`
	Identity           string          `json:"identity,omitempty"`
	MissingPermissions int             `json:"missingPermissions"`
	Quotas             []quotaHeadroom `json:"quotas,omitempty"`
}

// quotaHeadroom is the tightest scope of one quota (e.g. the fullest AZ).
type quotaHeadroom struct {
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	Limit     int    `json:"limit"`
	Available int    `json:"available"`
}

type profileSummary struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Layers []string `json:"layers"`
}

func (d *demo) startCloud(ctx context.Context) error {
	d.logDir = d.opts.logDir
	if d.logDir == "" {
		dir, err := os.MkdirTemp("", "clusterforge-demo-")
		if err != nil {
			return fmt.Errorf("log dir: %w", err)
		}
		d.logDir = dir
	}
	if err := os.MkdirAll(d.logDir, 0o755); err != nil {
		return fmt.Errorf("log dir: %w", err)
	}
	// The launcher's stderr goes to a file: the demo's own lines stay readable.
	stderr, err := os.Create(filepath.Join(d.logDir, "launcher-stderr.log"))
	if err != nil {
		return fmt.Errorf("launcher log: %w", err)
	}
	opt, err := d.opts.startOptions(d.logDir, stderr)
	if err != nil {
		return err
	}
	began := time.Now()
	if d.cloud, err = harness.Start(ctx, opt); err != nil {
		return fmt.Errorf("start local cloud: %w", err)
	}
	d.logf("local cloud up in %.1fs: api %s, aws %s (logs in %s)", time.Since(began).Seconds(), d.cloud.API, d.cloud.AWS, d.logDir)
	var clock struct {
		Scale float64 `json:"scale"`
	}
	if _, err := d.cloud.Admin(ctx, http.MethodGet, "/clock", nil, &clock); err != nil {
		return err
	}
	d.timeScale = clock.Scale
	d.logf("time scale %.3f: one AWS minute takes %.1fs here", clock.Scale, 60*clock.Scale)
	return nil
}

func (d *demo) mintToken(ctx context.Context) error {
	tok, err := d.cloud.Token(ctx, d.opts.tenant, d.opts.project, "tenant-admin")
	if err != nil {
		return fmt.Errorf("mint token: %w", err)
	}
	d.token = tok
	d.logf("tenant %s, project %s, role tenant-admin", d.opts.tenant, d.opts.project)
	return nil
}

func (d *demo) registerAccount(ctx context.Context) error {
	var acc struct{ ID, Name, Type, AccessKeyID string }
	body := map[string]string{
		"name": "demo-customer", "type": "secret",
		"accessKeyId": d.cloud.Customer.AccessKeyID, "secretAccessKey": d.cloud.Customer.SecretAccessKey,
	}
	if err := d.call(ctx, http.MethodPost, "/v1/cloudaccounts", body, &acc); err != nil {
		return err
	}
	d.account = &accountSummary{ID: acc.ID, Name: acc.Name, Type: acc.Type}
	d.logf("cloud account %s (%s, type %s, key %s) for AWS account %s", acc.ID, acc.Name, acc.Type, acc.AccessKeyID, d.cloud.Customer.AccountID)
	return nil
}

func (d *demo) validateAccount(ctx context.Context) error {
	var rep struct {
		Identity              struct{ Account, Arn string }
		MissingPermissions    []string
		UnverifiedPermissions []string
		Quotas                []struct {
			Name, Scope            string
			Limit, Used, Available int
		}
	}
	if err := d.call(ctx, http.MethodPost, "/v1/cloudaccounts/"+d.account.ID+"/validate", map[string]string{"region": demoRegion}, &rep); err != nil {
		return err
	}
	d.account.Identity = rep.Identity.Arn
	d.account.MissingPermissions = len(rep.MissingPermissions)
	d.logf("identity %s (account %s)", rep.Identity.Arn, rep.Identity.Account)
	d.logf("missing permissions: %d%s, unverified: %d", len(rep.MissingPermissions), listSuffix(rep.MissingPermissions), len(rep.UnverifiedPermissions))

	// One line per quota, at its tightest scope: that is where a cluster
	// would run out first.
	tightest := map[string]quotaHeadroom{}
	for _, q := range rep.Quotas {
		if cur, ok := tightest[q.Name]; !ok || q.Available < cur.Available {
			tightest[q.Name] = quotaHeadroom{Name: q.Name, Scope: q.Scope, Limit: q.Limit, Available: q.Available}
		}
	}
	for _, q := range tightest {
		d.account.Quotas = append(d.account.Quotas, q)
	}
	sort.Slice(d.account.Quotas, func(i, j int) bool { return d.account.Quotas[i].Name < d.account.Quotas[j].Name })
	for _, q := range d.account.Quotas {
		d.logf("quota headroom: %s: %d of %d available (%s)", q.Name, q.Available, q.Limit, q.Scope)
	}
	return nil
}

func listSuffix(items []string) string {
	const show = 5
	switch {
	case len(items) == 0:
		return ""
	case len(items) <= show:
		return " (" + strings.Join(items, ", ") + ")"
	default:
		return " (" + strings.Join(items[:show], ", ") + ", …)"
	}
}

func (d *demo) createProfile(ctx context.Context) error {
	var p struct {
		ID, Name string
		Layers   []struct{ Type, Name, Version string }
	}
	if err := d.call(ctx, http.MethodPost, "/v1/clusterprofiles", harness.ExampleProfile("demo-ubuntu-k8s131"), &p); err != nil {
		return err
	}
	d.profile = &profileSummary{ID: p.ID, Name: p.Name}
	for _, l := range p.Layers {
		d.profile.Layers = append(d.profile.Layers, fmt.Sprintf("%s:%s@%s", l.Type, l.Name, l.Version))
	}
	d.logf("cluster profile %s (%s): %s", p.ID, p.Name, strings.Join(d.profile.Layers, ", "))
	return nil
}
