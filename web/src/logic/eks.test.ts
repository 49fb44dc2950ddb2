import { describe, expect, it } from 'vitest';
import { errorAt } from './errors';
import { initialEKS, newFargateProfile } from './eks';
import { initialWizard, newPool, stepOfField, steps, toCreateRequest, withKind, type WizardState } from './wizard';

const azs = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

// The form a user fills to get local/harness/example_eks.go's request.
function eksForm(): WizardState {
  const s = withKind(initialWizard(), 'eks');
  return {
    ...s,
    name: 'prod-eks',
    description: 'payments on EKS',
    tags: 'team=pay',
    profileId: 'prf-01jh3k4m5n6p7q8r9s0t1v2w3x',
    cloudAccountId: 'acc-01jh3k4m5n6p7q8r9s0t1v2w3x',
    vpcCidr: '10.1.0.0/16',
    // Self-managed settings left as the user had them: never sent for eks.
    sshKeyName: 'ops',
    bastionAllowedCidrs: '203.0.113.0/24',
    updateWorkerPoolsInParallel: true,
    eks: {
      ...initialEKS(),
      publicCidrs: '203.0.113.0/24',
      logging: ['audit', 'api'],
      fargateProfiles: [{ name: 'batch', selectors: [{ namespace: 'batch', labels: 'compute=fargate' }] }],
    },
    pools: [
      { ...newPool('general'), size: 3, minSize: 3, maxSize: 6, instanceTypes: 'm5.large', azs, labels: 'tier=web' },
      {
        ...newPool('spot'),
        size: 2,
        minSize: 1,
        maxSize: 4,
        instanceTypes: 'm5.large, m6i.large',
        taints: [{ key: 'lifecycle', value: 'spot', effect: 'NoSchedule' }],
        capacityType: 'spot',
        maxUnavailable: '1',
      },
    ],
  };
}

describe('toCreateRequest for kind eks', () => {
  it('builds exactly the harness example (local/harness/example_eks.go)', () => {
    const { body, errors } = toCreateRequest(eksForm());
    expect(errors).toEqual({});
    expect(body).toEqual({
      kind: 'eks',
      name: 'prod-eks',
      description: 'payments on EKS',
      tags: { team: 'pay' },
      profileId: 'prf-01jh3k4m5n6p7q8r9s0t1v2w3x',
      cloudAccountId: 'acc-01jh3k4m5n6p7q8r9s0t1v2w3x',
      region: 'eu-west-1',
      placement: { type: 'dynamic', vpcCidr: '10.1.0.0/16', azs, natGateways: 'perAz' },
      eks: {
        kubernetesVersion: '1.33',
        endpointAccess: { public: true, private: true, publicCidrs: ['203.0.113.0/24'] },
        logging: ['api', 'audit'],
        fargateProfiles: [{ name: 'batch', selectors: [{ namespace: 'batch', labels: { compute: 'fargate' } }] }],
      },
      nodePools: [
        { name: 'general', size: 3, minSize: 3, maxSize: 6, instanceType: 'm5.large', azs, labels: { tier: 'web' }, capacity: { type: 'onDemand' } },
        {
          name: 'spot',
          size: 2,
          minSize: 1,
          maxSize: 4,
          instanceTypes: ['m5.large', 'm6i.large'],
          taints: [{ key: 'lifecycle', value: 'spot', effect: 'NoSchedule' }],
          capacity: { type: 'spot' },
          maxUnavailable: 1,
        },
      ],
    });
  });

  it('sends the optional KMS key and role ARNs only when set, and no public CIDRs on a private endpoint', () => {
    const s = eksForm();
    s.eks = {
      ...s.eks,
      endpointPublic: false,
      secretsEncryptionKeyArn: ' arn:aws:kms:eu-west-1:222222222222:key/k1 ',
      nodeRoleArn: 'arn:aws:iam::222222222222:role/nodes',
      logging: [],
      fargateProfiles: [newFargateProfile('ops')],
    };
    const eks = toCreateRequest(s).body.eks;
    expect(eks).toEqual({
      kubernetesVersion: '1.33',
      endpointAccess: { public: false, private: true },
      secretsEncryptionKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k1',
      nodeRoleArn: 'arn:aws:iam::222222222222:role/nodes',
      fargateProfiles: [{ name: 'ops', selectors: [{ namespace: '' }] }],
    });
  });

  it('reports unparsable selector labels and a pool without instance types at their API paths', () => {
    const s = eksForm();
    s.eks.fargateProfiles[0].selectors.push({ namespace: 'jobs', labels: 'compute' });
    s.pools[1].instanceTypes = ' , ';
    const { errors } = toCreateRequest(s);
    expect(errors).toEqual({
      'eks.fargateProfiles[0].selectors[1].labels': 'line 1: expected key=value',
      'nodePools[1].instanceTypes': 'name at least one instance type',
    });
  });
});

describe('withKind', () => {
  it('drops the control-plane pool for eks and adds it back for self-managed', () => {
    const eks = withKind(initialWizard(), 'eks');
    expect(eks.kind).toBe('eks');
    expect(eks.pools.map((p) => p.name)).toEqual(['workers']);
    const back = withKind(eks, 'self-managed');
    expect(back.pools.map((p) => [p.name, p.controlPlane])).toEqual([
      ['control-plane', true],
      ['workers', false],
    ]);
    expect(withKind(back, 'self-managed')).toBe(back);
  });
});

describe('EKS field errors', () => {
  it('takes eks.* to the cloud settings step and the new pool fields to the node pools step', () => {
    const cloud = steps.indexOf('Cloud settings');
    const pools = steps.indexOf('Node pools');
    expect(stepOfField('eks.kubernetesVersion')).toBe(cloud);
    expect(stepOfField('eks.fargateProfiles[0].selectors[0].namespace')).toBe(cloud);
    expect(stepOfField('eks')).toBe(cloud);
    for (const f of ['minSize', 'maxSize', 'instanceTypes[1]', 'maxUnavailable', 'capacity.spotMaxPricePercent']) {
      expect(stepOfField(`nodePools[0].${f}`)).toBe(pools);
    }
    expect(stepOfField('kind')).toBe(0);
  });

  it('shows a sub-field error at the input that owns it', () => {
    const errors = {
      'eks.endpointAccess.publicCidrs[1]': 'not a CIDR',
      'eks.fargateProfiles[0].selectors[0].labels.compute': 'value too long',
      'nodePools[1].instanceTypes[1]': 'm9.huge is not offered in eu-west-1b',
    };
    expect(errorAt(errors, 'eks.endpointAccess.publicCidrs')).toBe('[1]: not a CIDR');
    expect(errorAt(errors, 'eks.fargateProfiles[0].selectors[0].labels')).toBe('compute: value too long');
    expect(errorAt(errors, 'nodePools[1].instanceTypes')).toBe('[1]: m9.huge is not offered in eu-west-1b');
    expect(errorAt(errors, 'nodePools[1].instanceType')).toBeUndefined(); // not a prefix of instanceTypes
  });
});
