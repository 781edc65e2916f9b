import { checkStates, UsageError, type CheckState, type CheckStateRecord, type Maintenance, type PerfDatum } from '@cohort/core';
import type { DataAnswers } from '../discovery/registry-match.js';

/** What `--state` may select: a state, or `stale` (records whose node stopped reporting). */
export type StateSelector = CheckState | 'stale';
export const stateSelectors: readonly StateSelector[] = Object.freeze([...checkStates, 'stale']);

/** One row of `cohort checks` (the `--json` shape of the issue, plus stale, interval, maintenance). */
export interface CheckRow {
  identity: string;
  check: string;
  /** The state readers act on: `unknown` for a stale record, else the node's. */
  state: CheckState;
  output: string;
  perfdata: PerfDatum[];
  /** Unix ms since when the node says the check is in its state. */
  since: number;
  /** Unix ms of the last finished run; null while pending. */
  last_run: number | null;
  hard: boolean;
  /** The node has not reported for more than twice the interval: its state is not believed (unknown). */
  stale: boolean;
  /** The state the stale record still says (only on stale rows). */
  reported_state?: CheckState;
  /** Seconds. */
  interval: number;
  maintenance?: Maintenance;
}

export interface CheckStats {
  ok: number;
  warning: number;
  critical: number;
  unknown: number;
  pending: number;
  maintenance: number;
  /** Stale records (also counted in unknown). */
  stale: number;
  /** Rows shown. */
  total: number;
  /** Stored records that did not verify (never shown, never counted in a state). */
  refused: number;
}

/**
 * Is the record stale at `now`: its last run (or, while pending, the time it
 * became pending) is older than twice its interval? A node that is down or
 * too loaded to run its checks can no longer hide behind its last OK.
 */
export function isCheckStale(record: Pick<CheckStateRecord, 'last_run' | 'since' | 'interval'>, now: number): boolean {
  return now - (record.last_run ?? record.since) > record.interval * 2000;
}

/** The row of a record at `now`. */
export function checkRow(record: CheckStateRecord, now: number): CheckRow {
  const stale = isCheckStale(record, now);
  const row: CheckRow = {
    identity: record.identity,
    check: record.check,
    state: stale ? 'unknown' : record.state,
    output: record.output,
    perfdata: record.perfdata,
    since: record.since,
    last_run: record.last_run,
    hard: record.hard,
    stale,
    interval: record.interval,
  };
  if (stale) row.reported_state = record.state;
  if (record.maintenance !== undefined) row.maintenance = record.maintenance;
  return row;
}

/** Parse `--state` values (repeatable, comma-separated). Throws UsageError naming a bad one. */
export function parseStateSelectors(values: readonly string[]): Set<StateSelector> {
  const out = new Set<StateSelector>();
  for (const v of values.flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(stateSelectors as readonly string[]).includes(v)) throw new UsageError(`--state '${v}' is not a check state: use ${stateSelectors.join(', ')}`);
    out.add(v as StateSelector);
  }
  return out;
}

export interface RowSelection {
  /** Only these nodes (undefined: every node). */
  identities?: ReadonlySet<string> | undefined;
  /** Only these checks (undefined or empty: every check). */
  checks?: ReadonlySet<string> | undefined;
  /** Only rows in these states (`stale` selects stale rows; `unknown` includes them). Empty: every state. */
  states?: ReadonlySet<StateSelector> | undefined;
}

/** The rows for `cohort checks`: selected, sorted by identity then check, with their stats. Pure. */
export function checkRows(records: readonly CheckStateRecord[], selection: RowSelection, now: number, refused = 0): { checks: CheckRow[]; stats: CheckStats } {
  const stats: CheckStats = { ok: 0, warning: 0, critical: 0, unknown: 0, pending: 0, maintenance: 0, stale: 0, total: 0, refused };
  const checks: CheckRow[] = [];
  for (const record of records) {
    if (selection.identities !== undefined && !selection.identities.has(record.identity)) continue;
    if (selection.checks !== undefined && selection.checks.size > 0 && !selection.checks.has(record.check)) continue;
    const row = checkRow(record, now);
    const states = selection.states;
    if (states !== undefined && states.size > 0 && !states.has(row.state) && !(row.stale && states.has('stale'))) continue;
    checks.push(row);
    stats[row.state]++;
    if (row.stale) stats.stale++;
    stats.total++;
  }
  checks.sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
  return { checks, stats };
}

/**
 * `cohort checks`' exit code: 3 nothing matched; 0 every row is OK (or in
 * maintenance: deliberately silenced, as the contract's exitCodeOfState
 * counts it); 1 any other state (warning, critical, unknown, stale, pending).
 */
export function checksExitCode(stats: CheckStats): 0 | 1 | 3 {
  if (stats.total === 0) return 3;
  return stats.ok + stats.maintenance === stats.total ? 0 : 1;
}

/**
 * The filter function `check('name')` answered from verified state records,
 * with the fields the node itself answers (`exists`, `state`, `hard`,
 * `output`, `since` in seconds, `attempt`) plus `stale`; a stale record's
 * state is `unknown`, as everywhere readers judge it. So `cohort checks -S
 * "check('load').state=critical"` selects nodes without asking them.
 */
export function checkDataAnswers(records: readonly CheckStateRecord[], now: number): DataAnswers {
  const byKey = new Map(records.map((r) => [`${r.identity}\u0000${r.check}`, r]));
  return {
    check: (identity, name) => {
      const r = byKey.get(`${identity}\u0000${name}`);
      if (r === undefined) return { exists: false };
      const row = checkRow(r, now);
      return { exists: true, state: row.state, hard: row.hard, output: row.output, since: Math.floor(row.since / 1000), attempt: r.attempt, stale: row.stale };
    },
  };
}
