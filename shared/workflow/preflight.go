package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/cloud/policy"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// PreflightActions is the preflight function's action table.
var PreflightActions = map[string]ActionFunc{"preflight": preflight}

// preflight is DESIGN §4 step 1: it proves the account can host the
// cluster before anything is created, and lists every shortfall at once so
// the customer fixes them in one go. Its answer drives the Map states.
func preflight(ctx context.Context, c *Call) (any, error) {
	t, err := c.startTask(ctx, TaskPreflight, "checking the account")
	if err != nil {
		return nil, err
	}
	if err := c.initTasks(ctx, ProvisionTasks(c.Cluster.ClusterSpec)); err != nil {
		return nil, err
	}
	plan, err := c.Plan()
	if err != nil {
		return nil, Fail(ErrPreflightFailed, "%s", errorMessage(err))
	}
	sess, err := c.Session(ctx)
	if err != nil {
		return nil, preflightAccessError(err)
	}
	checks := c.deps.Services.Checks(sess)
	id, err := checks.Identity(ctx)
	if err != nil {
		return nil, preflightAccessError(err)
	}
	pf := preflightRun{c: c, checks: checks, plan: plan, spec: domain.WithDefaults(c.Cluster.ClusterSpec)}
	if pf.live, err = c.ledgerKeys(ctx); err != nil {
		return nil, err
	}
	shortfalls, notes, err := pf.run(ctx)
	if err != nil {
		return nil, err
	}
	if len(shortfalls) > 0 {
		return nil, Fail(ErrPreflightFailed, "the account cannot host the cluster; fix all of: %s", numbered(shortfalls))
	}
	msg := fmt.Sprintf("account %s ready", id.Account)
	if len(notes) > 0 {
		msg += "; not verified: " + strings.Join(notes, "; ")
	}
	if err := c.succeed(ctx, t, msg); err != nil {
		return nil, err
	}
	return planAnswer(pf.spec), nil
}

// preflightAccessError: credentials that do not work are the customer's to
// fix, and reported as a preflight failure, not retried.
func preflightAccessError(err error) error {
	var ce *cloud.CredentialsError
	if errors.As(err, &ce) || errors.Is(err, cloud.ErrInvalidAccess) {
		return Fail(ErrPreflightFailed, "cannot act in the account: %v", err)
	}
	return err
}

// planAnswer is the state machine's plan: AZs for the per-AZ Maps (none
// with static placement, whose network is the customer's) and the pools,
// control plane first.
func planAnswer(spec domain.ClusterSpec) Plan {
	p := Plan{AZs: []string{}, NatAZs: []string{}, Pools: []string{}}
	if spec.Placement.Type == domain.PlacementDynamic {
		p.AZs = slices.Clone(spec.Placement.AZs)
		p.NatAZs = domain.NATGatewayAZs(spec.Placement)
	}
	for _, pool := range poolOrder(spec) {
		p.Pools = append(p.Pools, pool.Name)
	}
	return p
}

// initTasks creates the workflow's task records as Pending, leaving
// existing ones (a retry keeps what already succeeded).
func (c *Call) initTasks(ctx context.Context, names []string) error {
	tasks, err := c.deps.Store.Tasks(ctx, c.Scope, c.Cluster.ID)
	if err != nil {
		return fmt.Errorf("read tasks: %w", err)
	}
	have := map[string]bool{}
	for _, t := range tasks {
		have[t.Name] = true
	}
	for _, n := range names {
		if !have[n] {
			if err := c.putTask(ctx, domain.Task{Name: n, State: domain.TaskPending}); err != nil {
				return err
			}
		}
	}
	return nil
}

func numbered(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = fmt.Sprintf("(%d) %s", i+1, s)
	}
	return strings.Join(parts, "; ")
}

// preflightRun is one preflight's checks. Each check writes only its own
// slot, so they run concurrently and still report in a stable order.
type preflightRun struct {
	c      *Call
	checks AccountChecks
	plan   domain.Plan
	spec   domain.ClusterSpec
	live   map[string]domain.Resource // what this cluster already created (a retry)
}

type checkResult struct {
	shortfalls, notes []string
}

func (pf preflightRun) run(ctx context.Context) (shortfalls, notes []string, err error) {
	steps := []func(context.Context) (checkResult, error){
		pf.permissions, pf.zones, pf.image, pf.instanceTypes, pf.keyPair, pf.quotas, pf.eksClusterName,
	}
	results := make([]checkResult, len(steps))
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = step(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	for _, r := range results {
		shortfalls = append(shortfalls, r.shortfalls...)
		notes = append(notes, r.notes...)
	}
	return shortfalls, notes, nil
}

// requiredActions: a self-managed cluster does not need the EKS statements.
func (pf preflightRun) requiredActions() []string {
	if pf.spec.Kind == domain.KindEKS {
		return policy.RequiredActions()
	}
	return policy.ActionsOf(policy.Controller, policy.Extras)
}

func (pf preflightRun) permissions(ctx context.Context) (checkResult, error) {
	missing, unverified, err := pf.checks.MissingPermissions(ctx, pf.requiredActions())
	if err != nil {
		return checkResult{}, fmt.Errorf("check permissions: %w", err)
	}
	var r checkResult
	if len(missing) > 0 {
		r.shortfalls = append(r.shortfalls, fmt.Sprintf("missing permissions: %s", strings.Join(missing, ", ")))
	}
	if len(unverified) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("permissions %s", strings.Join(unverified, ", ")))
	}
	return r, nil
}

func (pf preflightRun) zones(ctx context.Context) (checkResult, error) {
	if pf.spec.Placement.Type != domain.PlacementDynamic {
		return checkResult{}, nil
	}
	have, err := pf.checks.AvailabilityZones(ctx)
	if err != nil {
		return checkResult{}, err
	}
	var r checkResult
	for _, az := range pf.spec.Placement.AZs {
		if !slices.Contains(have, az) {
			r.shortfalls = append(r.shortfalls, fmt.Sprintf("availability zone %s is not available in %s (have %s)", az, pf.spec.Region, strings.Join(have, ", ")))
		}
	}
	return r, nil
}

func (pf preflightRun) image(ctx context.Context) (checkResult, error) {
	if pf.spec.Kind == domain.KindEKS {
		return checkResult{}, nil // EKS picks the managed node groups' AMI
	}
	profile, err := pf.c.deps.Store.GetClusterProfile(ctx, pf.c.Scope, pf.spec.ProfileID)
	if err != nil {
		return checkResult{shortfalls: []string{fmt.Sprintf("cluster profile %s: %v", pf.spec.ProfileID, err)}}, nil
	}
	version := kubernetesVersion(profile)
	id, err := pf.checks.NodeImage(ctx, version)
	if err != nil {
		return checkResult{}, err
	}
	if id == "" {
		return checkResult{shortfalls: []string{fmt.Sprintf("no node image for Kubernetes %s in %s", version, pf.spec.Region)}}, nil
	}
	return checkResult{}, nil
}

// kubernetesVersion is the profile's kubernetes layer version, "" if none.
func kubernetesVersion(p *domain.ClusterProfile) string {
	for _, l := range p.Layers {
		if l.Type == domain.LayerKubernetes {
			return l.Version
		}
	}
	return ""
}

func (pf preflightRun) instanceTypes(ctx context.Context) (checkResult, error) {
	// (type, az) → who needs it. Static placement has no AZs before
	// launch; the subnets' AZs decide, and the launch reports a mismatch.
	need := map[string]map[string][]string{}
	var azs, types []string
	for _, r := range pf.instanceSlots() {
		if need[r.InstanceType] == nil {
			need[r.InstanceType] = map[string][]string{}
			types = append(types, r.InstanceType)
		}
		who := r.Pool
		if who == "" {
			who = r.Role
		}
		if !slices.Contains(need[r.InstanceType][r.AZ], who) {
			need[r.InstanceType][r.AZ] = append(need[r.InstanceType][r.AZ], who)
		}
		if !slices.Contains(azs, r.AZ) {
			azs = append(azs, r.AZ)
		}
	}
	if len(types) == 0 {
		return checkResult{}, nil
	}
	offered, err := pf.checks.InstanceTypeOfferings(ctx, azs, types)
	if err != nil {
		return checkResult{}, err
	}
	var r checkResult
	sort.Strings(types)
	for _, it := range types {
		for _, az := range sortedKeys(need[it]) {
			if !offered[az][it] {
				r.shortfalls = append(r.shortfalls, fmt.Sprintf("instance type %s is not offered in %s (needed by %s)", it, az, strings.Join(need[it][az], ", ")))
			}
		}
	}
	return r, nil
}

func (pf preflightRun) keyPair(ctx context.Context) (checkResult, error) {
	if pf.spec.SSHKeyName == "" {
		return checkResult{}, nil
	}
	ok, err := pf.checks.KeyPairExists(ctx, pf.spec.SSHKeyName)
	if err != nil || ok {
		return checkResult{}, err
	}
	return checkResult{shortfalls: []string{fmt.Sprintf("key pair %q does not exist in %s", pf.spec.SSHKeyName, pf.spec.Region)}}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// standardFamily mirrors the Running On-Demand Standard quota's families
// (A, C, D, H, I, M, R, T, Z, except DL, HPC, Inf, Mac and Trn); see
// cloud.isStandardFamily, which CheckQuotas counts usage with.
func standardFamily(instanceType string) bool {
	family := strings.ToLower(strings.SplitN(instanceType, ".", 2)[0])
	if i := strings.IndexFunc(family, unicode.IsDigit); i > 0 {
		family = family[:i]
	}
	switch family {
	case "", "dl", "hpc", "inf", "mac", "trn":
		return false
	}
	return strings.ContainsRune("acdhimrtz", rune(family[0]))
}
