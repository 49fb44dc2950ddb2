import type { Cluster } from '../types';

export interface ClusterEvent { at: string; text: string }

// clusterEvents derives the cluster's event timeline from what the API
// records: creation, deletion start and every task's start and finish,
// newest first.
export function clusterEvents(c: Cluster): ClusterEvent[] {
  const out: ClusterEvent[] = [{ at: c.createdAt, text: 'Cluster created' }];
  if (c.deletingSince) out.push({ at: c.deletingSince, text: 'Deletion started' });
  for (const t of c.tasks ?? []) {
    if (t.startedAt) out.push({ at: t.startedAt, text: `Task ${t.name} started` });
    if (t.finishedAt) {
      const what = t.state === 'Failed' ? `failed${t.message ? `: ${t.message}` : ''}` : t.state.toLowerCase();
      out.push({ at: t.finishedAt, text: `Task ${t.name} ${what}` });
    }
  }
  return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.text.localeCompare(b.text));
}

// taskPercent is a task's progress bar value: done/total when the task
// counts, else 0 or 100 by state.
export function taskPercent(t: { state: string; done?: number; total?: number }): number {
  if (t.state === 'Succeeded' || t.state === 'Skipped') return 100;
  if (t.total && t.total > 0) return Math.round((100 * (t.done ?? 0)) / t.total);
  return 0;
}
