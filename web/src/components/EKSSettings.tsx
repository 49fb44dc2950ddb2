import { eksLogTypes, eksRoleFields, eksVersions, newFargateProfile, type EKSForm, type FargateProfileForm, type FargateSelectorForm } from '../logic/eks';
import { Field } from './ui';

type Err = (field: string) => string | undefined;

// EKSSettings is the cloud settings step's part for kind eks: the control
// plane AWS runs (version, endpoint access, logging, secrets encryption,
// existing roles) and the Fargate profiles.
export function EKSSettings({ value: e, onChange, err }: { value: EKSForm; onChange: (e: EKSForm) => void; err: Err }) {
  const set = (patch: Partial<EKSForm>) => onChange({ ...e, ...patch });
  // A public CIDR's error shows at its input; the rest (neither public nor
  // private) on the group.
  const endpointErr = e.endpointPublic && err('eks.endpointAccess.publicCidrs') ? undefined : err('eks.endpointAccess');
  return (
    <>
      <fieldset>
        <legend>EKS</legend>
        <Field label="Kubernetes version" error={err('eks.kubernetesVersion')}>
          {(a) => (
            <select {...a} value={e.kubernetesVersion} onChange={(ev) => set({ kubernetesVersion: ev.target.value })}>
              {eksVersions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>Endpoint access</legend>
          <label className="inline">
            <input type="checkbox" checked={e.endpointPublic} onChange={(ev) => set({ endpointPublic: ev.target.checked })} /> Public endpoint
          </label>
          <label className="inline">
            <input type="checkbox" checked={e.endpointPrivate} onChange={(ev) => set({ endpointPrivate: ev.target.checked })} /> Private endpoint (from the VPC)
          </label>
          {e.endpointPublic && (
            <Field label="Public access CIDRs" error={err('eks.endpointAccess.publicCidrs')} hint="comma-separated; empty: 0.0.0.0/0">
              {(a) => <input {...a} value={e.publicCidrs} onChange={(ev) => set({ publicCidrs: ev.target.value })} />}
            </Field>
          )}
          {endpointErr && (
            <div className="error" role="alert">
              {endpointErr}
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>Control-plane logging</legend>
          {eksLogTypes.map((t) => (
            <label className="inline" key={t}>
              <input
                type="checkbox"
                checked={e.logging.includes(t)}
                onChange={(ev) => set({ logging: ev.target.checked ? [...e.logging, t] : e.logging.filter((x) => x !== t) })}
              />{' '}
              {t}
            </label>
          ))}
          {err('eks.logging') && <div className="error" role="alert">{err('eks.logging')}</div>}
        </fieldset>
        <Field label="Secrets encryption KMS key ARN" error={err('eks.secretsEncryptionKeyArn')} hint="optional; a key in the cluster's region">
          {(a) => <input {...a} value={e.secretsEncryptionKeyArn} onChange={(ev) => set({ secretsEncryptionKeyArn: ev.target.value })} />}
        </Field>
        <details>
          <summary>Existing IAM roles (optional; else ClusterForge creates them)</summary>
          {eksRoleFields.map(([field, label]) => (
            <Field key={field} label={label} error={err(`eks.${field}`)}>
              {(a) => <input {...a} value={e[field]} onChange={(ev) => set({ [field]: ev.target.value })} />}
            </Field>
          ))}
        </details>
      </fieldset>
      <FargateProfiles profiles={e.fargateProfiles} onChange={(fargateProfiles) => set({ fargateProfiles })} err={err} />
    </>
  );
}

function FargateProfiles({ profiles, onChange, err }: { profiles: FargateProfileForm[]; onChange: (p: FargateProfileForm[]) => void; err: Err }) {
  const setProfile = (i: number, patch: Partial<FargateProfileForm>) => onChange(profiles.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const setSelector = (i: number, k: number, patch: Partial<FargateSelectorForm>) =>
    setProfile(i, { selectors: profiles[i].selectors.map((s, j) => (j === k ? { ...s, ...patch } : s)) });
  return (
    <fieldset>
      <legend>Fargate profiles</legend>
      <p className="hint">Pods matching a selector (a namespace and optional labels) run on Fargate, in the private subnets.</p>
      {profiles.map((fp, i) => {
        const path = `eks.fargateProfiles[${i}]`;
        const label = `Fargate profile ${i + 1}`;
        return (
          <fieldset key={i} className="pool">
            <legend>{label}</legend>
            <Field label={`${label} name`} error={err(`${path}.name`)}>
              {(a) => <input {...a} value={fp.name} onChange={(ev) => setProfile(i, { name: ev.target.value })} />}
            </Field>
            {fp.selectors.map((sel, k) => (
              <div className="row" key={k}>
                <Field label={`${label} selector ${k + 1} namespace`} error={err(`${path}.selectors[${k}].namespace`)}>
                  {(a) => <input {...a} value={sel.namespace} onChange={(ev) => setSelector(i, k, { namespace: ev.target.value })} />}
                </Field>
                <Field label={`${label} selector ${k + 1} labels`} hint="one key=value per line" error={err(`${path}.selectors[${k}].labels`)}>
                  {(a) => <textarea {...a} rows={1} className="code" value={sel.labels} onChange={(ev) => setSelector(i, k, { labels: ev.target.value })} />}
                </Field>
                {fp.selectors.length > 1 && (
                  <button type="button" className="small" onClick={() => setProfile(i, { selectors: fp.selectors.filter((_, j) => j !== k) })}>
                    Remove selector {k + 1}
                  </button>
                )}
              </div>
            ))}
            {err(`${path}.selectors`) && !fp.selectors.some((_, k) => err(`${path}.selectors[${k}]`)) && (
              <div className="error" role="alert">{err(`${path}.selectors`)}</div>
            )}
            <button type="button" className="small" onClick={() => setProfile(i, { selectors: [...fp.selectors, { namespace: '', labels: '' }] })}>
              Add selector
            </button>{' '}
            <button type="button" className="small" onClick={() => onChange(profiles.filter((_, j) => j !== i))}>
              Remove {label.toLowerCase()}
            </button>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => onChange([...profiles, newFargateProfile(profiles.length ? `fargate-${profiles.length + 1}` : 'fargate')])}>
        Add Fargate profile
      </button>
    </fieldset>
  );
}
