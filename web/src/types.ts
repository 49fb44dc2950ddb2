// Wire shapes of the public API (shared/api/openapi.yaml), as the console
// reads them.

export type Role = 'tenant-admin' | 'project-admin' | 'project-editor' | 'viewer';

export interface CloudAccount {
  id: string;
  name: string;
  type: 'secret' | 'sts';
  accessKeyId?: string;
  roleArn?: string;
  version: number;
  createdAt: string;
}

export interface Quota {
  name: string;
  code?: string;
  scope?: string;
  limit: number;
  used: number;
  available: number;
  error?: string;
  needed?: number;
  shortfall?: boolean;
}

export interface ValidationReport {
  region: string;
  identity: { account: string; arn: string; userId: string };
  missingPermissions: string[];
  unverifiedPermissions?: string[];
  quotas: Quota[];
}

export interface Layer {
  type: 'os' | 'kubernetes' | 'cni' | 'csi' | 'addon';
  name: string;
  version: string;
  values?: string;
}

export interface ClusterProfile {
  id: string;
  name: string;
  description?: string;
  cloud: string;
  layers: Layer[];
  version: number;
  createdAt: string;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
export interface Taint { key: string; value?: string; effect: TaintEffect }

export interface Capacity { type?: 'onDemand' | 'spot'; spotMaxPricePercent?: number }

export interface NodeView {
  instanceId: string;
  az: string;
  state: string;
  privateIp?: string;
  capacity: 'onDemand' | 'spot';
  spotPrice?: string;
  instanceType?: string;
  launchedAt?: string;
}

export interface NodePool {
  name: string;
  controlPlane?: boolean;
  size: number;
  instanceType?: string;
  azs?: string[];
  labels?: Record<string, string>;
  taints?: Taint[];
  rollingUpdate?: 'expandFirst' | 'contractFirst';
  capacity?: Capacity;
  allowWorkerCapability?: boolean;
  // eks only: the managed node group's scaling and update config.
  minSize?: number;
  maxSize?: number;
  instanceTypes?: string[];
  maxUnavailable?: number;
  nodes?: NodeView[];
  spotWaiting?: string;
}

export interface Task {
  name: string;
  state: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped';
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  done?: number;
  total?: number;
}

export interface Resource { type: string; id: string; az?: string; state?: string; key?: string }
export interface Leftover { type: string; id: string; region: string; state?: string; reason: string }

export type ClusterStatus = 'Pending' | 'Provisioning' | 'Running' | 'Updating' | 'Failed' | 'Deleting' | 'Deleted';

export interface Cluster {
  id: string;
  kind?: 'self-managed' | 'eks';
  name: string;
  description?: string;
  tags?: Record<string, string>;
  profileId: string;
  cloudAccountId: string;
  region: string;
  sshKeyName?: string;
  placement?: { type?: string; azs?: string[]; vpcCidr?: string; natGateways?: string; vpcId?: string };
  updateWorkerPoolsInParallel?: boolean;
  eks?: { kubernetesVersion?: string; endpointAccess?: { public?: boolean; private?: boolean; publicCidrs?: string[] }; logging?: string[]; fargateProfiles?: { name: string }[] };
  nodePools: NodePool[];
  status: ClusterStatus;
  statusMessage?: string;
  version: number;
  createdAt: string;
  deletingSince?: string;
  progress: number;
  tasks?: Task[];
  resources?: Resource[];
  forceDelete: { available: boolean; availableAt?: string };
  forceDeleted?: boolean;
  leftoverResources?: Leftover[];
}

export interface DryRun {
  plan: {
    kind?: 'self-managed' | 'eks';
    clusterName: string;
    region: string;
    placement: string;
    byType: Record<string, Record<string, number>>;
    resources: { key: string; type: string }[];
  };
  quotas: Quota[];
  quotaError?: string;
  awsCalls: Record<string, number>;
  cost: { currency: string; onDemandMonthly: number; spotMonthly: number; assumptions: string[] };
}
