import { splitList } from './kv';

// The static placement pickers: an account's VPCs and subnets
// (GET /v1/cloudaccounts/{id}/vpcs) and which of them a cluster uses.

export interface Subnet {
  subnetId: string;
  cidrBlock: string;
  availabilityZone: string;
  name: string;
  public: boolean; // its route table sends 0.0.0.0/0 to an internet gateway
  availableIps: number;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  name: string;
  isDefault: boolean;
  subnets: Subnet[];
}

export interface VpcList { items: Vpc[] }

// The three subnet lists of a static placement, as the wizard keeps them
// (comma-separated ids, the same text the manual inputs hold).
export interface SubnetChoice {
  controlPlaneSubnetIds: string;
  workerSubnetIds: string;
  publicSubnetIds: string;
}

export type SubnetRole = keyof SubnetChoice;

export function vpcsPath(accountId: string, region: string): string {
  return `/v1/cloudaccounts/${encodeURIComponent(accountId)}/vpcs?region=${encodeURIComponent(region)}`;
}

export function vpcLabel(v: Vpc): string {
  const name = v.name ? ` ${v.name}` : '';
  return `${v.vpcId}${name} (${v.cidrBlock})${v.isDefault ? ' default' : ''}`;
}

export function subnetLabel(s: Subnet): string {
  const name = s.name ? ` ${s.name}` : '';
  return `${s.subnetId}${name} · ${s.availabilityZone} · ${s.cidrBlock} · ${s.public ? 'public' : 'private'} · ${s.availableIps} free IPs`;
}

// subnetsFor orders a VPC's subnets for one list: the kind the list wants
// first (private for nodes, public for load balancers), each by AZ then id.
export function subnetsFor(vpc: Vpc, role: SubnetRole): Subnet[] {
  const wantPublic = role === 'publicSubnetIds';
  const byAZ = (a: Subnet, b: Subnet) => a.availabilityZone.localeCompare(b.availabilityZone) || a.subnetId.localeCompare(b.subnetId);
  const sorted = [...vpc.subnets].sort(byAZ);
  return [...sorted.filter((s) => s.public === wantPublic), ...sorted.filter((s) => s.public !== wantPublic)];
}

// defaultChoice is what choosing a VPC selects: nodes in its private
// subnets, load balancers and the bastion in its public ones. A VPC with
// no private subnet leaves the node lists for the user to decide.
export function defaultChoice(vpc: Vpc): SubnetChoice {
  const ids = (pub: boolean) => vpc.subnets.filter((s) => s.public === pub).map((s) => s.subnetId).sort().join(', ');
  return { controlPlaneSubnetIds: ids(false), workerSubnetIds: ids(false), publicSubnetIds: ids(true) };
}

// toggleSubnet adds or removes one id from a comma-separated list, keeping
// the order of the others.
export function toggleSubnet(list: string, id: string, on: boolean): string {
  const ids = splitList(list).filter((x) => x !== id);
  return (on ? [...ids, id] : ids).join(', ');
}

// foreignSubnets lists chosen ids that the VPC does not have (typed by hand
// or left from another VPC), so the form can say so instead of hiding them.
export function foreignSubnets(vpc: Vpc, choice: SubnetChoice): string[] {
  const known = new Set(vpc.subnets.map((s) => s.subnetId));
  const all = [choice.controlPlaneSubnetIds, choice.workerSubnetIds, choice.publicSubnetIds].flatMap(splitList);
  return [...new Set(all.filter((id) => !known.has(id)))];
}
