import type { NodeRecord } from '@cohort/provisioner';
import { bool, list, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openStateForCli } from './provisioner-connect.js';

/** One node's state as `cohort provisioner status` shows it (the --json form). */
export interface StatusRow {
  identity: string;
  state: NodeRecord['phase'];
  last_step: string | null;
  step: string | null;
  steps_done: readonly string[];
  attempts: number;
  failures: number;
  owner: string | null;
  lease_until: string | null;
  retry_after: string | null;
  master: string | null;
  ca: string | null;
  fingerprint: string | null;
  error: string | null;
  updated: string;
  finished: string | null;
}

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

export function statusRow(r: NodeRecord): StatusRow {
  return {
    identity: r.identity,
    state: r.phase,
    last_step: r.completed.at(-1) ?? null,
    step: r.phase === 'done' ? null : r.step,
    steps_done: r.completed,
    attempts: r.attempts,
    failures: r.failures,
    owner: r.owner,
    lease_until: r.owner !== null ? iso(r.lease_until) : null,
    retry_after: r.phase === 'pending' || r.phase === 'failed' ? iso(r.retry_after) : null,
    master: r.data.master?.host ?? null,
    ca: r.data.master?.identity ?? null,
    fingerprint: r.data.fingerprint ?? null,
    error: r.error,
    updated: iso(r.updated) ?? '',
    finished: iso(r.finished),
  };
}

/** The table: one line per node, the error on its own line below a failing one. */
export function renderStatus(rows: readonly StatusRow[], now: number): string {
  const w = Math.max(8, ...rows.map((r) => r.identity.length));
  const lines = [`${'identity'.padEnd(w)}  ${'state'.padEnd(8)}  ${'last step'.padEnd(16)}  attempts  ${'owner'.padEnd(12)}  updated`];
  for (const r of rows) {
    const age = `${Math.max(0, Math.round((now - Date.parse(r.updated)) / 1000))} s ago`;
    lines.push(`${r.identity.padEnd(w)}  ${r.state.padEnd(8)}  ${(r.last_step ?? '-').padEnd(16)}  ${String(r.attempts).padStart(8)}  ${(r.owner ?? '-').padEnd(12)}  ${age}`);
    if (r.state === 'running' && r.step) lines.push(`${' '.repeat(w)}  at ${r.step}`);
    if (r.error && r.state !== 'done') lines.push(`${' '.repeat(w)}  error: ${r.error}${r.retry_after ? ` (next try after ${r.retry_after})` : ''}`);
  }
  const count = (s: string) => rows.filter((r) => r.state === s).length;
  lines.push('', `${rows.length} node(s): ${count('done')} done, ${count('running')} running, ${count('pending')} pending, ${count('failed')} failed`);
  return `${lines.join('\n')}\n`;
}

/** `cohort provisioner status [NODE...]`. */
export async function runProvisionerStatus(argv: Args, io: CliIo): Promise<Outcome> {
  const store = await openStateForCli(argv, io);
  try {
    const wanted = new Set(list(argv, 'identity'));
    const rows = (await store.list()).map((e) => statusRow(e.record)).filter((r) => wanted.size === 0 || wanted.has(r.identity));
    if (bool(argv, 'json')) io.stdout.write(stringifyJson(rows, io.stdout.isTTY));
    else if (rows.length > 0) io.stdout.write(renderStatus(rows, Date.now()));
    if (rows.length === 0) io.stderr.write(wanted.size > 0 ? `No provisioning state for ${[...wanted].join(', ')} in ${store.name}\n` : `No node has a provisioning state in ${store.name} yet\n`);
    return { kind: 'found', count: rows.length };
  } finally {
    await store.close();
  }
}
