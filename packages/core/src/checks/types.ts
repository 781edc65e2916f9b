/**
 * Checks: the shared contract between the node that runs them (cohortd), the
 * readers (`cohort checks`, `check_cohort_nrpe --cached`, the web console)
 * and the handler service (`cohort handlers run`). Types and constants only;
 * no I/O. Everything here travels as signed data (security/signed-data.ts):
 * the node seals its states and events, every reader verifies them.
 */
import type { PerfDatum } from './perfdata.js';

/**
 * A check's state. `pending`: defined, not checked yet. `maintenance`: an
 * operator silenced it until a time (`cohort checks maintenance`); the real
 * result is still recorded in `last`.
 */
export type CheckState = 'ok' | 'warning' | 'critical' | 'unknown' | 'pending' | 'maintenance';
export const checkStates: readonly CheckState[] = Object.freeze(['ok', 'warning', 'critical', 'unknown', 'pending', 'maintenance']);

/** The state of a Nagios plugin's exit code (0..3; anything else unknown). */
export function stateOfExitCode(code: number | null | undefined): CheckState {
  return code === 0 ? 'ok' : code === 1 ? 'warning' : code === 2 ? 'critical' : 'unknown';
}

/** The Nagios exit code of a state (pending and maintenance count as unknown/ok for aggregates). */
export function exitCodeOfState(state: CheckState): 0 | 1 | 2 | 3 {
  return state === 'ok' || state === 'maintenance' ? 0 : state === 'warning' ? 1 : state === 'critical' ? 2 : 3;
}

/** What kind of check: a Nagios plugin (argv or an NRPE command), an expression over metrics, a Graphite target. */
export type CheckKindName = 'nagios' | 'expression' | 'graphite';

/** Where a check was declared. */
export type CheckSource = 'config' | `drop-in ${string}` | `bus ${string}`;

/**
 * A check ready to schedule (after parsing config, a drop-in file or a
 * signed fleet-wide definition). Durations in ms here; seconds on the wire.
 */
export interface CheckDefinition {
  readonly name: string;
  readonly kind: CheckKindName;
  /** nagios: plugin argv (no shell), `$name$` filled from `vars`; or `nrpe`: a command of the node's NRPE config. */
  readonly command?: readonly string[];
  readonly nrpe?: string;
  /** Thresholds and other settings, usable as `$name$` in argv and by name in expressions. */
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  /** expression: rules over collector metrics and vars; the first that is true sets the state. */
  readonly critical_if?: string;
  readonly warning_if?: string;
  /** expression: output template (`{{ metric }}` style, see docs/checks.md). */
  readonly output?: string;
  /** graphite: a target, a window (seconds) and thresholds. */
  readonly graphite?: { readonly target: string; readonly window: number; readonly url?: string };
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly splay: boolean;
  /** A filter expression (the -S language): the check exists only on matching nodes. Absent: every node. */
  readonly apply_on?: string;
  /** Consecutive non-OK results before the state is hard (1: at once). */
  readonly retries: number;
  /** Names of handlers (in the handler service's config) to notify; empty: the service's defaults. */
  readonly handlers: readonly string[];
  readonly source: CheckSource;
  /** For bus definitions: who defined it (a caller id). */
  readonly definedBy?: string;
}

/** One run's result. */
export interface CheckResult {
  /** ok, warning, critical or unknown (never pending/maintenance). */
  state: Exclude<CheckState, 'pending' | 'maintenance'>;
  /** First line of output (plugin text, or the expression's template). */
  output: string;
  /** Further lines (plugin long output). */
  long_output?: string;
  perfdata: PerfDatum[];
  /** When the run finished, unix ms. */
  time: number;
  duration_ms: number;
  /** nagios: the exit code (null when killed). */
  exit_code?: number | null;
}

/** A maintenance window on one check of one node. */
export interface Maintenance {
  /** Unix ms when it ends by itself. */
  until: number;
  reason: string;
  /** The caller id that set it. */
  by: string;
}

/**
 * The current state of one check on one node: what the node seals (signed
 * data of kind `check-state`) and keeps under `checkKey(check, identity)` in
 * the collective's checks bucket.
 */
export interface CheckStateRecord {
  identity: string;
  check: string;
  kind: CheckKindName;
  state: CheckState;
  /** Hard once `retries` consecutive results agree (soft before). */
  hard: boolean;
  /** Consecutive results in the current non-OK state (0 when ok). */
  attempt: number;
  retries: number;
  output: string;
  perfdata: PerfDatum[];
  /** Since when (unix ms) the check has been in this state. */
  since: number;
  /** Unix ms of the last finished run; null while pending. */
  last_run: number | null;
  /** Seconds: a record whose last_run is older than twice this is stale (readers say unknown). */
  interval: number;
  /** The newest results first, at most `checkHistoryLength`. */
  history: CheckResult[];
  maintenance?: Maintenance;
  source: string;
  /** Increments with every state change of this check on this node (the event's sequence). */
  sequence: number;
}

/** How many results a state record keeps. */
export const checkHistoryLength = 15;

/** The tag and version of a check event. */
export const checkEventTag = 'cohort:check-event:1';

/**
 * A state change (signed data of kind `check-event`), published on
 * `checkEventSubject(collective, identity, check)` into the collective's
 * events stream. `id` = `<identity>:<check>:<sequence>` identifies it exactly
 * (handlers deduplicate on it).
 */
export interface CheckEvent {
  protocol: typeof checkEventTag;
  id: string;
  collective: string;
  identity: string;
  check: string;
  sequence: number;
  /** The state before (pending for the first result). */
  previous: CheckState;
  state: CheckState;
  hard: boolean;
  output: string;
  perfdata: PerfDatum[];
  /** Unix ms of the change. */
  time: number;
  interval: number;
  handlers: string[];
  maintenance?: Maintenance;
}

/** The signed-data kinds of checks. */
export const CheckKind = { State: 'check-state', Event: 'check-event', Definition: 'check-definition' } as const;

/** Largest state record / event envelope a reader accepts, bytes. */
export const maxCheckRecordBytes = 256 * 1024;

/** The events stream keeps at most this long (and `checkEventsMaxMessages`). */
export const checkEventsMaxAgeSeconds = 14 * 86_400;
export const checkEventsMaxMessages = 1_000_000;
