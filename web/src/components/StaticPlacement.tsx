import { useEffect, useRef, useState } from 'react';
import type { Client } from '../api';
import {
  defaultChoice,
  foreignSubnets,
  subnetLabel,
  subnetsFor,
  toggleSubnet,
  vpcLabel,
  vpcsPath,
  type SubnetChoice,
  type SubnetRole,
  type Vpc,
  type VpcList,
} from '../logic/network';
import { splitList } from '../logic/kv';
import { ErrorBanner, Field } from './ui';

export interface StaticPlacementValue extends SubnetChoice {
  vpcId: string;
}

interface Props {
  client: Client;
  accountId: string;
  region: string;
  value: StaticPlacementValue;
  onChange: (patch: Partial<StaticPlacementValue>) => void;
  err: (field: string) => string | undefined;
}

const lists: { role: SubnetRole; legend: string; field: string; hint: string }[] = [
  { role: 'controlPlaneSubnetIds', legend: 'Control-plane subnets', field: 'placement.controlPlaneSubnetIds', hint: 'usually private; one per AZ the control plane spans' },
  { role: 'workerSubnetIds', legend: 'Worker subnets', field: 'placement.workerSubnetIds', hint: 'usually private' },
  { role: 'publicSubnetIds', legend: 'Public subnets', field: 'placement.publicSubnetIds', hint: 'optional: bastion and internet-facing API load balancer' },
];

// useVpcs reads the account's VPCs in the region once per (account,
// region, retry); an answer for an earlier choice is dropped.
function useVpcs(client: Client, accountId: string, region: string) {
  const [result, setResult] = useState<{ key: string; data?: VpcList; error?: unknown }>({ key: '' });
  const [attempt, setAttempt] = useState(0);
  const clientRef = useRef(client);
  clientRef.current = client;
  const key = accountId ? `${accountId}|${region}|${attempt}` : '';
  useEffect(() => {
    if (!key) return;
    let live = true;
    clientRef.current.get<VpcList>(vpcsPath(accountId, region)).then(
      (data) => live && setResult({ key, data }),
      (error: unknown) => live && setResult({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [key, accountId, region]);
  const current = result.key === key ? result : { key };
  return { ...current, loading: !!key && !current.data && !current.error, retry: () => setAttempt((n) => n + 1) };
}

// StaticPlacement picks the cluster's VPC and subnets from the account's
// own list; when the list cannot be read the ids can still be typed.
export function StaticPlacement({ client, accountId, region, value, onChange, err }: Props) {
  const vpcs = useVpcs(client, accountId, region);

  if (!accountId) {
    return <p className="hint">Choose a cloud account above to list its VPCs and subnets in {region}.</p>;
  }
  if (vpcs.loading) {
    return <p role="status">Loading the account's VPCs in {region}…</p>;
  }
  if (vpcs.error || !vpcs.data) {
    return (
      <>
        <ErrorBanner error={vpcs.error} />
        <p className="hint">
          The account's VPCs could not be listed; enter the ids by hand or{' '}
          <button type="button" onClick={vpcs.retry}>
            retry
          </button>
          .
        </p>
        <ManualIds value={value} onChange={onChange} err={err} />
      </>
    );
  }
  const items = vpcs.data.items;
  const vpc = items.find((v) => v.vpcId === value.vpcId);
  return (
    <>
      <Field
        label="VPC"
        error={err('placement.vpcId')}
        hint={value.vpcId && !vpc ? `${value.vpcId} is not in this account and region; choose again` : items.length ? undefined : `the account has no VPC in ${region}`}
      >
        {(a) => (
          <select
            {...a}
            value={vpc ? vpc.vpcId : ''}
            onChange={(e) => {
              const chosen = items.find((v) => v.vpcId === e.target.value);
              onChange(chosen ? { vpcId: chosen.vpcId, ...defaultChoice(chosen) } : { vpcId: '', controlPlaneSubnetIds: '', workerSubnetIds: '', publicSubnetIds: '' });
            }}
          >
            <option value="">Choose a VPC…</option>
            {items.map((v) => (
              <option key={v.vpcId} value={v.vpcId}>
                {vpcLabel(v)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {vpc && <SubnetLists vpc={vpc} value={value} onChange={onChange} err={err} />}
    </>
  );
}

function SubnetLists({ vpc, value, onChange, err }: { vpc: Vpc; value: StaticPlacementValue; onChange: Props['onChange']; err: Props['err'] }) {
  if (!vpc.subnets.length) {
    return <p className="banner">{vpc.vpcId} has no subnets; create them first or choose another VPC.</p>;
  }
  const stray = foreignSubnets(vpc, value);
  return (
    <>
      {stray.length > 0 && <p className="banner">Not in {vpc.vpcId}: {stray.join(', ')}. Untick them or choose their VPC.</p>}
      {lists.map(({ role, legend, field, hint }) => {
        const chosen = new Set(splitList(value[role]));
        return (
          <fieldset key={role} className="subnets">
            <legend>{legend}</legend>
            <div className="hint">{hint}</div>
            {subnetsFor(vpc, role).map((sn) => (
              <label className="inline subnet" key={sn.subnetId}>
                <input type="checkbox" checked={chosen.has(sn.subnetId)} onChange={(e) => onChange({ [role]: toggleSubnet(value[role], sn.subnetId, e.target.checked) })} /> {subnetLabel(sn)}
              </label>
            ))}
            {err(field) && (
              <div className="error" role="alert">
                {err(field)}
              </div>
            )}
          </fieldset>
        );
      })}
    </>
  );
}

// ManualIds are the plain inputs, for when the account cannot be listed.
function ManualIds({ value, onChange, err }: Pick<Props, 'value' | 'onChange' | 'err'>) {
  return (
    <>
      <Field label="VPC ID" error={err('placement.vpcId')}>
        {(a) => <input {...a} value={value.vpcId} onChange={(e) => onChange({ vpcId: e.target.value })} placeholder="vpc-…" />}
      </Field>
      {lists.map(({ role, legend, field, hint }) => (
        <Field key={role} label={`${legend.replace(/s$/, '')} IDs`} error={err(field)} hint={`comma-separated; ${hint}`}>
          {(a) => <input {...a} value={value[role]} onChange={(e) => onChange({ [role]: e.target.value })} />}
        </Field>
      ))}
    </>
  );
}
