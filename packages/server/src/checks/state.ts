import { checkHistoryLength, type CheckDefinition, type CheckResult, type CheckState, type CheckStateRecord, type Maintenance } from '@cohort/core';

/**
 * The state machine of one check on one node (pure: no I/O, no clock of its
 * own). A run's result moves the record; a change of state (or soft -> hard)
 * is a transition: `sequence` increments and the caller publishes an event.
 *
 * - ok: at once, hard, attempt 0.
 * - warning/critical/unknown: attempt counts consecutive non-OK results
 *   (capped at `retries`); the state is soft until attempt reaches
 *   `retries`, then hard (retries 1: hard at once). Moving between non-OK
 *   states keeps the count, so a hard problem stays hard (as Nagios).
 * - maintenance: results are still recorded (history, output, attempt) but
 *   the state stays `maintenance` until it is resumed or expires; then the
 *   state is what the latest result says.
 */

/** What changed: the previous state, for the event. */
export interface Transition {
  readonly previous: CheckState;
}

/** The record of a check that has not run yet. */
export function pendingRecord(def: CheckDefinition, identity: string, now: number): CheckStateRecord {
  return {
    identity,
    check: def.name,
    kind: def.kind,
    state: 'pending',
    hard: false,
    attempt: 0,
    retries: def.retries,
    output: 'not checked yet',
    perfdata: [],
    since: now,
    last_run: null,
    interval: def.intervalMs / 1000,
    history: [],
    source: def.definedBy !== undefined ? `bus ${def.definedBy}` : def.source,
    sequence: 0,
  };
}

/** A record carried over (restart, changed definition) with the definition's current settings. */
export function withDefinition(record: CheckStateRecord, def: CheckDefinition): CheckStateRecord {
  const retries = def.retries;
  const attempt = Math.min(record.attempt, retries);
  const hard = record.state === 'pending' ? false : record.state === 'maintenance' ? record.hard : record.state === 'ok' || attempt >= retries;
  return {
    ...record,
    kind: def.kind,
    retries,
    attempt,
    hard,
    interval: def.intervalMs / 1000,
    source: def.definedBy !== undefined ? `bus ${def.definedBy}` : def.source,
  };
}

function isMaintained(record: CheckStateRecord, now: number): record is CheckStateRecord & { maintenance: Maintenance } {
  return record.maintenance !== undefined && record.maintenance.until > now;
}

/** Caps on what one result keeps, so 15 of them stay well inside a reader's limit (maxCheckRecordBytes). */
export const resultLimits = { output: 1024, longOutput: 8192, perfdata: 64 } as const;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 15)}... (truncated)`;
}

/** A result within resultLimits (output, long output and perfdata cut). */
export function boundResult(result: CheckResult): CheckResult {
  const bounded: CheckResult = { ...result, output: cut(result.output, resultLimits.output), perfdata: result.perfdata.slice(0, resultLimits.perfdata) };
  if (result.long_output !== undefined) bounded.long_output = cut(result.long_output, resultLimits.longOutput);
  return bounded;
}

/** Record a run's result. Returns the new record and the transition, if the state (or its hardness) changed. */
export function applyResult(record: CheckStateRecord, raw: CheckResult, now: number): { record: CheckStateRecord; transition: Transition | undefined } {
  const result = boundResult(raw);
  // Only the newest result keeps its long output.
  const older = record.history.slice(0, checkHistoryLength - 1).map(({ long_output: _long, ...rest }) => rest);
  const history = [result, ...older];
  const wasProblem = record.attempt > 0;
  const attempt = result.state === 'ok' ? 0 : Math.min(wasProblem ? record.attempt + 1 : 1, record.retries);
  const base = { ...record, history, attempt, output: result.output, perfdata: result.perfdata, last_run: result.time };
  if (isMaintained(record, now)) return { record: base, transition: undefined };
  const state: CheckState = result.state;
  const hard = state === 'ok' || attempt >= record.retries;
  const { maintenance: _ended, ...rest } = base;
  void _ended;
  if (state === record.state && hard === record.hard) return { record: rest, transition: undefined };
  return {
    record: { ...rest, state, hard, since: state === record.state ? record.since : now, sequence: record.sequence + 1 },
    transition: { previous: record.state },
  };
}

/** Put the check in maintenance until `m.until` (or change the window of one in maintenance). */
export function enterMaintenance(record: CheckStateRecord, m: Maintenance, now: number): { record: CheckStateRecord; transition: Transition | undefined } {
  if (record.state === 'maintenance') return { record: { ...record, maintenance: m }, transition: undefined };
  return {
    record: { ...record, state: 'maintenance', hard: true, since: now, maintenance: m, sequence: record.sequence + 1 },
    transition: { previous: record.state },
  };
}

/** End maintenance (resumed, or expired): the state is the latest result's again (pending when it never ran). */
export function endMaintenance(record: CheckStateRecord, now: number): { record: CheckStateRecord; transition: Transition | undefined } {
  const { maintenance: _ended, ...rest } = record;
  void _ended;
  if (record.state !== 'maintenance') return { record: rest, transition: undefined };
  const latest = record.history[0];
  const state: CheckState = latest === undefined ? 'pending' : latest.state;
  const hard = latest === undefined ? false : state === 'ok' || record.attempt >= record.retries;
  return {
    record: { ...rest, state, hard, since: now, sequence: record.sequence + 1 },
    transition: { previous: 'maintenance' },
  };
}

/** Is the record's maintenance window over at `now`? */
export function maintenanceExpired(record: CheckStateRecord, now: number): boolean {
  return record.state === 'maintenance' && record.maintenance !== undefined && record.maintenance.until <= now;
}
