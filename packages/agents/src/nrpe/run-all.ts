import type { NrpeCommand } from './config-parse.js';
import { executeCommand, type CheckResult } from './execute.js';
import { NagiosState } from './states.js';

/** Plugins run at the same time by runallcommands. */
const parallel = 4;

export interface RunAllOptions {
  /** Seconds each plugin may run. */
  timeoutSeconds: number;
  /** Seconds the whole run may take; plugins not finished by then are UNKNOWN. */
  budgetSeconds: number;
  signal?: AbortSignal;
  allowArguments: boolean;
  now?: () => number;
}

/**
 * Run every command (without arguments; `$ARGn$` macros become empty), a few
 * at a time, within the action's time budget. Results keep the commands'
 * order.
 */
export async function runAllCommands(commands: readonly NrpeCommand[], options: RunAllOptions): Promise<Record<string, CheckResult>> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetSeconds * 1000;
  const results = new Map<string, CheckResult>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < commands.length) {
      const command = commands[next++];
      if (command === undefined) break;
      const left = (deadline - now()) / 1000;
      if (left < 0.1) {
        results.set(command.name, { exitcode: NagiosState.UNKNOWN, output: `not run: the ${options.budgetSeconds} s for all commands ran out`, perfdata: '' });
        continue;
      }
      const timeoutSeconds = Math.min(options.timeoutSeconds, Math.round(left * 10) / 10);
      results.set(command.name, await executeCommand(command, { args: undefined, allowArguments: options.allowArguments, timeoutSeconds, ...(options.signal ? { signal: options.signal } : {}) }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, commands.length) }, worker));
  return Object.fromEntries(commands.flatMap((c) => {
    const r = results.get(c.name);
    return r ? [[c.name, r]] : [];
  }));
}
