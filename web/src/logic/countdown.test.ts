import { describe, expect, it } from 'vitest';
import { forceDeleteState, formatCountdown, unlockDelay } from './countdown';

describe('formatCountdown', () => {
  it.each([
    [0, '00:00'],
    [-5000, '00:00'],
    [999, '00:01'], // rounds up: never "00:00" while still locked
    [30_000, '00:30'],
    [61_000, '01:01'],
    [15 * 60_000, '15:00'],
    [75 * 60_000, '75:00'],
  ])('%i ms is %s', (ms, want) => expect(formatCountdown(ms)).toBe(want));
});

describe('forceDeleteState', () => {
  const since = '2026-01-01T00:00:00Z';
  const at = '2026-01-01T00:15:00Z';
  const t = (iso: string) => Date.parse(iso);
  it('is hidden unless the cluster is being deleted', () => {
    expect(forceDeleteState({ status: 'Running', forceDelete: { available: false } }, 0).kind).toBe('hidden');
    expect(forceDeleteState({ status: 'Failed', forceDelete: { available: false } }, 0).kind).toBe('hidden');
    expect(forceDeleteState({ status: 'Deleted', deletingSince: since, forceDelete: { available: false, availableAt: at } }, 0).kind).toBe('hidden');
  });
  it('counts down to availableAt', () => {
    const s = forceDeleteState({ status: 'Deleting', deletingSince: since, forceDelete: { available: false, availableAt: at } }, t('2026-01-01T00:01:30Z'));
    expect(s).toEqual({ kind: 'locked', label: 'available in 13:30' });
  });
  it('waits for the service after the countdown ends', () => {
    const s = forceDeleteState({ status: 'Deleting', deletingSince: since, forceDelete: { available: false, availableAt: at } }, t('2026-01-01T00:15:01Z'));
    expect(s.kind).toBe('unlocking');
  });
  it('is available when the service says so, also for a failed deletion', () => {
    expect(forceDeleteState({ status: 'Failed', deletingSince: since, forceDelete: { available: true, availableAt: at } }, t(since)).kind).toBe('available');
  });
});

describe('unlockDelay', () => {
  it('says the delay in words', () => {
    expect(unlockDelay('2026-01-01T00:00:00Z', '2026-01-01T00:15:00Z')).toBe('15 minutes');
    expect(unlockDelay('2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z')).toBe('30 seconds');
    expect(unlockDelay(undefined, '2026-01-01T00:00:30Z')).toBe('some time');
  });
});
