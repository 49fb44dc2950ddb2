import { describe, expect, it } from 'vitest';
import { can, decodeClaims, isExpired } from './auth';
import { clusterEvents, taskPercent } from './events';
import { formatKeyValues, parseKeyValues, splitList } from './kv';
import { editOf, poolPatch } from './nodepool';
import { trustPolicy } from './trust';
import type { Cluster, NodePool } from '../types';

const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (claims: unknown) => `${b64url({ alg: 'RS256' })}.${b64url(claims)}.sig`;

describe('decodeClaims', () => {
  it('reads tenant, project, role and sub', () => {
    const c = decodeClaims(jwt({ tenant: 'acme', project: 'p1', role: 'viewer', sub: 'ana', exp: 100 }));
    expect(c).toEqual({ tenant: 'acme', project: 'p1', role: 'viewer', sub: 'ana', exp: 100 });
    expect(isExpired(c, 99_000)).toBe(false);
    expect(isExpired(c, 100_000)).toBe(true);
  });
  it('rejects what is not a usable token', () => {
    expect(() => decodeClaims('abc')).toThrow(/three/);
    expect(() => decodeClaims(jwt({ tenant: 'a', project: 'p', role: 'root', sub: 's' }))).toThrow(/role/);
    expect(() => decodeClaims(jwt({ project: 'p', role: 'viewer', sub: 's' }))).toThrow(/tenant/);
  });
  it('ranks roles as the API does', () => {
    expect([can.edit('viewer'), can.edit('project-editor'), can.admin('project-editor'), can.admin('project-admin'), can.admin('tenant-admin')]).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
  });
});

describe('key/values', () => {
  it('round-trips and trims', () => {
    expect(parseKeyValues(' a = 1 \n\nb=x=y')).toEqual({ value: { a: '1', b: 'x=y' } });
    expect(formatKeyValues({ a: '1', b: '2' })).toBe('a=1\nb=2');
    expect(splitList('a, b  c,,')).toEqual(['a', 'b', 'c']);
  });
});

describe('poolPatch', () => {
  const pool: NodePool = {
    name: 'general',
    size: 3,
    instanceType: 'm5.large',
    labels: { tier: 'web', old: 'x' },
    taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
    rollingUpdate: 'expandFirst',
    capacity: { type: 'onDemand' },
  };
  it('sends nothing when nothing changed', () => {
    expect(poolPatch(pool, editOf(pool), 7)).toEqual({});
  });
  it('is a merge patch: changed labels, removed ones null, with the version', () => {
    const e = { ...editOf(pool), labels: 'tier=frontend\nteam=payments' };
    expect(poolPatch(pool, e, 7)).toEqual({ body: { version: 7, labels: { old: null, tier: 'frontend', team: 'payments' } } });
  });
  it('sends size, taints and spot capacity when they change', () => {
    const e = { ...editOf(pool), size: 5, taints: [], capacityType: 'spot' as const, spotMaxPricePercent: 40 };
    expect(poolPatch(pool, e, 2).body).toEqual({ version: 2, size: 5, taints: [], capacity: { type: 'spot', spotMaxPricePercent: 40 } });
  });
  it('reports unparsable labels', () => {
    expect(poolPatch(pool, { ...editOf(pool), labels: 'nope' }, 1).error?.field).toBe('labels');
  });

  // An eks spot node group as the API returns it: no max price, scaling
  // range and several instance types.
  const spot: NodePool = {
    name: 'spot',
    size: 2,
    minSize: 1,
    maxSize: 4,
    instanceType: 'm5.large',
    instanceTypes: ['m5.large', 'm6i.large'],
    capacity: { type: 'spot' },
    maxUnavailable: 1,
  };
  it('sends only the label for an eks spot node group, no max price', () => {
    const e = { ...editOf(spot), labels: 'tier=batch' };
    expect(poolPatch(spot, e, 3, 'eks')).toEqual({ body: { version: 3, labels: { tier: 'batch' } } });
  });
  it("sends an eks node group's new instance types, range and maxUnavailable", () => {
    const e = { ...editOf(spot), instanceTypes: 'm6i.large', minSize: 0, maxSize: 6, maxUnavailable: 2 };
    expect(poolPatch(spot, e, 3, 'eks').body).toEqual({ version: 3, instanceTypes: ['m6i.large'], minSize: 0, maxSize: 6, maxUnavailable: 2 });
    expect(poolPatch(spot, { ...editOf(spot), instanceTypes: 'm5.large, m6i.large' }, 3, 'eks')).toEqual({});
  });
});

describe('events and progress', () => {
  it('orders events newest first', () => {
    const c = {
      createdAt: '2026-01-01T00:00:00Z',
      deletingSince: '2026-01-01T00:05:00Z',
      tasks: [{ name: 'vpc', state: 'Failed', startedAt: '2026-01-01T00:01:00Z', finishedAt: '2026-01-01T00:02:00Z', message: 'DependencyViolation' }],
    } as unknown as Cluster;
    expect(clusterEvents(c).map((e) => e.text)).toEqual(['Deletion started', 'Task vpc failed: DependencyViolation', 'Task vpc started', 'Cluster created']);
  });
  it('computes a task bar from done/total or state', () => {
    expect(taskPercent({ state: 'Running', done: 1, total: 3 })).toBe(33);
    expect(taskPercent({ state: 'Running' })).toBe(0);
    expect(taskPercent({ state: 'Skipped' })).toBe(100);
  });
});

describe('trustPolicy', () => {
  it('lets only the platform account assume the role, with the ExternalId', () => {
    const p = JSON.parse(trustPolicy('111122223333', 'ext-123'));
    expect(p.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } },
    });
  });
});
