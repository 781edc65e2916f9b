import type { DdlAction, DisplayPolicy, Reply } from './types.ts';

/**
 * How replies are shown: the DDL's display policy (MCollective's `display`:
 * `ok` shows successful replies, `failed` only failures, `always` every one),
 * status labels, and outputs as text rows (never markup).
 */

export const statusLabels: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'Request Aborted',
  2: 'Unknown Action',
  3: 'Missing Request Data',
  4: 'Invalid Request Data',
  5: 'Unknown Request Status',
};

export function statusLabel(code: number): string {
  return statusLabels[code] ?? `status ${code}`;
}

/** Whether a reply is shown under `policy` (hidden rows stay one click away). */
export function shownByPolicy(policy: DisplayPolicy | undefined, reply: Pick<Reply, 'statuscode'>): boolean {
  const ok = reply.statuscode === 0;
  switch (policy ?? 'always') {
    case 'ok':
      return ok;
    case 'failed':
      return !ok;
    default:
      return true;
  }
}

/** Any value as display text: strings as they are, other values as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export interface OutputRow {
  key: string;
  label: string;
  text: string;
}

/** A reply's data as label/text rows: the DDL's outputs first (by display_as), then anything undeclared. */
export function outputRows(action: DdlAction | undefined, data: unknown): OutputRow[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return data === undefined || data === null ? [] : [{ key: '', label: 'data', text: valueText(data) }];
  }
  const record = data as Record<string, unknown>;
  const rows: OutputRow[] = [];
  const outputs = action?.output ?? {};
  for (const [key, out] of Object.entries(outputs)) {
    if (!Object.hasOwn(record, key)) continue;
    rows.push({ key, label: out.display_as !== undefined && out.display_as !== '' ? out.display_as : key, text: valueText(record[key]) });
  }
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(outputs, key)) rows.push({ key, label: key, text: valueText(record[key]) });
  }
  return rows;
}

export interface Tally {
  ok: number;
  failed: number;
  total: number;
}

export function tally(replies: Iterable<Pick<Reply, 'statuscode'>>): Tally {
  let ok = 0;
  let total = 0;
  for (const r of replies) {
    total++;
    if (r.statuscode === 0) ok++;
  }
  return { ok, failed: total - ok, total };
}
