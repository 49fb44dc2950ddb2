import { describe, expect, it } from 'vitest';
import { initialWizard, newPool, stepOfField, steps, toCreateRequest, type WizardState } from './wizard';

function filled(): WizardState {
  const s = initialWizard();
  return {
    ...s,
    name: ' prod-eu ',
    description: 'payments',
    tags: 'team=pay\ncost-center = 42',
    profileId: 'prf-01jh3k4m5n6p7q8r9s0t1v2w3x',
    packOverrides: { kubernetes: 'podCIDR: 192.168.0.0/16', cilium: '   ' },
    cloudAccountId: 'acc-01jh3k4m5n6p7q8r9s0t1v2w3x',
    sshKeyName: 'ops',
    bastionAllowedCidrs: '203.0.113.0/24, 198.51.100.0/24',
    pools: [
      { ...newPool('control-plane', true), size: 3, allowWorkerCapability: true },
      {
        ...newPool('general'),
        size: 3,
        azs: ['eu-west-1a'],
        labels: 'tier=web',
        taints: [
          { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
          { key: '', effect: 'NoExecute' }, // an empty row is ignored
        ],
      },
      { ...newPool('gpu'), size: 1, instanceType: 'g4dn.xlarge', capacityType: 'spot', spotMaxPricePercent: 60 },
    ],
  };
}

describe('toCreateRequest', () => {
  it('builds the POST /v1/clusters body from the form', () => {
    const { body, errors } = toCreateRequest(filled());
    expect(errors).toEqual({});
    expect(body).toMatchObject({
      name: 'prod-eu',
      description: 'payments',
      tags: { team: 'pay', 'cost-center': '42' },
      packOverrides: { kubernetes: 'podCIDR: 192.168.0.0/16\n' },
      region: 'eu-west-1',
      sshKeyName: 'ops',
      placement: { type: 'dynamic', vpcCidr: '10.0.0.0/16', azs: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 'perAz' },
      bastion: { enabled: true, allowedCidrs: ['203.0.113.0/24', '198.51.100.0/24'] },
      updateWorkerPoolsInParallel: false,
    });
    const pools = body.nodePools as Record<string, unknown>[];
    expect(pools[0]).toEqual({ name: 'control-plane', size: 3, instanceType: 'm5.large', controlPlane: true, allowWorkerCapability: true });
    expect(pools[1]).toMatchObject({
      name: 'general',
      azs: ['eu-west-1a'],
      labels: { tier: 'web' },
      taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
      capacity: { type: 'onDemand' },
    });
    expect(pools[2]).toMatchObject({ capacity: { type: 'spot', spotMaxPricePercent: 60 } });
    expect(pools[2]).not.toHaveProperty('azs'); // empty selection: every AZ of the cluster
  });

  it('sends static placement with the subnets and no dynamic fields', () => {
    const s = { ...filled(), placementType: 'static' as const, vpcId: 'vpc-1', controlPlaneSubnetIds: 'subnet-a, subnet-b', workerSubnetIds: 'subnet-c' };
    const { body } = toCreateRequest(s);
    expect(body.placement).toEqual({ type: 'static', vpcId: 'vpc-1', controlPlaneSubnetIds: ['subnet-a', 'subnet-b'], workerSubnetIds: ['subnet-c'] });
  });

  it('omits the bastion CIDRs and SSH key when unset', () => {
    const s = { ...filled(), bastionEnabled: false, sshKeyName: ' ', tags: '' };
    const { body } = toCreateRequest(s);
    expect(body.bastion).toEqual({ enabled: false });
    expect(body).not.toHaveProperty('sshKeyName');
    expect(body).not.toHaveProperty('tags');
  });

  it('reports unparsable tags and labels at their API field paths', () => {
    const s = filled();
    s.tags = 'team';
    s.pools[1].labels = 'tier=web\ntier=api';
    const { errors } = toCreateRequest(s);
    expect(errors).toEqual({ tags: 'line 1: expected key=value', 'nodePools[1].labels': 'line 2: duplicate key tier' });
  });
});

describe('stepOfField', () => {
  it.each([
    ['name', 0],
    ['tags.team', 0],
    ['profileId', 1],
    ['packOverrides.kubernetes', 2],
    ['placement.azs[1]', 3],
    ['sshKeyName', 3],
    ['updateWorkerPoolsInParallel', 4],
    ['nodePools[1].taints[0].effect', 5],
  ])('%s is on step %i', (field, step) => {
    expect(stepOfField(field)).toBe(step);
  });
  it('puts fieldless errors on the review step', () => {
    expect(stepOfField(undefined)).toBe(steps.length - 1);
    expect(stepOfField('somethingNew')).toBe(steps.length - 1);
  });
});
