package cloud

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

// dryRunConcurrency bounds the DryRun probes in flight for one check: ~55
// probes finish in a few round trips without taking the account's whole
// request burst at once.
const dryRunConcurrency = 8

// simulationBatch keeps each SimulatePrincipalPolicy request small.
const simulationBatch = 50

// placeholderName fills the wildcards of a resource pattern when a granted
// statement is simulated against a concrete ARN.
const placeholderName = "clusterforge-preflight"

// alwaysAllowed are actions AWS never denies; simulating them would report
// a false gap for policies that, reasonably, don't mention them.
var alwaysAllowed = map[string]bool{"sts:GetCallerIdentity": true}

// iamSimulateAPI is the IAM call the checker uses.
type iamSimulateAPI interface {
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

// permissionChecker finds which actions a principal lacks. EC2 actions are
// asked of EC2 itself with DryRun, which sees everything that applies (SCPs,
// permission boundaries, session policies); the rest are simulated against
// the principal's IAM policies.
type permissionChecker struct {
	dryRun    func(ctx context.Context, action string) error // nil: no probes
	canDryRun func(action string) bool
	iam       iamSimulateAPI
	principal string // role or user ARN to simulate; "" if unknown
	partition string
	region    string
	account   string
}

// CheckPermissions returns which of actions ("service:Action") the session
// lacks, and which could not be verified (simulation denied, or the
// simulator needed context it could not be given). err is for failures that
// make the answer meaningless (context cancelled, network), not for gaps.
func CheckPermissions(ctx context.Context, sess *Session, actions []string) (missing, unverified []string, err error) {
	id, err := sess.Identity(ctx)
	if err != nil {
		return nil, nil, err
	}
	if strings.HasSuffix(id.ARN, ":root") {
		// The account's root user holds every permission; IAM cannot
		// simulate it and DryRun would only confirm it.
		return nil, nil, nil
	}
	client := sess.EC2()
	c := permissionChecker{
		dryRun: func(ctx context.Context, action string) error {
			return ec2Probes[action](ctx, client)
		},
		canDryRun: func(action string) bool { _, ok := ec2Probes[action]; return ok },
		iam:       sess.IAM(),
		region:    sess.Region,
		account:   id.Account,
	}
	c.principal, c.partition = principalARN(id.ARN, sess.who.RoleARN)
	return c.check(ctx, actions)
}

func (c *permissionChecker) check(ctx context.Context, actions []string) (missing, unverified []string, err error) {
	var probed, simulate []string
	for _, a := range dedupe(actions) {
		switch {
		case alwaysAllowed[a]:
		case c.dryRun != nil && c.canDryRun(a):
			probed = append(probed, a)
		default:
			simulate = append(simulate, a)
		}
	}

	missing, fallback, err := c.probeAll(ctx, probed)
	if err != nil {
		return nil, nil, err
	}
	simMissing, unverified, err := c.simulate(ctx, append(simulate, fallback...))
	if err != nil {
		return nil, nil, err
	}
	missing = append(missing, simMissing...)
	sort.Strings(missing)
	sort.Strings(unverified)
	return missing, unverified, nil
}

// dryRunVerdict classifies the answer to a DryRun call.
type dryRunVerdict int

const (
	dryRunAllowed   dryRunVerdict = iota
	dryRunDenied                  // the action is missing
	dryRunUndecided               // EC2 answered something else; simulate instead
)

func classifyDryRun(err error) (dryRunVerdict, error) {
	var ae smithy.APIError
	switch {
	case err == nil:
		// Only an endpoint that ignores DryRun answers success; the call was
		// clearly allowed.
		return dryRunAllowed, nil
	case errors.As(err, &ae) && ae.ErrorCode() == codeDryRunOperation:
		return dryRunAllowed, nil
	case isAccessDenied(err):
		return dryRunDenied, nil
	case errors.As(err, &ae):
		// e.g. InvalidParameterValue for a placeholder EC2 validates before
		// authorising: not an answer about permissions.
		return dryRunUndecided, nil
	default:
		return 0, err // network, context, retry quota: no answer at all
	}
}

// probeAll runs the DryRun probes, at most dryRunConcurrency at a time.
func (c *permissionChecker) probeAll(ctx context.Context, actions []string) (missing, fallback []string, err error) {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		sem      = make(chan struct{}, dryRunConcurrency)
	)
	for _, a := range actions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			verdict, err := classifyDryRun(c.dryRun(ctx, a))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = fmt.Errorf("dry-run %s: %w", a, err)
				}
			case verdict == dryRunDenied:
				missing = append(missing, a)
			case verdict == dryRunUndecided:
				fallback = append(fallback, a)
			}
		}()
	}
	wg.Wait()
	return missing, fallback, firstErr
}

// simulation is one SimulatePrincipalPolicy question: actions against the
// resources and condition context of the statement that grants them.
type simulation struct {
	actions   []string
	resources []string
	context   []iamtypes.ContextEntry
}

// simulate asks IAM about actions. Each action is simulated once per policy
// statement that grants it (iam:CreateServiceLinkedRole is granted by six,
// each for another service) so that resource-scoped and conditional grants
// are asked about what they grant, not about "*".
func (c *permissionChecker) simulate(ctx context.Context, actions []string) (missing, unverified []string, err error) {
	if len(actions) == 0 {
		return nil, nil, nil
	}
	if c.principal == "" || c.iam == nil {
		return nil, dedupe(actions), nil
	}
	allowed, denied, unsure := map[string]bool{}, map[string]bool{}, map[string]bool{}
	if err := c.simulateAll(ctx, actions, verdicts{allowed, denied, unsure}); isAccessDenied(err) {
		// Without iam:SimulatePrincipalPolicy nothing more can be learned;
		// everything not already decided is unverified.
		for _, a := range actions {
			if !allowed[a] {
				unsure[a] = true
			}
		}
	} else if err != nil {
		return nil, nil, err
	}
	for a := range denied {
		delete(unsure, a) // denied by one grant: missing, whatever another said
	}
	return keys(denied), keys(unsure), nil
}

func (c *permissionChecker) simulateAll(ctx context.Context, actions []string, v verdicts) error {
	for _, sim := range c.plan(actions) {
		for start := 0; start < len(sim.actions); start += simulationBatch {
			batch := sim.actions[start:min(start+simulationBatch, len(sim.actions))]
			if err := c.simulateBatch(ctx, batch, sim, v); err != nil {
				if isAccessDenied(err) {
					return err
				}
				return fmt.Errorf("simulate %d actions for %s: %w", len(batch), c.principal, err)
			}
		}
	}
	return nil
}

// verdicts collects simulation results per action.
type verdicts struct{ allowed, denied, unsure map[string]bool }

func (c *permissionChecker) simulateBatch(ctx context.Context, batch []string, sim simulation, v verdicts) error {
	p := iam.NewSimulatePrincipalPolicyPaginator(c.iam, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(c.principal),
		ActionNames:     batch,
		ResourceArns:    sim.resources,
		ContextEntries:  sim.context,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.EvaluationResults {
			a := aws.ToString(r.EvalActionName)
			switch {
			case r.EvalDecision == iamtypes.PolicyEvaluationDecisionTypeAllowed:
				v.allowed[a] = true
			case r.EvalDecision == iamtypes.PolicyEvaluationDecisionTypeImplicitDeny && len(r.MissingContextValues) > 0:
				v.unsure[a] = true // the simulator could not evaluate a condition
			default:
				v.denied[a] = true
			}
		}
	}
	return nil
}

// plan groups actions by the policy statements that grant them; actions no
// document grants are simulated against "*".
func (c *permissionChecker) plan(actions []string) []simulation {
	var sims []simulation
	index := map[string]int{} // resources+context → position in sims
	var ungranted []string
	for _, a := range dedupe(actions) {
		grants := policy.Grants(a)
		if len(grants) == 0 {
			ungranted = append(ungranted, a)
			continue
		}
		for _, st := range grants {
			res, cond := c.concreteResources(st.Resource), conditionContext(st.Condition)
			key := fmt.Sprint(res, ctxEntriesKey(cond))
			i, ok := index[key]
			if !ok {
				sims = append(sims, simulation{resources: res, context: cond})
				i = len(sims) - 1
				index[key] = i
			}
			sims[i].actions = append(sims[i].actions, a)
		}
	}
	if len(ungranted) > 0 {
		sims = append(sims, simulation{actions: ungranted, resources: []string{"*"}})
	}
	return sims
}

// concreteResources turns a statement's resource patterns into ARNs in the
// principal's partition, region and account.
func (c *permissionChecker) concreteResources(patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		parts := strings.SplitN(p, ":", 6)
		if p == "*" || len(parts) != 6 {
			out = append(out, p)
			continue
		}
		fill := func(v, with string) string {
			if v == "*" {
				return with
			}
			return v
		}
		parts[1] = fill(parts[1], c.partition)
		parts[3] = fill(parts[3], c.region)
		parts[4] = fill(parts[4], c.account)
		parts[5] = strings.ReplaceAll(parts[5], "*", placeholderName)
		out = append(out, strings.Join(parts, ":"))
	}
	return out
}

// conditionContext supplies the values a statement's conditions test, so
// the simulator evaluates the grant as a real request would satisfy it
// (e.g. iam:AWSServiceName for CreateServiceLinkedRole).
func conditionContext(cond map[string]map[string]policy.StringList) []iamtypes.ContextEntry {
	var out []iamtypes.ContextEntry
	for _, kv := range cond {
		for k, vals := range kv {
			out = append(out, iamtypes.ContextEntry{
				ContextKeyName:   aws.String(k),
				ContextKeyType:   iamtypes.ContextKeyTypeEnumString,
				ContextKeyValues: vals,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].ContextKeyName < *out[j].ContextKeyName })
	return out
}

func ctxEntriesKey(entries []iamtypes.ContextEntry) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s=%v;", aws.ToString(e.ContextKeyName), e.ContextKeyValues)
	}
	return b.String()
}

// principalARN is the IAM principal to simulate and its partition. The
// registered role ARN wins because it keeps the role's path, which an
// assumed-role ARN (arn:aws:sts::123:assumed-role/Name/session) drops.
func principalARN(callerARN, roleARN string) (principal, partition string) {
	parts := strings.SplitN(callerARN, ":", 6)
	if len(parts) == 6 {
		partition = parts[1]
	}
	switch {
	case roleARN != "":
		return roleARN, partition
	case len(parts) != 6:
		return "", "aws"
	case strings.HasPrefix(parts[5], "assumed-role/"):
		name := strings.SplitN(strings.TrimPrefix(parts[5], "assumed-role/"), "/", 2)[0]
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, parts[4], name), partition
	case strings.HasPrefix(parts[5], "user/"), strings.HasPrefix(parts[5], "role/"):
		return callerARN, partition
	default: // root or federated: nothing IAM can simulate
		return "", partition
	}
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ iamSimulateAPI = (*iam.Client)(nil)
