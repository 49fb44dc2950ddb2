import { describe, expect, it } from 'vitest';
import { defaultChoice, foreignSubnets, subnetLabel, subnetsFor, toggleSubnet, vpcLabel, vpcsPath, type Subnet, type Vpc } from './network';

const sn = (subnetId: string, availabilityZone: string, pub: boolean, cidrBlock = '10.0.0.0/24'): Subnet => ({
  subnetId,
  cidrBlock,
  availabilityZone,
  name: '',
  public: pub,
  availableIps: 251,
});

const vpc: Vpc = {
  vpcId: 'vpc-1',
  cidrBlock: '10.0.0.0/16',
  name: 'prod',
  isDefault: false,
  subnets: [
    sn('subnet-pub-b', 'eu-west-1b', true),
    sn('subnet-priv-b', 'eu-west-1b', false),
    sn('subnet-pub-a', 'eu-west-1a', true),
    sn('subnet-priv-a', 'eu-west-1a', false, '10.0.1.0/24'),
  ],
};

describe('static placement pickers', () => {
  it('asks for the region of the chosen account', () => {
    expect(vpcsPath('acc-1', 'eu-west-1')).toBe('/v1/cloudaccounts/acc-1/vpcs?region=eu-west-1');
  });

  it('selects private subnets for nodes and public ones for load balancers', () => {
    expect(defaultChoice(vpc)).toEqual({
      controlPlaneSubnetIds: 'subnet-priv-a, subnet-priv-b',
      workerSubnetIds: 'subnet-priv-a, subnet-priv-b',
      publicSubnetIds: 'subnet-pub-a, subnet-pub-b',
    });
    // A VPC of public subnets only (a default VPC) leaves the node lists to the user.
    expect(defaultChoice({ ...vpc, subnets: vpc.subnets.filter((s) => s.public) })).toEqual({
      controlPlaneSubnetIds: '',
      workerSubnetIds: '',
      publicSubnetIds: 'subnet-pub-a, subnet-pub-b',
    });
  });

  it('lists the kind a list wants first, each by AZ', () => {
    expect(subnetsFor(vpc, 'workerSubnetIds').map((s) => s.subnetId)).toEqual(['subnet-priv-a', 'subnet-priv-b', 'subnet-pub-a', 'subnet-pub-b']);
    expect(subnetsFor(vpc, 'publicSubnetIds').map((s) => s.subnetId)).toEqual(['subnet-pub-a', 'subnet-pub-b', 'subnet-priv-a', 'subnet-priv-b']);
  });

  it('labels show id, AZ, CIDR and exposure', () => {
    expect(subnetLabel(vpc.subnets[3])).toBe('subnet-priv-a · eu-west-1a · 10.0.1.0/24 · private · 251 free IPs');
    expect(subnetLabel({ ...vpc.subnets[0], name: 'lb-b' })).toContain('subnet-pub-b lb-b · eu-west-1b · 10.0.0.0/24 · public');
    expect(vpcLabel(vpc)).toBe('vpc-1 prod (10.0.0.0/16)');
    expect(vpcLabel({ ...vpc, name: '', isDefault: true })).toBe('vpc-1 (10.0.0.0/16) default');
  });

  it('toggles one id and keeps the others in order', () => {
    expect(toggleSubnet('subnet-a, subnet-b', 'subnet-c', true)).toBe('subnet-a, subnet-b, subnet-c');
    expect(toggleSubnet('subnet-a, subnet-b, subnet-c', 'subnet-b', false)).toBe('subnet-a, subnet-c');
    expect(toggleSubnet('subnet-a', 'subnet-a', true)).toBe('subnet-a'); // never twice
    expect(toggleSubnet('', 'subnet-a', false)).toBe('');
  });

  it('names chosen ids the VPC does not have', () => {
    expect(foreignSubnets(vpc, { controlPlaneSubnetIds: 'subnet-priv-a, subnet-x', workerSubnetIds: 'subnet-x', publicSubnetIds: 'subnet-y' })).toEqual(['subnet-x', 'subnet-y']);
    expect(foreignSubnets(vpc, defaultChoice(vpc))).toEqual([]);
  });
});
