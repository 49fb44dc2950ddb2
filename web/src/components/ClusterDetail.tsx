import type { Cluster } from '../types';
import type { Session } from './App';
import { usePoll } from '../hooks';
import { kindName, poolShape } from '../logic/eks';
import { clusterEvents } from '../logic/events';
import { ErrorBanner, KeyValues, ProgressBar, StatusBadge, TaskRow, when } from './ui';
import { NodesTab } from './NodesTab';
import { SettingsTab } from './SettingsTab';

const tabs = [
  ['overview', 'Overview'],
  ['nodes', 'Nodes'],
  ['settings', 'Settings'],
] as const;

export function ClusterDetail({ session, id, tab }: { session: Session; id: string; tab: string }) {
  const poll = usePoll(() => session.client.get<Cluster>(`/v1/clusters/${id}`), 2000, id);
  const c = poll.data;
  if (!c) {
    return poll.error ? <ErrorBanner error={poll.error} /> : <p role="status">Loading cluster…</p>;
  }
  return (
    <section aria-labelledby="cluster-title">
      <p>
        <a href="#/clusters">← Clusters</a>
      </p>
      <div className="page-head">
        <h1 id="cluster-title">{c.name}</h1>
        <span aria-label="Cluster status" role="status">
          <StatusBadge status={c.status} />
        </span>
      </div>
      <ErrorBanner error={poll.error} />
      <div role="tablist" aria-label="Cluster sections" className="tabs">
        {tabs.map(([key, label]) => (
          <a key={key} role="tab" href={`#/clusters/${id}/${key}`} aria-selected={tab === key} className={tab === key ? 'active' : undefined}>
            {label}
          </a>
        ))}
      </div>
      <div role="tabpanel" aria-label={tabs.find(([k]) => k === tab)?.[1] ?? 'Overview'}>
        {tab === 'nodes' ? (
          <NodesTab session={session} cluster={c} reload={poll.reload} />
        ) : tab === 'settings' ? (
          <SettingsTab session={session} cluster={c} reload={poll.reload} />
        ) : (
          <Overview c={c} />
        )}
      </div>
    </section>
  );
}

function Overview({ c }: { c: Cluster }) {
  const tasks = c.tasks ?? [];
  const finished = tasks.filter((t) => t.state === 'Succeeded' || t.state === 'Skipped').length;
  return (
    <div className="overview">
      <div className="grid">
        <section className="card" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              {c.status}
              {c.statusMessage ? ` — ${c.statusMessage}` : ''}
            </dd>
            <dt>Progress</dt>
            <dd>
              <span className="bar-with-value">
                <ProgressBar value={c.progress} label="Cluster progress" /> {c.progress}%
              </span>
            </dd>
            <dt>Kind</dt>
            <dd>{kindName(c.kind)}</dd>
            {c.eks && (
              <>
                <dt>Kubernetes</dt>
                <dd>
                  {c.eks.kubernetesVersion} · endpoint {[c.eks.endpointAccess?.public && 'public', c.eks.endpointAccess?.private && 'private'].filter(Boolean).join(' and ')}
                </dd>
                <dt>Fargate profiles</dt>
                <dd>{c.eks.fargateProfiles?.map((f) => f.name).join(', ') || <span className="muted">none</span>}</dd>
              </>
            )}
            <dt>Region</dt>
            <dd>{c.region}</dd>
            <dt>Placement</dt>
            <dd>
              {c.placement?.type ?? 'dynamic'} {c.placement?.azs?.join(', ')}
            </dd>
            <dt>Tags</dt>
            <dd>
              <KeyValues m={c.tags} />
            </dd>
            <dt>Created</dt>
            <dd>{when(c.createdAt)}</dd>
            {c.deletingSince && (
              <>
                <dt>Deleting since</dt>
                <dd>{when(c.deletingSince)}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="card" aria-labelledby="tasks-title">
          <h2 id="tasks-title">
            Tasks{' '}
            <span className="muted">
              {finished}/{tasks.length} done
            </span>
          </h2>
          <ul className="tasks" aria-label="Tasks">
            {tasks.map((t) => (
              <TaskRow key={t.name} task={t} />
            ))}
          </ul>
        </section>
      </div>
      {c.forceDeleted && <Leftovers c={c} />}
      <section className="card" aria-labelledby="pools-title">
        <h2 id="pools-title">Node pools</h2>
        {c.nodePools.map((p) => (
          <div key={p.name} className="pool-summary">
            <h3>
              {p.name} <span className="muted">{poolShape(p, c.kind)}</span>
            </h3>
            {p.spotWaiting && <p className="banner">{p.spotWaiting}</p>}
            <NodeTable pool={p} />
          </div>
        ))}
      </section>
      <section className="card" aria-labelledby="resources-title">
          <h2 id="resources-title">Resources ({c.resources?.length ?? 0})</h2>
          <table aria-label="Resources">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">ID</th>
                <th scope="col">AZ</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {(c.resources ?? []).map((r) => (
                <tr key={r.type + r.id}>
                  <td>{r.type}</td>
                  <td>
                    <code>{r.id}</code>
                  </td>
                  <td className="nowrap">{r.az}</td>
                  <td>{r.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      <section className="card" aria-labelledby="events-title">
          <h2 id="events-title">Events</h2>
          <ol className="events" aria-label="Events">
            {clusterEvents(c).slice(0, 40).map((e, i) => (
              <li key={i}>
                <time dateTime={e.at}>{when(e.at)}</time> {e.text}
              </li>
            ))}
          </ol>
      </section>
    </div>
  );
}

export function NodeTable({ pool }: { pool: Cluster['nodePools'][number] }) {
  const nodes = pool.nodes ?? [];
  return (
    <table aria-label={`Nodes of ${pool.name}`}>
      <thead>
        <tr>
          <th scope="col">Instance</th>
          <th scope="col">AZ</th>
          <th scope="col">State</th>
          <th scope="col">Private IP</th>
          <th scope="col">Capacity</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.instanceId}>
            <td>
              <code>{n.instanceId}</code>
            </td>
            <td className="nowrap">{n.az}</td>
            <td>{n.state}</td>
            <td>{n.privateIp}</td>
            <td>
              {n.capacity}
              {n.spotPrice ? ` @ $${n.spotPrice}/h` : ''}
            </td>
          </tr>
        ))}
        {nodes.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              No nodes yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function Leftovers({ c }: { c: Cluster }) {
  const left = c.leftoverResources ?? [];
  return (
    <section className="card warn" aria-labelledby="leftovers-title">
      <h2 id="leftovers-title">Leftover resources</h2>
      <p>
        The cluster was force deleted. These resources may remain in your AWS account and keep costing money; delete them
        there.
      </p>
      <table aria-label="Leftover resources">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">ID</th>
            <th scope="col">Region</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {left.map((r) => (
            <tr key={r.type + r.id}>
              <td>{r.type}</td>
              <td>
                <code>{r.id}</code>
              </td>
              <td>{r.region}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
          {left.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                None found.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
