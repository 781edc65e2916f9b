/** Text output of `cohort checks`, `cohort checks history` and `cohort events watch`. */
import type { CheckEvent, CheckResult, CheckState, CheckStateRecord } from '@cohort/core';
import type { checks } from '@cohort/client';
import { cellText, layoutTable } from './table.js';

/** A duration as `45s`, `12m`, `3h12m`, `2d4h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/** Upper case, as Nagios prints states. */
export function stateText(state: CheckState): string {
  return state.toUpperCase();
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

/** The state cell: `CRITICAL`, `CRITICAL (soft 1/3)`, `UNKNOWN (stale)`. */
export function rowStateText(row: checks.CheckRow): string {
  if (row.stale) return `${stateText(row.state)} (stale)`;
  return row.hard || row.state === 'ok' || row.state === 'pending' || row.state === 'maintenance' ? stateText(row.state) : `${stateText(row.state)} (soft)`;
}

/** The output cell: the plugin's first line; why a stale row is not believed; the maintenance reason. */
export function rowOutputText(row: checks.CheckRow, now: number): string {
  if (row.stale) {
    const last = row.last_run === null ? `pending since ${formatAge(now - row.since)} ago` : `no result for ${formatAge(now - row.last_run)}`;
    return `stale: ${last} (interval ${formatAge(row.interval * 1000)}); last said ${stateText(row.reported_state ?? row.state)}: ${firstLine(row.output)}`;
  }
  if (row.state === 'maintenance' && row.maintenance !== undefined) {
    return `until ${new Date(row.maintenance.until).toISOString()} by ${row.maintenance.by}: ${row.maintenance.reason}; last: ${firstLine(row.output)}`;
  }
  if (row.state === 'pending') return 'not checked yet';
  return firstLine(row.output);
}

/** The summary line: counts per state. */
export function statsLine(stats: checks.CheckStats): string {
  const parts = [`${stats.ok} ok`, `${stats.warning} warning`, `${stats.critical} critical`, `${stats.unknown} unknown${stats.stale > 0 ? ` (${stats.stale} stale)` : ''}`];
  if (stats.pending > 0) parts.push(`${stats.pending} pending`);
  if (stats.maintenance > 0) parts.push(`${stats.maintenance} in maintenance`);
  return `${stats.total} check${stats.total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The table: identity, check, state, since, output (cut to `width`), then the summary line. */
export function renderChecksTable(rows: readonly checks.CheckRow[], stats: checks.CheckStats, width: number, now: number): string {
  const body = rows.map((r) => [cellText(r.identity), cellText(r.check), rowStateText(r), formatAge(now - r.since), cellText(rowOutputText(r, now))]);
  const lines = layoutTable(['identity', 'check', 'state', 'since', 'output'], body, width);
  return `${[...lines, '', statsLine(stats)].join('\n')}\n`;
}

/** `--json` of `cohort checks`. */
export function checksJson(rows: readonly checks.CheckRow[], stats: checks.CheckStats): { checks: checks.CheckRow[]; stats: checks.CheckStats } {
  return { checks: [...rows], stats };
}

function resultLine(r: CheckResult): string {
  const code = r.exit_code === undefined ? '' : ` exit ${r.exit_code === null ? 'killed' : r.exit_code}`;
  return `${new Date(r.time).toISOString()}  ${stateText(r.state).padEnd(8)}  ${String(r.duration_ms).padStart(6)} ms${code}  ${cellText(firstLine(r.output))}`;
}

/** `cohort checks history NODE CHECK`: the state, then the kept results, newest first. */
export function renderHistory(record: CheckStateRecord, now: number): string {
  const row = (() => {
    const stale = now - (record.last_run ?? record.since) > record.interval * 2000;
    return stale ? `UNKNOWN (stale; the record says ${stateText(record.state)})` : stateText(record.state);
  })();
  const lines = [
    `${record.identity} ${record.check}: ${row}${record.hard ? '' : ` (soft, attempt ${record.attempt}/${record.retries})`} since ${new Date(record.since).toISOString()} (${formatAge(now - record.since)})`,
    `kind ${record.kind}, every ${formatAge(record.interval * 1000)}, last run ${record.last_run === null ? 'never' : `${new Date(record.last_run).toISOString()} (${formatAge(now - record.last_run)} ago)`}, from ${record.source}`,
  ];
  if (record.maintenance !== undefined) lines.push(`maintenance until ${new Date(record.maintenance.until).toISOString()} by ${record.maintenance.by}: ${record.maintenance.reason}`);
  lines.push('', `last ${record.history.length} result${record.history.length === 1 ? '' : 's'}, newest first:`);
  for (const r of record.history) lines.push(`  ${resultLine(r)}`);
  return `${lines.join('\n')}\n`;
}

/** One line per event: time, node, check, previous -> state, hard/soft, output. */
export function eventLine(e: CheckEvent): string {
  const mode = e.hard ? 'hard' : 'soft';
  const maint = e.maintenance !== undefined ? ` [maintenance until ${new Date(e.maintenance.until).toISOString()}]` : '';
  return `${new Date(e.time).toISOString()}  ${cellText(e.identity)}  ${cellText(e.check)}  ${stateText(e.previous)} -> ${stateText(e.state)} (${mode})${maint}  ${cellText(firstLine(e.output))}\n`;
}
