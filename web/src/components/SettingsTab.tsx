import { useState } from 'react';
import type { Cluster } from '../types';
import type { Session } from './App';
import { useNow } from '../hooks';
import { can } from '../logic/auth';
import { forceDeleteState, unlockDelay } from '../logic/countdown';
import { ErrorBanner, Field } from './ui';
import { Leftovers } from './ClusterDetail';

// Settings → Delete and Force delete. Delete needs project-editor, force
// delete an admin (the API enforces both; the page only hides what the
// role cannot do). A viewer sees neither button.
export function SettingsTab({ session, cluster, reload }: { session: Session; cluster: Cluster; reload: () => Promise<void> }) {
  const role = session.claims.role;
  const now = useNow(1000);
  const [confirming, setConfirming] = useState<'delete' | 'force' | undefined>();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const fd = forceDeleteState(cluster, now);

  async function act(kind: 'delete' | 'force') {
    setBusy(true);
    setError(undefined);
    try {
      if (kind === 'delete') await session.client.send('DELETE', `/v1/clusters/${cluster.id}`);
      else await session.client.send('POST', `/v1/clusters/${cluster.id}/forcedelete`);
      setConfirming(undefined);
      setTyped('');
      await reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (!can.edit(role)) {
    return <p className="hint">Your role ({role}) can view this cluster but not change or delete it.</p>;
  }

  const canDelete = cluster.status !== 'Deleted';
  return (
    <div>
      <ErrorBanner error={error} />
      {cluster.forceDeleted && <Leftovers c={cluster} />}
      <section className="card danger" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete cluster</h2>
        <p>
          Deletion removes every resource ClusterForge created in your account: nodes, load balancers, NAT gateways, the VPC.
          {cluster.status === 'Deleting' ? ' Deleting again restarts the deletion workflow.' : ''}
        </p>
        {canDelete && confirming !== 'delete' && (
          <button type="button" className="danger" onClick={() => setConfirming('delete')}>
            Delete cluster
          </button>
        )}
        {confirming === 'delete' && (
          <Confirm
            what="delete"
            name={cluster.name}
            typed={typed}
            setTyped={setTyped}
            busy={busy}
            onConfirm={() => act('delete')}
            onCancel={() => setConfirming(undefined)}
          />
        )}
        {cluster.status === 'Deleted' && <p role="status">The cluster is deleted.</p>}
      </section>
      {can.admin(role) && fd.kind !== 'hidden' && (
        <section className="card danger" aria-labelledby="force-title">
          <h2 id="force-title">Force delete</h2>
          <p>
            When a deletion is stuck, force delete stops it and marks the cluster deleted. Whatever is left in your account is
            listed for you to remove. It becomes available{' '}
            {unlockDelay(cluster.deletingSince, cluster.forceDelete.availableAt)} after the deletion started.
          </p>
          {confirming === 'force' ? (
            <Confirm
              what="force delete"
              name={cluster.name}
              typed={typed}
              setTyped={setTyped}
              busy={busy}
              onConfirm={() => act('force')}
              onCancel={() => setConfirming(undefined)}
            />
          ) : (
            <>
              <button
                type="button"
                className="danger"
                disabled={fd.kind !== 'available'}
                aria-describedby="force-when"
                onClick={() => setConfirming('force')}
              >
                Force delete
              </button>{' '}
              <span id="force-when" className="muted" role="timer" aria-live="off">
                {fd.kind === 'locked' ? fd.label : fd.kind === 'unlocking' ? 'unlocking…' : 'available now'}
              </span>
            </>
          )}
        </section>
      )}
    </div>
  );
}

function Confirm(props: {
  what: string;
  name: string;
  typed: string;
  setTyped: (s: string) => void;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div role="dialog" aria-labelledby="confirm-title" className="confirm">
      <h3 id="confirm-title">Confirm {props.what}</h3>
      <Field label={`Type ${props.name} to confirm`}>
        {(a) => <input {...a} autoFocus value={props.typed} onChange={(e) => props.setTyped(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="button" className="danger" disabled={props.busy || props.typed !== props.name} onClick={props.onConfirm}>
          Confirm {props.what}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
