import { useState, type FormEvent } from 'react';
import type { Cluster, NodePool } from '../types';
import type { Session } from './App';
import { can } from '../logic/auth';
import { errorAt, fieldErrors, unplaced, type FieldErrors } from '../logic/errors';
import { editOf, poolPatch, type PoolEdit } from '../logic/nodepool';
import { Field as Field2, KeyValues, FormActions, FormErrors } from './ui';
import { NodeTable } from './ClusterDetail';
import { CapacityFields, TaintEditor, instanceTypes } from './PoolFields';

export function NodesTab({ session, cluster, reload }: { session: Session; cluster: Cluster; reload: () => Promise<void> }) {
  const [editing, setEditing] = useState<string | undefined>();
  const editable = can.edit(session.claims.role) && cluster.status === 'Running';
  const eks = cluster.kind === 'eks';
  return (
    <div>
      {!editable && can.edit(session.claims.role) && <p className="hint">Node pools can be edited while the cluster is Running (now {cluster.status}).</p>}
      {cluster.nodePools.map((p) => (
        <section className="card" key={p.name} aria-labelledby={`pool-${p.name}`}>
          <div className="page-head">
            <h2 id={`pool-${p.name}`}>
              {p.name} <span className="muted">{p.controlPlane ? 'control plane' : eks ? 'managed node group' : 'workers'}</span>
            </h2>
            {editable && editing !== p.name && (
              <button type="button" onClick={() => setEditing(p.name)} aria-label={`Edit pool ${p.name}`}>
                Edit
              </button>
            )}
          </div>
          {editing === p.name ? (
            <EditPool
              session={session}
              cluster={cluster}
              pool={p}
              onDone={() => {
                setEditing(undefined);
                void reload();
              }}
            />
          ) : (
            <dl className="facts">
              <dt>Size</dt>
              <dd>{p.size}</dd>
              <dt>Instance type</dt>
              <dd>{p.instanceTypes?.length ? p.instanceTypes.join(', ') : p.instanceType}</dd>
              {eks && (
                <>
                  <dt>Scaling</dt>
                  <dd>
                    {p.minSize}–{p.maxSize} nodes
                  </dd>
                  <dt>Max unavailable</dt>
                  <dd>{p.maxUnavailable ?? 1}</dd>
                </>
              )}
              <dt>AZs</dt>
              <dd>{p.azs?.join(', ')}</dd>
              <dt>Labels</dt>
              <dd aria-label={`Labels of ${p.name}`}>
                <KeyValues m={p.labels} />
              </dd>
              <dt>Taints</dt>
              <dd>{(p.taints ?? []).map((t) => `${t.key}${t.value ? '=' + t.value : ''}:${t.effect}`).join(', ') || <span className="muted">none</span>}</dd>
              {!eks && (
                <>
                  <dt>Rolling update</dt>
                  <dd>{p.rollingUpdate}</dd>
                </>
              )}
              <dt>Capacity</dt>
              <dd>{p.capacity?.type !== 'spot' ? 'on-demand' : p.capacity.spotMaxPricePercent ? `spot, max ${p.capacity.spotMaxPricePercent}% of on-demand` : 'spot'}</dd>
            </dl>
          )}
          <NodeTable pool={p} />
        </section>
      ))}
    </div>
  );
}

function EditPool({ session, cluster, pool, onDone }: { session: Session; cluster: Cluster; pool: NodePool; onDone: () => void }) {
  const [edit, setEdit] = useState<PoolEdit>(() => editOf(pool));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<PoolEdit>) => setEdit((e) => ({ ...e, ...patch }));
  const label = `Pool ${pool.name}`;
  const eks = cluster.kind === 'eks';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { body, error } = poolPatch(pool, edit, cluster.version, cluster.kind);
    if (error) return setErrors({ [error.field]: error.message });
    if (!body) return onDone();
    setBusy(true);
    try {
      await session.client.send('PATCH', `/v1/clusters/${cluster.id}/nodepools/${encodeURIComponent(pool.name)}`, body);
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={`Edit ${pool.name}`}>
      <div className="row">
        <Field2 label={`${label} size`} error={errorAt(errors, 'size')}>
          {(a) =>
            pool.controlPlane ? (
              <select {...a} value={edit.size} onChange={(e) => set({ size: Number(e.target.value) })}>
                {[1, 3, 5].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            ) : (
              <input {...a} type="number" min={0} value={edit.size} onChange={(e) => set({ size: Number(e.target.value) })} />
            )
          }
        </Field2>
        {eks && (
          <>
            <Field2 label={`${label} min size`} error={errorAt(errors, 'minSize')}>
              {(a) => <input {...a} type="number" min={0} value={edit.minSize} onChange={(e) => set({ minSize: Number(e.target.value) })} />}
            </Field2>
            <Field2 label={`${label} max size`} error={errorAt(errors, 'maxSize')}>
              {(a) => <input {...a} type="number" min={1} value={edit.maxSize} onChange={(e) => set({ maxSize: Number(e.target.value) })} />}
            </Field2>
          </>
        )}
        {eks ? (
          <Field2 label={`${label} instance types`} hint="a change replaces the node group" error={errorAt(errors, 'instanceTypes') ?? errorAt(errors, 'instanceType')}>
            {(a) => <input {...a} value={edit.instanceTypes} onChange={(e) => set({ instanceTypes: e.target.value })} />}
          </Field2>
        ) : (
          <Field2 label={`${label} instance type`} error={errorAt(errors, 'instanceType')}>
            {(a) => (
              <select {...a} value={edit.instanceType} onChange={(e) => set({ instanceType: e.target.value })}>
                {[...new Set([edit.instanceType, ...instanceTypes])].filter(Boolean).map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field2>
        )}
      </div>
      {!pool.controlPlane && (
        <>
          <Field2 label={`${label} labels`} hint="one key=value per line; remove a line to remove the label" error={errorAt(errors, 'labels')}>
            {(a) => <textarea {...a} rows={3} className="code" value={edit.labels} onChange={(e) => set({ labels: e.target.value })} />}
          </Field2>
          <TaintEditor label={`${label} taint`} taints={edit.taints} onChange={(taints) => set({ taints })} error={errorAt(errors, 'taints')} />
          {eks ? (
            <Field2 label={`${label} max unavailable`} error={errorAt(errors, 'maxUnavailable')}>
              {(a) => <input {...a} type="number" min={1} max={100} value={edit.maxUnavailable} onChange={(e) => set({ maxUnavailable: Number(e.target.value) })} />}
            </Field2>
          ) : (
            <Field2 label={`${label} rolling update`} error={errorAt(errors, 'rollingUpdate')}>
              {(a) => (
                <select {...a} value={edit.rollingUpdate} onChange={(e) => set({ rollingUpdate: e.target.value as PoolEdit['rollingUpdate'] })}>
                  <option value="expandFirst">Expand first</option>
                  <option value="contractFirst">Contract first</option>
                </select>
              )}
            </Field2>
          )}
          <CapacityFields
            prefix={label}
            type={edit.capacityType}
            percent={eks ? undefined : edit.spotMaxPricePercent}
            onChange={(capacityType, spotMaxPricePercent) => set({ capacityType, spotMaxPricePercent: spotMaxPricePercent ?? edit.spotMaxPricePercent })}
            error={errorAt(errors, 'capacity')}
          />
        </>
      )}
      <FormErrors messages={unplaced(errors, ['size', 'instanceType', 'labels', 'taints', 'rollingUpdate', 'capacity', ...(eks ? ['minSize', 'maxSize', 'instanceTypes', 'maxUnavailable'] : [])])} />
      <FormActions submit="Save changes" busy={busy} onCancel={onDone} />
    </form>
  );
}

