import { errorAt, unplaced, type FieldErrors } from '../logic/errors';
import type { ClusterKind, PoolForm } from '../logic/wizard';
import { CapacityFields, TaintEditor, instanceTypes } from './PoolFields';
import { Field } from './ui';

// The sub-fields a pool's inputs show; any other error of the pool is
// listed under it so none is lost.
const shownFields = ['name', 'size', 'instanceType', 'azs', 'labels', 'taints', 'rollingUpdate', 'capacity', 'minSize', 'maxSize', 'instanceTypes', 'maxUnavailable'];

// WizardPool is one node pool of the wizard's node pools step: for a
// self-managed cluster the control plane or a worker pool, for eks a
// managed node group (scaling min/max, several instance types, max
// unavailable; no rolling update order or spot max price).
export function WizardPool(props: {
  pool: PoolForm;
  index: number;
  kind: ClusterKind;
  clusterAZs: string[];
  errors: FieldErrors;
  onChange: (patch: Partial<PoolForm>) => void;
  onRemove: () => void;
}) {
  const { pool: p, index: i, kind, clusterAZs, errors, onChange: setPool } = props;
  const eks = kind === 'eks';
  const label = `Pool ${i + 1}`;
  const path = `nodePools[${i}]`;
  const err = (f: string) => errorAt(errors, f);
  const num = (f: 'size' | 'minSize' | 'maxSize', text: string, min: number) => (
    <Field label={`${label} ${text}`} error={err(`${path}.${f}`)}>
      {(a) => <input {...a} type="number" min={min} max={eks ? 450 : undefined} value={p[f]} onChange={(e) => setPool({ [f]: Number(e.target.value) })} />}
    </Field>
  );
  return (
    <fieldset className="pool">
      <legend>{p.controlPlane ? 'Control plane pool' : eks ? `Node group ${p.name || i + 1}` : `Worker pool ${p.name || i + 1}`}</legend>
      <div className="row">
        <Field label={`${label} name`} error={err(`${path}.name`)}>
          {(a) => <input {...a} value={p.name} onChange={(e) => setPool({ name: e.target.value })} required />}
        </Field>
        {p.controlPlane ? (
          <Field label={`${label} size`} error={err(`${path}.size`)}>
            {(a) => (
              <select {...a} value={p.size} onChange={(e) => setPool({ size: Number(e.target.value) })}>
                {[1, 3, 5].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          num('size', eks ? 'size (desired)' : 'size', 0)
        )}
        {eks && num('minSize', 'min size', 0)}
        {eks && num('maxSize', 'max size', 1)}
        {eks ? (
          <Field label={`${label} instance types`} hint="comma-separated; several let EKS pick (useful for spot)" error={err(`${path}.instanceTypes`) ?? err(`${path}.instanceType`)}>
            {(a) => <input {...a} value={p.instanceTypes} onChange={(e) => setPool({ instanceTypes: e.target.value })} />}
          </Field>
        ) : (
          <Field label={`${label} instance type`} error={err(`${path}.instanceType`)}>
            {(a) => (
              <select {...a} value={p.instanceType} onChange={(e) => setPool({ instanceType: e.target.value })}>
                {instanceTypes.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      {p.controlPlane ? (
        <label className="inline">
          <input type="checkbox" checked={p.allowWorkerCapability} onChange={(e) => setPool({ allowWorkerCapability: e.target.checked })} /> Allow worker
          capability (schedule workloads on control-plane nodes)
        </label>
      ) : (
        <>
          <fieldset>
            <legend>{label} availability zones</legend>
            {clusterAZs.map((az) => (
              <label className="inline" key={az}>
                <input
                  type="checkbox"
                  checked={p.azs.length === 0 || p.azs.includes(az)}
                  onChange={(e) => {
                    const current = p.azs.length ? p.azs : clusterAZs;
                    setPool({ azs: e.target.checked ? [...current, az].filter((x, k, all) => all.indexOf(x) === k) : current.filter((x) => x !== az) });
                  }}
                />{' '}
                {az}
              </label>
            ))}
            {err(`${path}.azs`) && <div className="error" role="alert">{err(`${path}.azs`)}</div>}
          </fieldset>
          <Field label={`${label} labels`} hint="one key=value per line" error={err(`${path}.labels`)}>
            {(a) => <textarea {...a} rows={2} className="code" value={p.labels} onChange={(e) => setPool({ labels: e.target.value })} />}
          </Field>
          <TaintEditor label={`${label} taint`} taints={p.taints} onChange={(taints) => setPool({ taints })} error={err(`${path}.taints`)} />
          {eks ? (
            <Field label={`${label} max unavailable`} hint="nodes replaced at once in an update; empty: 1" error={err(`${path}.maxUnavailable`)}>
              {(a) => <input {...a} type="number" min={1} max={100} value={p.maxUnavailable} onChange={(e) => setPool({ maxUnavailable: e.target.value })} />}
            </Field>
          ) : (
            <Field label={`${label} rolling update`} error={err(`${path}.rollingUpdate`)}>
              {(a) => (
                <select {...a} value={p.rollingUpdate} onChange={(e) => setPool({ rollingUpdate: e.target.value as PoolForm['rollingUpdate'] })}>
                  <option value="expandFirst">Expand first (launch new, then drain old)</option>
                  <option value="contractFirst">Contract first (drain old, then launch new)</option>
                </select>
              )}
            </Field>
          )}
          <CapacityFields
            prefix={label}
            type={p.capacityType}
            percent={eks ? undefined : p.spotMaxPricePercent}
            onChange={(capacityType, spotMaxPricePercent) => setPool({ capacityType, ...(spotMaxPricePercent === undefined ? {} : { spotMaxPricePercent }) })}
            error={err(`${path}.capacity`)}
          />
          <button type="button" onClick={props.onRemove}>
            Remove {label.toLowerCase()}
          </button>
        </>
      )}
      {unplaced(
        Object.fromEntries(Object.entries(errors).filter(([f]) => f.startsWith(path + '.') || f === path)),
        shownFields.map((x) => `${path}.${x}`),
      ).map((m) => (
        <p className="error" role="alert" key={m}>
          {m}
        </p>
      ))}
    </fieldset>
  );
}
