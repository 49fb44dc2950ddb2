import type { Capacity, NodePool, Taint } from '../types';
import { initialEKS, toEKSSpec, toNodeGroup, type EKSForm } from './eks';
import { parseKeyValues, splitList } from './kv';

// The create-cluster wizard's state, in the product's step order, and its
// translation into POST /v1/clusters.

export const steps = [
  'Basic information',
  'Cluster profile',
  'Pack values',
  'Cloud settings',
  'Update strategy',
  'Node pools',
  'Review',
] as const;

export type ClusterKind = 'self-managed' | 'eks';

export interface PoolForm {
  name: string;
  controlPlane: boolean;
  size: number;
  instanceType: string;
  azs: string[]; // empty: every AZ of the cluster
  labels: string; // key=value lines
  taints: Taint[];
  rollingUpdate: 'expandFirst' | 'contractFirst';
  capacityType: 'onDemand' | 'spot';
  spotMaxPricePercent: number;
  allowWorkerCapability: boolean;
  // eks only: the managed node group's scaling and update config.
  minSize: number;
  maxSize: number;
  instanceTypes: string; // comma-separated
  maxUnavailable: string; // empty: EKS's default 1
}

export interface WizardState {
  kind: ClusterKind;
  name: string;
  description: string;
  tags: string;
  profileId: string;
  packOverrides: Record<string, string>; // layer name → YAML
  cloudAccountId: string;
  region: string;
  sshKeyName: string;
  placementType: 'dynamic' | 'static';
  vpcCidr: string;
  azs: string[];
  natGateways: 'perAz' | 'single';
  vpcId: string;
  controlPlaneSubnetIds: string;
  workerSubnetIds: string;
  publicSubnetIds: string;
  bastionEnabled: boolean;
  bastionAllowedCidrs: string;
  apiAllowedCidrs: string;
  updateWorkerPoolsInParallel: boolean;
  pools: PoolForm[];
  eks: EKSForm;
}

export const regions = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];

export function regionAZs(region: string): string[] {
  return ['a', 'b', 'c'].map((s) => region + s);
}

export function newPool(name: string, controlPlane = false): PoolForm {
  return {
    name,
    controlPlane,
    size: controlPlane ? 1 : 2,
    instanceType: 'm5.large',
    azs: [],
    labels: '',
    taints: [],
    rollingUpdate: 'expandFirst',
    capacityType: 'onDemand',
    spotMaxPricePercent: 60,
    allowWorkerCapability: false,
    minSize: 1,
    maxSize: 4,
    instanceTypes: 'm5.large',
    maxUnavailable: '',
  };
}

export function initialWizard(): WizardState {
  const region = 'eu-west-1';
  return {
    kind: 'self-managed',
    name: '',
    description: '',
    tags: '',
    profileId: '',
    packOverrides: {},
    cloudAccountId: '',
    region,
    sshKeyName: '',
    placementType: 'dynamic',
    vpcCidr: '10.0.0.0/16',
    azs: regionAZs(region),
    natGateways: 'perAz',
    vpcId: '',
    controlPlaneSubnetIds: '',
    workerSubnetIds: '',
    publicSubnetIds: '',
    bastionEnabled: true,
    bastionAllowedCidrs: '',
    apiAllowedCidrs: '0.0.0.0/0',
    updateWorkerPoolsInParallel: false,
    pools: [newPool('control-plane', true), newPool('workers')],
    eks: initialEKS(),
  };
}

// withKind switches the cluster kind: an eks cluster has no control-plane
// pool (AWS runs the control plane), a self-managed one needs one.
export function withKind(s: WizardState, kind: ClusterKind): WizardState {
  if (kind === s.kind) return s;
  const pools = kind === 'eks' ? s.pools.filter((p) => !p.controlPlane) : [newPool('control-plane', true), ...s.pools];
  return { ...s, kind, pools };
}

// LocalErrors are problems found before the request is sent (text that
// does not parse); the API validates everything else.
export type LocalErrors = Record<string, string>;

function capacityOf(p: PoolForm): Capacity {
  return p.capacityType === 'spot'
    ? { type: 'spot', spotMaxPricePercent: p.spotMaxPricePercent }
    : { type: 'onDemand' };
}

// toCreateRequest builds the POST /v1/clusters body. Field paths of local
// errors match the API's (nodePools[1].labels), so both show at the field.
export function toCreateRequest(s: WizardState): { body: Record<string, unknown>; errors: LocalErrors } {
  const errors: LocalErrors = {};
  const tags = parseKeyValues(s.tags);
  if (tags.error) errors.tags = tags.error;

  const packOverrides: Record<string, string> = {};
  for (const [layer, yaml] of Object.entries(s.packOverrides)) {
    if (yaml.trim()) packOverrides[layer] = yaml.endsWith('\n') ? yaml : yaml + '\n';
  }

  const placement: Record<string, unknown> =
    s.placementType === 'dynamic'
      ? { type: 'dynamic', vpcCidr: s.vpcCidr, azs: s.azs, natGateways: s.natGateways }
      : {
          type: 'static',
          vpcId: s.vpcId,
          controlPlaneSubnetIds: splitList(s.controlPlaneSubnetIds),
          workerSubnetIds: splitList(s.workerSubnetIds),
          ...(splitList(s.publicSubnetIds).length ? { publicSubnetIds: splitList(s.publicSubnetIds) } : {}),
        };

  const nodePools: NodePool[] = s.pools.map((p, i) => {
    const path = `nodePools[${i}]`;
    if (s.kind === 'eks') return toNodeGroup(p, path, errors);
    const pool: NodePool = { name: p.name, size: Number(p.size), instanceType: p.instanceType };
    if (p.controlPlane) {
      pool.controlPlane = true;
      pool.allowWorkerCapability = p.allowWorkerCapability;
      return pool;
    }
    const labels = parseKeyValues(p.labels);
    if (labels.error) errors[`${path}.labels`] = labels.error;
    const taints = p.taints.filter((t) => t.key.trim() || t.value?.trim());
    if (p.azs.length) pool.azs = p.azs;
    if (Object.keys(labels.value).length) pool.labels = labels.value;
    if (taints.length) pool.taints = taints.map((t) => ({ key: t.key.trim(), ...(t.value ? { value: t.value } : {}), effect: t.effect }));
    pool.rollingUpdate = p.rollingUpdate;
    pool.capacity = capacityOf(p);
    return pool;
  });

  const common = {
    name: s.name.trim(),
    ...(s.description.trim() ? { description: s.description.trim() } : {}),
    ...(Object.keys(tags.value).length ? { tags: tags.value } : {}),
    profileId: s.profileId,
    ...(Object.keys(packOverrides).length ? { packOverrides } : {}),
    cloudAccountId: s.cloudAccountId,
    region: s.region,
    placement,
  };
  if (s.kind === 'eks') {
    // No sshKeyName, apiServer, bastion or worker update order: the API
    // refuses them for eks (shared/domain/cluster_validate_eks.go).
    return { body: { kind: 'eks', ...common, eks: toEKSSpec(s.eks, errors), nodePools }, errors };
  }
  const body: Record<string, unknown> = {
    ...common,
    ...(s.sshKeyName.trim() ? { sshKeyName: s.sshKeyName.trim() } : {}),
    apiServer: { scheme: 'internet-facing', allowedCidrs: splitList(s.apiAllowedCidrs) },
    bastion: s.bastionEnabled
      ? { enabled: true, ...(splitList(s.bastionAllowedCidrs).length ? { allowedCidrs: splitList(s.bastionAllowedCidrs) } : {}) }
      : { enabled: false },
    updateWorkerPoolsInParallel: s.updateWorkerPoolsInParallel,
    nodePools,
  };
  return { body, errors };
}

// stepOfField says which wizard step shows an API error's field, so the
// wizard can take the user there.
export function stepOfField(field: string | undefined): number {
  if (!field) return steps.length - 1;
  const head = field.split(/[.[]/)[0];
  switch (head) {
    case 'name':
    case 'description':
    case 'tags':
    case 'kind':
      return 0;
    case 'profileId':
      return 1;
    case 'packOverrides':
      return 2;
    case 'cloudAccountId':
    case 'region':
    case 'sshKeyName':
    case 'placement':
    case 'apiServer':
    case 'bastion':
    case 'eks':
      return 3;
    case 'updateWorkerPoolsInParallel':
      return 4;
    case 'nodePools':
      return 5;
    default:
      return steps.length - 1;
  }
}

// Which fields each step owns, for local errors that block Next.
export function errorsOfStep(errors: LocalErrors, step: number): LocalErrors {
  return Object.fromEntries(Object.entries(errors).filter(([f]) => stepOfField(f) === step));
}
