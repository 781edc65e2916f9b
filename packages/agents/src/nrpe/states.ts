/**
 * Nagios plugin states (the plugin's exit code) and how a finished plugin
 * process maps onto them.
 */
export const NagiosState = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type NagiosStateName = keyof typeof NagiosState;
export type NagiosCode = (typeof NagiosState)[NagiosStateName];

const names: readonly NagiosStateName[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

/** The state name of an exit code; anything outside 0..3 is UNKNOWN. */
export function stateName(code: number): NagiosStateName {
  return names[code] ?? 'UNKNOWN';
}

/** How a plugin process ended, as Node reports it. */
export interface ProcessEnd {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: string | null;
}

/**
 * The Nagios state of a finished plugin: its exit code when it is 0..3;
 * UNKNOWN with a `problem` saying why for any other code or a death by signal.
 */
export function pluginState(end: ProcessEnd): { exitcode: NagiosCode; problem?: string } {
  const { code, signal } = end;
  if (code === 0 || code === 1 || code === 2 || code === 3) return { exitcode: code };
  if (code === null) return { exitcode: NagiosState.UNKNOWN, problem: `plugin was killed by signal ${signal ?? 'unknown'}` };
  const hint = code === 126 ? ' (not executable)' : code === 127 ? ' (command not found)' : '';
  return { exitcode: NagiosState.UNKNOWN, problem: `plugin exited with code ${code}${hint}, which is not a Nagios state (0-3)` };
}

// Nagios orders states by severity OK < WARNING < UNKNOWN < CRITICAL.
const severity: Readonly<Record<NagiosCode, number>> = { 0: 0, 1: 1, 3: 2, 2: 3 };

/** The most severe of `codes` (OK when there are none). */
export function worstState(codes: Iterable<NagiosCode>): NagiosCode {
  let worst: NagiosCode = NagiosState.OK;
  for (const c of codes) if (severity[c] > severity[worst]) worst = c;
  return worst;
}
