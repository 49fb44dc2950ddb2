import type { NodePool, Taint } from '../types';
import { parseKeyValues, splitList } from './kv';

export interface PoolEdit {
  size: number;
  instanceType: string;
  labels: string; // key=value lines
  taints: Taint[];
  rollingUpdate: 'expandFirst' | 'contractFirst';
  capacityType: 'onDemand' | 'spot';
  spotMaxPricePercent: number;
  // eks only: the managed node group's instance types (comma-separated)
  // and scaling and update config.
  instanceTypes: string;
  minSize: number;
  maxSize: number;
  maxUnavailable: number;
}

export function editOf(p: NodePool): PoolEdit {
  return {
    size: p.size,
    instanceType: p.instanceType ?? '',
    labels: Object.entries(p.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    taints: (p.taints ?? []).map((t) => ({ ...t })),
    rollingUpdate: p.rollingUpdate ?? 'expandFirst',
    capacityType: p.capacity?.type ?? 'onDemand',
    spotMaxPricePercent: p.capacity?.spotMaxPricePercent ?? 60,
    instanceTypes: typesOf(p).join(', '),
    minSize: p.minSize ?? p.size,
    maxSize: p.maxSize ?? p.size,
    maxUnavailable: p.maxUnavailable ?? 1,
  };
}

function typesOf(p: NodePool): string[] {
  return p.instanceTypes?.length ? p.instanceTypes : p.instanceType ? [p.instanceType] : [];
}

function sameTaints(a: Taint[], b: Taint[]): boolean {
  const key = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`;
  return a.length === b.length && a.every((t, i) => key(t) === key(b[i]));
}

// poolPatch is the PATCH /v1/clusters/{id}/nodepools/{name} body: a JSON
// merge patch with only what changed (a removed label is null) and the
// cluster version the edit is based on, so a concurrent change answers 409
// instead of being overwritten.
export function poolPatch(
  orig: NodePool,
  edit: PoolEdit,
  version: number,
  kind?: string,
): { body?: Record<string, unknown>; error?: { field: string; message: string } } {
  const body: Record<string, unknown> = {};
  const labels = parseKeyValues(edit.labels);
  if (labels.error) return { error: { field: 'labels', message: labels.error } };
  if (Number(edit.size) !== orig.size) body.size = Number(edit.size);
  const before = orig.labels ?? {};
  const labelPatch: Record<string, string | null> = {};
  for (const k of Object.keys(before)) if (!(k in labels.value)) labelPatch[k] = null;
  for (const [k, v] of Object.entries(labels.value)) if (before[k] !== v) labelPatch[k] = v;
  if (Object.keys(labelPatch).length) body.labels = labelPatch;
  const taints = edit.taints.filter((t) => t.key.trim());
  if (!sameTaints(taints, orig.taints ?? [])) body.taints = taints;
  if (kind === 'eks') Object.assign(body, nodeGroupPatch(orig, edit));
  else Object.assign(body, selfManagedPatch(orig, edit));
  if (Object.keys(body).length === 0) return {};
  return { body: { version, ...body } };
}

function selfManagedPatch(orig: NodePool, edit: PoolEdit): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (edit.instanceType && edit.instanceType !== orig.instanceType) body.instanceType = edit.instanceType;
  if (edit.rollingUpdate !== (orig.rollingUpdate ?? 'expandFirst')) body.rollingUpdate = edit.rollingUpdate;
  const origType = orig.capacity?.type ?? 'onDemand';
  if (edit.capacityType !== origType || (edit.capacityType === 'spot' && edit.spotMaxPricePercent !== orig.capacity?.spotMaxPricePercent)) {
    body.capacity =
      edit.capacityType === 'spot' ? { type: 'spot', spotMaxPricePercent: Number(edit.spotMaxPricePercent) } : { type: 'onDemand' };
  }
  return body;
}

// nodeGroupPatch is an eks pool's part: new instance types (a replacement
// node group), the scaling range and maxUnavailable; there is no rolling
// update order or spot max price to send (the API refuses them).
function nodeGroupPatch(orig: NodePool, edit: PoolEdit): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const types = splitList(edit.instanceTypes);
  if (types.length && types.join(',') !== typesOf(orig).join(',')) body.instanceTypes = types;
  if (Number(edit.minSize) !== (orig.minSize ?? orig.size)) body.minSize = Number(edit.minSize);
  if (Number(edit.maxSize) !== (orig.maxSize ?? orig.size)) body.maxSize = Number(edit.maxSize);
  if (Number(edit.maxUnavailable) !== (orig.maxUnavailable ?? 1)) body.maxUnavailable = Number(edit.maxUnavailable);
  if (edit.capacityType !== (orig.capacity?.type ?? 'onDemand')) body.capacity = { type: edit.capacityType };
  return body;
}
