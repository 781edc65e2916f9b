/**
 * Nagios states as check_cohort_nrpe reports them. (The nrpe agent has the
 * same table on the node side; the client does not import the agents
 * package at run time, to keep the plugin's bundle small.)
 */
export const NagiosState = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type NagiosCode = (typeof NagiosState)[keyof typeof NagiosState];
export type NagiosStateName = keyof typeof NagiosState;

const names: readonly NagiosStateName[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

/** The state name of a code; anything outside 0..3 is UNKNOWN. */
export function stateName(code: number): NagiosStateName {
  return names[code] ?? 'UNKNOWN';
}

/** A value as a Nagios state code: integers 0..3 as they are, anything else UNKNOWN. */
export function asState(value: unknown): NagiosCode {
  return value === 0 || value === 1 || value === 2 || value === 3 ? value : NagiosState.UNKNOWN;
}
