import { checkNamePattern, parseMineDuration, UsageError } from '@cohort/core';
import { str, type Args } from '../args.js';

/**
 * The inputs (key=value, for the DDL to convert) of the node-side checks
 * agent's actions: run and resume take an optional `check`; maintenance
 * also `for` (seconds) and `reason`. Validated before anything is sent.
 */
export function checksAgentInputs(action: 'run' | 'maintenance' | 'resume', argv: Args): string[] {
  const check = str(argv, 'check');
  if (check !== undefined && !checkNamePattern.test(check)) throw new UsageError(`check name '${check}' is not valid: a lower-case letter, then up to 63 lower-case letters, digits, _ or -`);
  const inputs = check === undefined ? [] : [`check=${check}`];
  if (action !== 'maintenance') return inputs;
  const forArg = str(argv, 'for');
  if (forArg === undefined) throw new UsageError('--for is required: how long the maintenance lasts, e.g. 2h');
  const ms = parseMineDuration(forArg);
  if (typeof ms === 'string') throw new UsageError(`--for ${ms}`);
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) throw new UsageError('--for must be at least 1 second');
  const reason = (str(argv, 'reason') ?? '').trim();
  if (reason === '') throw new UsageError('--reason is required: say why, e.g. --reason "replacing a disk"');
  return [...inputs, `for=${seconds}`, `reason=${reason}`];
}
