import type { Taint } from '../types';
import { taintEffects } from '../logic/kv';
import { Field } from './ui';

export const instanceTypes = ['t3.medium', 't3.large', 'm5.large', 'm5.xlarge', 'm5.2xlarge', 'c5.xlarge', 'r5.large', 'g4dn.xlarge'];

// TaintEditor edits taints as rows of key, value and one of the three
// effects.
export function TaintEditor(props: { label: string; taints: Taint[]; onChange: (t: Taint[]) => void; error?: string }) {
  const { label, taints, onChange } = props;
  const set = (i: number, patch: Partial<Taint>) => onChange(taints.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <fieldset className="taints">
      <legend>{label}</legend>
      {taints.map((t, i) => (
        <div className="row" key={i}>
          <Field label={`${label} ${i + 1} key`}>{(p) => <input {...p} value={t.key} onChange={(e) => set(i, { key: e.target.value })} />}</Field>
          <Field label={`${label} ${i + 1} value`}>
            {(p) => <input {...p} value={t.value ?? ''} onChange={(e) => set(i, { value: e.target.value || undefined })} />}
          </Field>
          <Field label={`${label} ${i + 1} effect`}>
            {(p) => (
              <select {...p} value={t.effect} onChange={(e) => set(i, { effect: e.target.value as Taint['effect'] })}>
                {taintEffects.map((x) => (
                  <option key={x}>{x}</option>
                ))}
              </select>
            )}
          </Field>
          <button type="button" className="small" onClick={() => onChange(taints.filter((_, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...taints, { key: '', effect: 'NoSchedule' }])}>
        Add taint
      </button>
      {props.error && (
        <div className="error" role="alert">
          {props.error}
        </div>
      )}
    </fieldset>
  );
}

// CapacityFields: on-demand or spot with the max price as a percentage of
// the on-demand price; without a percent (EKS managed node groups bid up
// to the on-demand price) there is no max price to set.
export function CapacityFields(props: {
  prefix: string;
  type: 'onDemand' | 'spot';
  percent?: number;
  onChange: (type: 'onDemand' | 'spot', percent?: number) => void;
  error?: string;
}) {
  const { prefix, type, percent, onChange } = props;
  return (
    <fieldset>
      <legend>{prefix} capacity</legend>
      <label className="inline">
        <input type="radio" name={`${prefix}-cap`} checked={type === 'onDemand'} onChange={() => onChange('onDemand', percent)} /> On-demand
      </label>
      <label className="inline">
        <input type="radio" name={`${prefix}-cap`} checked={type === 'spot'} onChange={() => onChange('spot', percent)} /> Spot
      </label>
      {type === 'spot' && percent !== undefined ? (
        <Field label={`${prefix} max price (% of on-demand)`} error={props.error}>
          {(p) => <input {...p} type="number" min={1} max={100} value={percent} onChange={(e) => onChange('spot', Number(e.target.value))} />}
        </Field>
      ) : (
        props.error && (
          <div className="error" role="alert">
            {props.error}
          </div>
        )
      )}
    </fieldset>
  );
}
