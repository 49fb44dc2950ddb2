import { ApiError } from '../api';

// FieldErrors maps API field paths ("nodePools[1].taints[0].effect") to
// messages; "" holds what belongs to no field.
export type FieldErrors = Record<string, string>;

export function fieldErrors(err: unknown): FieldErrors {
  if (!(err instanceof ApiError)) {
    return { '': err instanceof Error ? err.message : String(err) };
  }
  const out: FieldErrors = {};
  const problems = err.details.length ? err.details : [{ field: err.field, message: err.message }];
  for (const p of problems) {
    const key = p.field ?? '';
    if (!(key in out)) out[key] = p.message;
  }
  if (err.field && !(err.field in out)) out[err.field] = err.message;
  return out;
}

// errorAt returns the message for an input whose field path is prefix, or
// for any field under it ("nodePools[1].taints" shows
// "nodePools[1].taints[0].effect"), naming the sub-field in that case.
export function errorAt(errors: FieldErrors, prefix: string): string | undefined {
  if (errors[prefix]) return errors[prefix];
  for (const [field, message] of Object.entries(errors)) {
    if (field.startsWith(prefix + '.') || field.startsWith(prefix + '[')) {
      return `${field.slice(prefix.length).replace(/^\./, '')}: ${message}`;
    }
  }
  return undefined;
}

// unplaced lists errors that no rendered field shows, so none is lost.
export function unplaced(errors: FieldErrors, shown: string[]): string[] {
  return Object.entries(errors)
    .filter(([f]) => !shown.some((p) => f === p || f.startsWith(p + '.') || f.startsWith(p + '[')))
    .map(([f, m]) => (f ? `${f}: ${m}` : m));
}
