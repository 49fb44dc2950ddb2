import type { TaintEffect } from '../types';

// Key/value maps (tags, labels) are edited as "key=value" lines.

export function formatKeyValues(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export interface Parsed<T> { value: T; error?: string }

export function parseKeyValues(text: string): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { value: out, error: `line ${i + 1}: expected key=value` };
    const key = line.slice(0, eq).trim();
    if (key in out) return { value: out, error: `line ${i + 1}: duplicate key ${key}` };
    out[key] = line.slice(eq + 1).trim();
  }
  return { value: out };
}

export const taintEffects: TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}
