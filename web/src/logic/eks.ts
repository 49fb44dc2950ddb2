import type { NodePool } from '../types';
import { parseKeyValues, splitList } from './kv';
import type { LocalErrors, PoolForm } from './wizard';

// The EKS part of the create-cluster wizard: spec.eks and the pools as
// managed node groups (shared/api/openapi.yaml, EKS and NodePool).

export const eksVersions = ['1.30', '1.31', '1.32', '1.33', '1.34'] as const;
export const defaultEKSVersion = '1.33';
export const eksLogTypes = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
export type EKSLogType = (typeof eksLogTypes)[number];

// kindName is how the console names a cluster kind (an absent kind is
// self-managed, the API's default).
export function kindName(kind?: string): string {
  return kind === 'eks' ? 'Amazon EKS' : 'Self-managed';
}

// poolShape summarises a pool for the overview: its role, instance types,
// capacity and, for a node group, its scaling range.
export function poolShape(p: NodePool, kind?: string): string {
  const role = p.controlPlane ? 'control plane' : kind === 'eks' ? 'managed node group' : 'workers';
  const types = p.instanceTypes?.length ? p.instanceTypes.join(', ') : p.instanceType;
  const capacity = p.capacity?.type !== 'spot' ? 'on-demand' : p.capacity.spotMaxPricePercent ? `spot ≤ ${p.capacity.spotMaxPricePercent}%` : 'spot';
  const range = kind === 'eks' && p.minSize !== undefined && p.maxSize !== undefined ? [`${p.minSize}–${p.maxSize} nodes`] : [];
  return [role, types, capacity, ...range].filter(Boolean).join(' · ');
}

export interface FargateSelectorForm {
  namespace: string;
  labels: string; // key=value lines
}

export interface FargateProfileForm {
  name: string;
  selectors: FargateSelectorForm[];
}

export interface EKSForm {
  kubernetesVersion: string;
  endpointPublic: boolean;
  endpointPrivate: boolean;
  publicCidrs: string; // comma-separated; empty: EKS's default 0.0.0.0/0
  logging: EKSLogType[];
  secretsEncryptionKeyArn: string;
  clusterRoleArn: string;
  nodeRoleArn: string;
  podExecutionRoleArn: string;
  fargateProfiles: FargateProfileForm[];
}

export function initialEKS(): EKSForm {
  return {
    kubernetesVersion: defaultEKSVersion,
    endpointPublic: true,
    endpointPrivate: true,
    publicCidrs: '',
    logging: [],
    secretsEncryptionKeyArn: '',
    clusterRoleArn: '',
    nodeRoleArn: '',
    podExecutionRoleArn: '',
    fargateProfiles: [],
  };
}

export function newFargateProfile(name: string): FargateProfileForm {
  return { name, selectors: [{ namespace: '', labels: '' }] };
}

// The existing roles ClusterForge uses instead of creating its own.
export const eksRoleFields = [
  ['clusterRoleArn', 'Cluster role ARN'],
  ['nodeRoleArn', 'Node role ARN'],
  ['podExecutionRoleArn', 'Fargate pod execution role ARN'],
] as const;

// toEKSSpec builds the request's eks object; optional fields left empty
// are omitted so the API applies its defaults.
export function toEKSSpec(e: EKSForm, errors: LocalErrors): Record<string, unknown> {
  const publicCidrs = splitList(e.publicCidrs);
  const spec: Record<string, unknown> = {
    kubernetesVersion: e.kubernetesVersion,
    endpointAccess: { public: e.endpointPublic, private: e.endpointPrivate, ...(e.endpointPublic && publicCidrs.length ? { publicCidrs } : {}) },
  };
  // The API refuses duplicates; keep the documented order.
  const logging = eksLogTypes.filter((t) => e.logging.includes(t));
  if (logging.length) spec.logging = logging;
  if (e.secretsEncryptionKeyArn.trim()) spec.secretsEncryptionKeyArn = e.secretsEncryptionKeyArn.trim();
  for (const [field] of eksRoleFields) {
    if (e[field].trim()) spec[field] = e[field].trim();
  }
  if (e.fargateProfiles.length) {
    spec.fargateProfiles = e.fargateProfiles.map((fp, i) => ({
      name: fp.name.trim(),
      selectors: fp.selectors.map((sel, j) => {
        const labels = parseKeyValues(sel.labels);
        if (labels.error) errors[`eks.fargateProfiles[${i}].selectors[${j}].labels`] = labels.error;
        return { namespace: sel.namespace.trim(), ...(Object.keys(labels.value).length ? { labels: labels.value } : {}) };
      }),
    }));
  }
  return spec;
}

// toNodeGroup is a pool of an eks cluster: a managed node group with its
// scaling config; one instance type goes as instanceType, several as
// instanceTypes (EKS launches any of them, useful for spot).
export function toNodeGroup(p: PoolForm, path: string, errors: LocalErrors): NodePool {
  const types = splitList(p.instanceTypes);
  const pool: NodePool = { name: p.name.trim(), size: Number(p.size), minSize: Number(p.minSize), maxSize: Number(p.maxSize) };
  if (types.length === 1) pool.instanceType = types[0];
  else if (types.length > 1) pool.instanceTypes = types;
  else errors[`${path}.instanceTypes`] = 'name at least one instance type';
  if (p.azs.length) pool.azs = p.azs;
  const labels = parseKeyValues(p.labels);
  if (labels.error) errors[`${path}.labels`] = labels.error;
  if (Object.keys(labels.value).length) pool.labels = labels.value;
  const taints = p.taints.filter((t) => t.key.trim() || t.value?.trim());
  if (taints.length) pool.taints = taints.map((t) => ({ key: t.key.trim(), ...(t.value ? { value: t.value } : {}), effect: t.effect }));
  pool.capacity = { type: p.capacityType };
  if (p.maxUnavailable.trim()) pool.maxUnavailable = Number(p.maxUnavailable);
  return pool;
}
