import type { Thresholds } from './options.js';
import { NagiosState, type NagiosCode } from '@cohort/core';

/** One node's part in the check. */
export interface HostResult {
  host: string;
  state: NagiosCode;
  /** The plugin's output (or why the node counts as UNKNOWN). */
  output: string;
  /** False for a node that was addressed but did not reply in time. */
  replied: boolean;
}

/** Hosts per state; `total` includes expected nodes that never answered. */
export interface StateCounts {
  ok: number;
  warning: number;
  critical: number;
  unknown: number;
  total: number;
}

/** The check's verdict. */
export interface Evaluation {
  state: NagiosCode;
  counts: StateCounts;
  /** Expected (`--expect`) nodes beyond those that answered or were addressed. */
  missing: number;
}

/** Did `count` hosts reach the threshold? Neither limit given: one host is enough. */
export function reached(count: number, total: number, limit: { count?: number | undefined; percent?: number | undefined }): boolean {
  if (count === 0) return false;
  if (limit.count === undefined && limit.percent === undefined) return true;
  if (limit.count !== undefined && count >= limit.count) return true;
  return limit.percent !== undefined && total > 0 && (count * 100) / total >= limit.percent;
}

/**
 * Decide the check's state from every host's state.
 *
 * - Hosts that were addressed but did not reply are already UNKNOWN in
 *   `hosts`; with `expect`, nodes missing beyond those count as UNKNOWN too.
 * - CRITICAL when the CRITICAL hosts reach --critical-count / --critical-percent
 *   (either; default: one host).
 * - Else UNKNOWN when fewer than `expect` nodes answered, or when the UNKNOWN
 *   hosts reach --unknown-count / --unknown-percent (default: one host).
 * - Else WARNING when the WARNING hosts, plus CRITICAL hosts below the
 *   critical threshold, reach --warning-count / --warning-percent (default: one).
 * - Else OK.
 *
 * Without thresholds that is "2 if any CRITICAL, else the worst state seen"
 * (UNKNOWN above WARNING). Percentages are of `counts.total`. Pure.
 */
export function evaluateCheck(hosts: readonly HostResult[], options: { expect?: number | undefined; thresholds: Thresholds }): Evaluation {
  const c = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const h of hosts) {
    if (h.state === NagiosState.OK) c.ok++;
    else if (h.state === NagiosState.WARNING) c.warning++;
    else if (h.state === NagiosState.CRITICAL) c.critical++;
    else c.unknown++;
  }
  const answered = hosts.filter((h) => h.replied).length;
  const missing = options.expect !== undefined ? Math.max(0, options.expect - hosts.length) : 0;
  c.unknown += missing;
  const total = hosts.length + missing;
  const counts: StateCounts = { ...c, total };
  const t = options.thresholds;
  const critical = reached(c.critical, total, { count: t.criticalCount, percent: t.criticalPercent });
  if (critical) return { state: NagiosState.CRITICAL, counts, missing };
  const tooFew = options.expect !== undefined && answered < options.expect;
  if (tooFew || reached(c.unknown, total, { count: t.unknownCount, percent: t.unknownPercent })) return { state: NagiosState.UNKNOWN, counts, missing };
  if (reached(c.warning + c.critical, total, { count: t.warningCount, percent: t.warningPercent })) return { state: NagiosState.WARNING, counts, missing };
  return { state: NagiosState.OK, counts, missing };
}
