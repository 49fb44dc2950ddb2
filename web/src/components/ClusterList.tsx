import type { Cluster } from '../types';
import type { Session } from './App';
import { usePoll } from '../hooks';
import { can } from '../logic/auth';
import { ErrorBanner, ProgressBar, StatusBadge, when } from './ui';

export function ClusterList({ session }: { session: Session }) {
  const { client, claims } = session;
  const list = usePoll(() => client.get<{ items: Cluster[] }>('/v1/clusters?limit=100'), 2000, 'clusters');
  return (
    <section aria-labelledby="clusters-title">
      <div className="page-head">
        <h1 id="clusters-title">Clusters</h1>
        {can.edit(claims.role) && (
          <a className="button primary" href="#/clusters/new">
            Create cluster
          </a>
        )}
      </div>
      <ErrorBanner error={list.error} />
      <table>
        <caption className="sr-only">Clusters of the project</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Region</th>
            <th scope="col">Nodes</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/clusters/${c.id}`}>{c.name}</a>
                {c.description && <div className="muted">{c.description}</div>}
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>
                <ProgressBar value={c.progress} label={`${c.name} progress`} />
              </td>
              <td>{c.region}</td>
              <td>{c.nodePools.reduce((n, p) => n + p.size, 0)}</td>
              <td>{when(c.createdAt)}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No clusters yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
