import { useEffect, useRef, useState } from 'react';
import type { CloudAccount, Cluster, ClusterProfile, DryRun } from '../types';
import type { Session } from './App';
import { go, usePoll } from '../hooks';
import { can } from '../logic/auth';
import { errorAt, fieldErrors, unplaced, type FieldErrors } from '../logic/errors';
import { errorsOfStep, initialWizard, newPool, regionAZs, regions, stepOfField, steps, toCreateRequest, withKind, type PoolForm, type WizardState } from '../logic/wizard';
import { QuotaTable } from './Accounts';
import { kindName } from '../logic/eks';
import { EKSSettings } from './EKSSettings';
import { StaticPlacement } from './StaticPlacement';
import { ErrorBanner, Field } from './ui';
import { WizardPool } from './WizardPool';

// Field paths each step renders, so an error no input shows still appears.
const stepFields: string[][] = [
  ['kind', 'name', 'description', 'tags'],
  ['profileId'],
  ['packOverrides'],
  ['cloudAccountId', 'region', 'sshKeyName', 'placement', 'bastion', 'apiServer', 'eks'],
  ['updateWorkerPoolsInParallel'],
  ['nodePools'],
  [],
];

export function Wizard({ session }: { session: Session }) {
  const { client, claims } = session;
  const [s, setS] = useState<WizardState>(initialWizard);
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [plan, setPlan] = useState<DryRun | undefined>();
  const [busy, setBusy] = useState(false);
  const profiles = usePoll(() => client.get<{ items: ClusterProfile[] }>('/v1/clusterprofiles?limit=100'), 0, 'wiz-profiles');
  const accounts = usePoll(() => client.get<{ items: CloudAccount[] }>('/v1/cloudaccounts?limit=100'), 0, 'wiz-accounts');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), [step]);

  const set = (patch: Partial<WizardState>) => setS((prev) => ({ ...prev, ...patch }));
  const setPool = (i: number, patch: Partial<PoolForm>) => setS((prev) => ({ ...prev, pools: prev.pools.map((p, j) => (j === i ? { ...p, ...patch } : p)) }));
  const profile = profiles.data?.items.find((p) => p.id === s.profileId);
  const err = (f: string) => errorAt(errors, f);

  // showApiError puts the API's field errors at their fields and takes the
  // user to the first step that has one.
  function showApiError(e: unknown) {
    const fe = fieldErrors(e);
    setErrors(fe);
    const first = Math.min(...Object.keys(fe).map(stepOfField));
    setStep(Number.isFinite(first) ? first : steps.length - 1);
  }

  async function next() {
    const { errors: local } = toCreateRequest(s);
    const here = errorsOfStep(local, step);
    if (Object.keys(here).length) {
      setErrors(here);
      return;
    }
    setErrors({});
    if (step === steps.length - 2) {
      // Entering Review: the plan is the API's dry run of the same body.
      setBusy(true);
      setPlan(undefined);
      try {
        setPlan(await client.send<DryRun>('POST', '/v1/clusters?dryRun=true', toCreateRequest(s).body));
        setStep(step + 1);
      } catch (e) {
        showApiError(e);
      } finally {
        setBusy(false);
      }
      return;
    }
    setStep(step + 1);
  }

  async function deploy() {
    setBusy(true);
    try {
      const c = await client.send<Cluster>('POST', '/v1/clusters', toCreateRequest(s).body);
      go(`clusters/${c.id}`);
    } catch (e) {
      showApiError(e);
    } finally {
      setBusy(false);
    }
  }

  if (!can.edit(claims.role)) {
    return <p className="banner">Your role ({claims.role}) cannot create clusters.</p>;
  }

  const body = (() => {
    switch (step) {
      case 0:
        return (
          <>
            <fieldset role="radiogroup" aria-labelledby="kind-legend">
              <legend id="kind-legend">Kind</legend>
              <label className="inline">
                <input type="radio" name="kind" value="self-managed" checked={s.kind === 'self-managed'} onChange={() => setS(withKind(s, 'self-managed'))} /> Self-managed
                (ClusterForge runs the control plane on your instances)
              </label>
              <label className="inline">
                <input type="radio" name="kind" value="eks" checked={s.kind === 'eks'} onChange={() => setS(withKind(s, 'eks'))} /> Amazon EKS (AWS runs the
                control plane; managed node groups and Fargate)
              </label>
              {err('kind') && <div className="error" role="alert">{err('kind')}</div>}
            </fieldset>
            <Field label="Cluster name" error={err('name')} hint="lowercase letters, digits and dashes; unique in the project">
              {(a) => <input {...a} value={s.name} onChange={(e) => set({ name: e.target.value })} required />}
            </Field>
            <Field label="Description" error={err('description')}>
              {(a) => <input {...a} value={s.description} onChange={(e) => set({ description: e.target.value })} />}
            </Field>
            <Field label="Tags" error={err('tags')} hint="one key=value per line; set on every AWS resource">
              {(a) => <textarea {...a} rows={3} className="code" value={s.tags} onChange={(e) => set({ tags: e.target.value })} />}
            </Field>
          </>
        );
      case 1:
        return (
          <fieldset>
            <legend>Cluster profile</legend>
            {profiles.data?.items.length === 0 && <p>No profiles yet: create one under Cluster profiles.</p>}
            {profiles.data?.items.map((p) => (
              <label className="choice" key={p.id}>
                <input type="radio" name="profile" checked={s.profileId === p.id} onChange={() => set({ profileId: p.id, packOverrides: {} })} />
                <span>
                  <strong>{p.name}</strong> <span className="muted">{p.layers.map((l) => `${l.name} ${l.version}`).join(' · ')}</span>
                </span>
              </label>
            ))}
            {err('profileId') && <div className="error" role="alert">{err('profileId')}</div>}
          </fieldset>
        );
      case 2:
        return (
          <>
            <p>Override a layer's values for this cluster only; the YAML is merged over the profile's.</p>
            {!profile && <p className="error">Choose a profile first.</p>}
            {profile?.layers.map((l) => (
              <Field key={l.name} label={`${l.name} values override`} error={err(`packOverrides.${l.name}`) ?? err(`packOverrides["${l.name}"]`)} hint={l.values ? `profile values:\n${l.values}` : 'the profile sets no values'}>
                {(a) => (
                  <textarea {...a} rows={3} className="code" value={s.packOverrides[l.name] ?? ''} onChange={(e) => set({ packOverrides: { ...s.packOverrides, [l.name]: e.target.value } })} />
                )}
              </Field>
            ))}
          </>
        );
      case 3:
        return (
          <>
            <Field label="Cloud account" error={err('cloudAccountId')}>
              {(a) => (
                <select {...a} value={s.cloudAccountId} onChange={(e) => set({ cloudAccountId: e.target.value })} required>
                  <option value="">Choose an account…</option>
                  {accounts.data?.items.map((acc) => (
                    <option key={acc.id} value={acc.id}>
                      {acc.name} ({acc.type === 'sts' ? 'role' : 'keys'})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Region" error={err('region')}>
              {(a) => (
                <select {...a} value={s.region} onChange={(e) => set({ region: e.target.value, azs: regionAZs(e.target.value), pools: s.pools.map((p) => ({ ...p, azs: [] })) })}>
                  {regions.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              )}
            </Field>
            {s.kind === 'self-managed' && (
              <Field label="SSH key pair" error={err('sshKeyName')} hint="an EC2 key pair in the region; required with the bastion">
                {(a) => <input {...a} value={s.sshKeyName} onChange={(e) => set({ sshKeyName: e.target.value })} />}
              </Field>
            )}
            <fieldset>
              <legend>Placement</legend>
              <label className="inline">
                <input type="radio" name="placement" checked={s.placementType === 'dynamic'} onChange={() => set({ placementType: 'dynamic' })} /> Dynamic (a new VPC)
              </label>
              <label className="inline">
                <input type="radio" name="placement" checked={s.placementType === 'static'} onChange={() => set({ placementType: 'static' })} /> Static (your VPC and subnets)
              </label>
              {s.placementType === 'dynamic' ? (
                <>
                  <Field label="VPC CIDR" error={err('placement.vpcCidr')}>
                    {(a) => <input {...a} value={s.vpcCidr} onChange={(e) => set({ vpcCidr: e.target.value })} />}
                  </Field>
                  <fieldset>
                    <legend>Availability zones</legend>
                    {regionAZs(s.region).map((az) => (
                      <label className="inline" key={az}>
                        <input type="checkbox" checked={s.azs.includes(az)} onChange={(e) => set({ azs: e.target.checked ? [...s.azs, az].sort() : s.azs.filter((x) => x !== az) })} /> {az}
                      </label>
                    ))}
                    {err('placement.azs') && <div className="error" role="alert">{err('placement.azs')}</div>}
                  </fieldset>
                  <Field label="NAT gateways" error={err('placement.natGateways')}>
                    {(a) => (
                      <select {...a} value={s.natGateways} onChange={(e) => set({ natGateways: e.target.value as WizardState['natGateways'] })}>
                        <option value="perAz">One per AZ (highly available)</option>
                        <option value="single">Single</option>
                      </select>
                    )}
                  </Field>
                </>
              ) : (
                <>
                  <StaticPlacement
                    client={client}
                    accountId={s.cloudAccountId}
                    region={s.region}
                    value={{ vpcId: s.vpcId, controlPlaneSubnetIds: s.controlPlaneSubnetIds, workerSubnetIds: s.workerSubnetIds, publicSubnetIds: s.publicSubnetIds }}
                    onChange={set}
                    err={err}
                  />
                </>
              )}
            </fieldset>
            {s.kind === 'eks' ? (
              <EKSSettings value={s.eks} onChange={(eks) => set({ eks })} err={err} />
            ) : (
              <fieldset>
                <legend>Access</legend>
                <Field label="API server allowed CIDRs" error={err('apiServer')} hint="comma-separated">
                  {(a) => <input {...a} value={s.apiAllowedCidrs} onChange={(e) => set({ apiAllowedCidrs: e.target.value })} />}
                </Field>
                <label className="inline">
                  <input type="checkbox" checked={s.bastionEnabled} onChange={(e) => set({ bastionEnabled: e.target.checked })} /> Bastion host (the only SSH entry)
                </label>
                {s.bastionEnabled && (
                  <Field label="Bastion allowed CIDRs" error={err('bastion')} hint="comma-separated sources allowed to SSH">
                    {(a) => <input {...a} value={s.bastionAllowedCidrs} onChange={(e) => set({ bastionAllowedCidrs: e.target.value })} />}
                  </Field>
                )}
              </fieldset>
            )}
          </>
        );
      case 4:
        return s.kind === 'eks' ? (
          <p>
            Nothing to set for an EKS cluster: EKS updates each managed node group by itself, replacing at most the pool's <em>max unavailable</em> nodes at a time
            (set on the next step).
          </p>
        ) : (
          <>
            <label className="inline">
              <input type="checkbox" checked={s.updateWorkerPoolsInParallel} onChange={(e) => set({ updateWorkerPoolsInParallel: e.target.checked })} /> Update worker pools in parallel
            </label>
            <p className="hint">When set, a change to several worker pools rolls them together instead of one after another.</p>
          </>
        );
      case 5:
        return (
          <>
            {/* Pool-level errors show at their pool; this one is about the list. */}
            {errors.nodePools && (
              <p className="error" role="alert">
                {errors.nodePools}
              </p>
            )}
            {s.kind === 'eks' && <p className="hint">Each pool is an EKS managed node group in the private subnets of its AZs; AWS runs the control plane.</p>}
            {s.pools.map((p, i) => (
              <WizardPool
                key={i}
                pool={p}
                index={i}
                kind={s.kind}
                clusterAZs={s.azs}
                errors={errors}
                onChange={(patch) => setPool(i, patch)}
                onRemove={() => set({ pools: s.pools.filter((_, j) => j !== i) })}
              />
            ))}
            <button type="button" onClick={() => set({ pools: [...s.pools, newPool(s.kind === 'eks' ? `nodes-${s.pools.length + 1}` : `workers-${s.pools.length}`)] })}>
              {s.kind === 'eks' ? 'Add node group' : 'Add worker pool'}
            </button>
          </>
        );
      default:
        return plan ? <Review plan={plan} /> : <p>Preparing the plan…</p>;
    }
  })();

  const stray = step < steps.length - 1 ? unplaced(Object.fromEntries(Object.entries(errors).filter(([f]) => stepOfField(f) === step)), stepFields[step]) : unplaced(errors, stepFields.flat());
  return (
    <section aria-labelledby="wizard-title" className="wizard">
      <h1 id="wizard-title">Create cluster</h1>
      <ol className="steps" aria-label="Steps">
        {steps.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
            {i < step ? (
              <button type="button" className="link" onClick={() => setStep(i)}>
                {name}
              </button>
            ) : (
              name
            )}
          </li>
        ))}
      </ol>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (step === steps.length - 1) void deploy();
          else void next();
        }}
      >
        <h2 tabIndex={-1} ref={heading}>
          {steps[step]}
        </h2>
        <ErrorBanner error={profiles.error ?? accounts.error} />
        {body}
        {stray.map((m) => (
          <p className="error" role="alert" key={m}>
            {m}
          </p>
        ))}
        <div className="actions">
          {step > 0 && (
            <button type="button" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          {step < steps.length - 1 ? (
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Planning…' : 'Next'}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={busy || !plan}>
              Deploy
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function money(n: number, currency: string) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(n);
}

function Review({ plan }: { plan: DryRun }) {
  const byType = Object.entries(plan.plan.byType);
  const azs = [...new Set(byType.flatMap(([, m]) => Object.keys(m)))].sort();
  return (
    <div className="review">
      <dl className="facts">
        <dt>Cluster</dt>
        <dd>{plan.plan.clusterName}</dd>
        <dt>Kind</dt>
        <dd>{kindName(plan.plan.kind)}</dd>
        <dt>Region</dt>
        <dd>{plan.plan.region}</dd>
        <dt>Placement</dt>
        <dd>{plan.plan.placement}</dd>
        <dt>Monthly cost (on-demand)</dt>
        <dd>
          <strong>{money(plan.cost.onDemandMonthly, plan.cost.currency)}</strong>
        </dd>
        <dt>Monthly cost (with spot)</dt>
        <dd>{money(plan.cost.spotMonthly, plan.cost.currency)}</dd>
      </dl>
      <h3>Resources</h3>
      <table aria-label="Planned resources">
        <thead>
          <tr>
            <th scope="col">Type</th>
            {azs.map((az) => (
              <th scope="col" key={az}>
                {az}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {byType.map(([type, m]) => (
            <tr key={type}>
              <th scope="row">{type}</th>
              {azs.map((az) => (
                <td key={az}>{m[az] ?? ''}</td>
              ))}
              <td>{Object.values(m).reduce((a, b) => a + b, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Quota headroom</h3>
      {plan.quotaError && <p className="error">{plan.quotaError}</p>}
      <QuotaTable quotas={plan.quotas} />
      {plan.cost.assumptions.length > 0 && (
        <details>
          <summary>Cost assumptions</summary>
          <ul>
            {plan.cost.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
