import { useState, type FormEvent } from 'react';
import type { ClusterProfile, Layer } from '../types';
import type { Session } from './App';
import { usePoll } from '../hooks';
import { can } from '../logic/auth';
import { errorAt, fieldErrors, unplaced, type FieldErrors } from '../logic/errors';
import { ErrorBanner, Field, when, FormActions, FormErrors } from './ui';

const layerTypes: Layer['type'][] = ['os', 'kubernetes', 'cni', 'csi', 'addon'];

export function Profiles({ session }: { session: Session }) {
  const { client, claims } = session;
  const list = usePoll(() => client.get<{ items: ClusterProfile[] }>('/v1/clusterprofiles?limit=100'), 0, 'profiles');
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="profiles-title">
      <div className="page-head">
        <h1 id="profiles-title">Cluster profiles</h1>
        {can.edit(claims.role) && !creating && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create profile
          </button>
        )}
      </div>
      <ErrorBanner error={list.error} />
      {creating && (
        <CreateProfile
          session={session}
          onDone={() => {
            setCreating(false);
            void list.reload();
          }}
        />
      )}
      <table>
        <caption className="sr-only">Cluster profiles of the project</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Layers</th>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((p) => (
            <tr key={p.id}>
              <td>
                <strong>{p.name}</strong>
                {p.description && <div className="muted">{p.description}</div>}
              </td>
              <td>
                <ol className="layers">
                  {p.layers.map((l) => (
                    <li key={l.name}>
                      <span className="layer-type">{l.type}</span> {l.name} {l.version}
                    </li>
                  ))}
                </ol>
              </td>
              <td>{p.version}</td>
              <td>{when(p.createdAt)}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No profiles yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

const starter: Layer[] = [
  { type: 'os', name: 'ubuntu', version: '24.04', values: '' },
  { type: 'kubernetes', name: 'kubernetes', version: '1.31.4', values: 'podCIDR: 192.168.0.0/16\nserviceCIDR: 10.96.0.0/12\n' },
  { type: 'cni', name: 'cilium', version: '1.16.1', values: 'ipam:\n  mode: kubernetes\n' },
  { type: 'csi', name: 'aws-ebs-csi', version: '1.35.0', values: '' },
];

function CreateProfile({ session, onDone }: { session: Session; onDone: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [layers, setLayers] = useState<Layer[]>(starter);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const update = (i: number, patch: Partial<Layer>) => setLayers(layers.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      await session.client.send('POST', '/v1/clusterprofiles', {
        name,
        ...(description ? { description } : {}),
        layers: layers.map((l) => ({ type: l.type, name: l.name, version: l.version, ...(l.values?.trim() ? { values: l.values } : {}) })),
      });
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-profile-title">
      <h2 id="create-profile-title">Create cluster profile</h2>
      <Field label="Profile name" error={errorAt(errors, 'name')}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Profile description" error={errorAt(errors, 'description')}>
        {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <h3>Layers</h3>
      {layers.map((l, i) => (
        <fieldset key={i} className="layer">
          <legend>Layer {i + 1}</legend>
          <div className="row">
            <Field label={`Layer ${i + 1} type`} error={errorAt(errors, `layers[${i}].type`)}>
              {(p) => (
                <select {...p} value={l.type} onChange={(e) => update(i, { type: e.target.value as Layer['type'] })}>
                  {layerTypes.map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={`Layer ${i + 1} name`} error={errorAt(errors, `layers[${i}].name`)}>
              {(p) => <input {...p} value={l.name} onChange={(e) => update(i, { name: e.target.value })} required />}
            </Field>
            <Field label={`Layer ${i + 1} version`} error={errorAt(errors, `layers[${i}].version`)}>
              {(p) => <input {...p} value={l.version} onChange={(e) => update(i, { version: e.target.value })} required />}
            </Field>
          </div>
          <Field label={`Layer ${i + 1} values (YAML)`} error={errorAt(errors, `layers[${i}].values`)}>
            {(p) => <textarea {...p} className="code" rows={3} value={l.values ?? ''} onChange={(e) => update(i, { values: e.target.value })} />}
          </Field>
          <button type="button" onClick={() => setLayers(layers.filter((_, j) => j !== i))} aria-label={`Remove layer ${i + 1}`}>
            Remove layer
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => setLayers([...layers, { type: 'addon', name: '', version: '', values: '' }])}>
        Add layer
      </button>
      <FormErrors messages={unplaced(errors, ['name', 'description', 'layers'])} />
      {errorAt(errors, 'layers') && !layers.some((_, i) => errorAt(errors, `layers[${i}]`)) && (
        <p className="error" role="alert">
          {errorAt(errors, 'layers')}
        </p>
      )}
      <FormActions submit="Create profile" busy={busy} onCancel={onDone} />
    </form>
  );
}
