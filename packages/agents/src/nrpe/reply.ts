import { AgentError } from '../errors.js';
import type { CheckResult } from './execute.js';
import { NagiosState, stateName } from './states.js';

/**
 * A check that ran but is not OK. Like the MCollective/Choria nrpe agent, the
 * reply then has status 1 with the state name (WARNING, CRITICAL, UNKNOWN) as
 * its statusmsg, so the CLI's default display policy ("failed") shows exactly
 * the non-OK hosts, while `data` still carries the real outputs (exitcode,
 * output, perfdata, command) for aggregation and the Nagios check.
 */
export class CheckNotOkError extends AgentError {
  constructor(message: string, data: Record<string, unknown>) {
    super(message, 1, { data });
  }
}

/** The runcommand reply for a result: its data when OK, else a CheckNotOkError carrying it. */
export function checkReply(result: CheckResult, command: string): { output: string; exitcode: number; perfdata: string; command: string } {
  const data = { ...result, command };
  if (result.exitcode === NagiosState.OK) return data;
  throw new CheckNotOkError(stateName(result.exitcode), data);
}
