import type { NrpeCommand } from './config-parse.js';
import { maxArguments, planCommand } from './command-line.js';
import { outputText, parsePluginOutput } from './parse-output.js';
import { spawnPlugin, type PluginRun } from './spawn-plugin.js';
import { NagiosState, pluginState, type NagiosCode } from './states.js';

/** The outputs of one check, as the nrpe DDL names them. */
export interface CheckResult {
  exitcode: NagiosCode;
  output: string;
  perfdata: string;
}

export interface ExecuteOptions {
  /** `args` from the request, `!`-separated, if any. */
  args: string | undefined;
  /** May callers fill `$ARGn$` (dont_blame_nrpe=1 or nrpe.allow_arguments)? */
  allowArguments: boolean;
  /** Seconds the plugin may run. */
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Runs the plugin (replaceable in tests). */
  spawn?: typeof spawnPlugin;
}

const unknown = (output: string): CheckResult => ({ exitcode: NagiosState.UNKNOWN, output, perfdata: '' });

// Control characters cannot be meant, and NUL cannot even be passed in argv.
const controlChars = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Split request `args` on `!` into `$ARGn$` values. Returns a reason instead
 * when arguments are not allowed on this node, or are malformed.
 */
export function checkArguments(args: string | undefined, allowed: boolean): string[] | string {
  if (args === undefined || args === '') return [];
  if (!allowed) {
    return 'arguments are not allowed on this node: set dont_blame_nrpe=1 in the NRPE configuration or nrpe.allow_arguments: true in the cohortd config';
  }
  if (controlChars.test(args)) return 'arguments may not contain control characters';
  const list = args.split('!');
  if (list.length > maxArguments) return `at most ${maxArguments} arguments ($ARG1$ to $ARG${maxArguments}$) can be given, got ${list.length}`;
  return list;
}

/** Turn a finished plugin run into the check's state, output and perfdata. */
export function resultOf(run: PluginRun, command: string, timeoutSeconds: number): CheckResult {
  if (run.error !== undefined) return unknown(`cannot run the plugin of '${command}': ${run.error.code === 'ENOENT' ? 'no such file' : run.error.message}`);
  if (run.timedOut) return unknown(`plugin timed out after ${timeoutSeconds} s (${command})`);
  if (run.aborted) return unknown(`plugin stopped: the request was aborted (${command})`);
  const parsed = parsePluginOutput(run.stdout);
  let output = outputText(parsed);
  if (output === '') {
    const stderr = run.stderr.trim().split('\n')[0] ?? '';
    output = stderr === '' ? '(no output on stdout)' : `(no output on stdout) stderr: ${stderr}`;
  }
  const state = pluginState({ code: run.code, signal: run.signal });
  if (state.problem !== undefined) output = `${state.problem}: ${output}`;
  return { exitcode: state.exitcode, output, perfdata: parsed.perfdata };
}

/**
 * Run one NRPE command: fill in its arguments, plan it (exec or /bin/sh, or
 * refuse), run the plugin with the timeout and map the result to a Nagios
 * state. Every failure is an UNKNOWN result with a message; never throws.
 */
export async function executeCommand(command: NrpeCommand, options: ExecuteOptions): Promise<CheckResult> {
  const args = checkArguments(options.args, options.allowArguments);
  if (typeof args === 'string') return unknown(`${command.name}: ${args}`);
  const plan = planCommand(command.cmdline, args);
  if (plan.kind === 'refused') return unknown(`command '${command.name}' (${command.file}:${command.line}) is refused: ${plan.reason}`);
  const run = await (options.spawn ?? spawnPlugin)(plan.argv, {
    timeoutMs: options.timeoutSeconds * 1000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return resultOf(run, command.name, options.timeoutSeconds);
}
