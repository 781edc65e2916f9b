import type { HostResult } from './evaluate.js';
import { asState, NagiosState } from '@cohort/core';

/** The parts of an nrpe runcommand reply the check reads. */
export interface NrpeReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

/**
 * A node's state from its reply. Status 0 and 1 mean the check ran (the nrpe
 * agent replies 1 for anything not OK): the state is `exitcode`. Any other
 * status (invalid input, unknown error) is UNKNOWN with the status message.
 */
export function hostFromReply(reply: NrpeReply): HostResult {
  if (reply.statuscode === 0 || reply.statuscode === 1) {
    const output = reply.data['output'];
    return { host: reply.sender, state: asState(reply.data['exitcode']), output: typeof output === 'string' ? output : '', replied: true };
  }
  return { host: reply.sender, state: NagiosState.UNKNOWN, output: `request failed: ${reply.statusmsg}`, replied: true };
}

/** A node that was addressed but did not reply within `waitedMs`. */
export function noReplyHost(host: string, waitedMs: number): HostResult {
  return { host, state: NagiosState.UNKNOWN, output: `no reply within ${(waitedMs / 1000).toFixed(1)} s`, replied: false };
}
