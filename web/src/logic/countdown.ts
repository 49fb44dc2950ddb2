import type { Cluster } from '../types';

// formatCountdown renders a remaining duration as mm:ss (minutes may pass
// 59: "available in 75:00" reads better than an hour field nobody needs).
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export type ForceDeleteState =
  | { kind: 'hidden' }
  | { kind: 'locked'; label: string }
  | { kind: 'unlocking' }
  | { kind: 'available' };

// forceDeleteState: only a cluster being deleted can be force deleted, and
// only once the service says so (forceDelete.available, set when the unlock
// schedule fires); until then the button counts down to availableAt.
export function forceDeleteState(c: Pick<Cluster, 'status' | 'deletingSince' | 'forceDelete'>, nowMs: number): ForceDeleteState {
  const deleting = c.status === 'Deleting' || (c.status === 'Failed' && !!c.deletingSince);
  if (!deleting) return { kind: 'hidden' };
  if (c.forceDelete.available) return { kind: 'available' };
  const at = c.forceDelete.availableAt ? Date.parse(c.forceDelete.availableAt) : NaN;
  if (Number.isNaN(at)) return { kind: 'unlocking' };
  const left = at - nowMs;
  if (left <= 0) return { kind: 'unlocking' };
  return { kind: 'locked', label: `available in ${formatCountdown(left)}` };
}

// unlockDelay says how long after the deletion started force delete
// unlocks ("15 minutes" in production, shorter on the local cloud).
export function unlockDelay(deletingSince?: string, availableAt?: string): string {
  const ms = deletingSince && availableAt ? Date.parse(availableAt) - Date.parse(deletingSince) : NaN;
  if (!(ms > 0)) return 'some time';
  const s = Math.round(ms / 1000);
  if (s % 60 !== 0 || s < 60) return `${s} seconds`;
  const m = s / 60;
  return m === 1 ? '1 minute' : `${m} minutes`;
}
