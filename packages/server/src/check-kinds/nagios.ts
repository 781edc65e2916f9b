import { access, constants } from 'node:fs/promises';
import { loadNrpeConfig, parsePluginOutput, planCommand, pluginState, spawnPlugin, type NrpeSources, type PluginRun } from '@cohort/agents';
import { expandCheckVars, parsePerfdata, stateOfExitCode, type CheckDefinition, type CheckResult } from '@cohort/core';
import type { CheckKindRunner, CheckRunContext } from './types.js';

export interface NagiosKindOptions {
  /** Where the node's NRPE configuration is (`nrpe.conf_file`, `nrpe.conf_dir`), for `nrpe:` checks; read at each run, so changes apply at once. */
  readonly nrpe: NrpeSources;
  /** Largest stdout kept from a plugin (default 64 KiB, as NRPE). */
  readonly maxOutputBytes?: number;
}

/** How the plan of a check came out: argv to run, or why there is nothing to run. */
type Plan = { argv: string[] } | { unknown: string };

/**
 * The `nagios` kind: runs a Nagios plugin (argv with `$name$` filled from
 * the check's vars, no shell; or a command of the node's NRPE config, planned
 * as the nrpe agent plans it) in its own process group, and maps its exit
 * code, output and perfdata by the plugin rules. A plugin that does not stop
 * by the timeout is killed (with anything it started) and the result is
 * unknown; a plugin that does not exist is unknown "plugin not found: PATH".
 * Never throws.
 */
export class NagiosKind implements CheckKindRunner {
  readonly #o: NagiosKindOptions;

  constructor(options: NagiosKindOptions) {
    this.#o = options;
  }

  async run(def: CheckDefinition, ctx: CheckRunContext): Promise<CheckResult> {
    const started = ctx.clock();
    const unknown = (output: string, exit_code: number | null = null): CheckResult => {
      const time = ctx.clock();
      return { state: 'unknown', output, perfdata: [], time, duration_ms: time - started, exit_code };
    };
    const plan = await this.#plan(def, ctx.identity);
    if ('unknown' in plan) return unknown(plan.unknown);
    const plugin = plan.argv[0] ?? '';
    if (plugin.startsWith('/') && !(await exists(plugin))) return unknown(`plugin not found: ${plugin}`);
    const run: PluginRun = await spawnPlugin(plan.argv, { timeoutMs: def.timeoutMs, signal: ctx.signal, maxOutputBytes: this.#o.maxOutputBytes ?? 64 * 1024 });
    if (run.error !== undefined) return unknown(run.error.code === 'ENOENT' ? `plugin not found: ${plugin}` : `cannot run ${plugin}: ${run.error.message}`);
    if (run.timedOut) return unknown(`plugin timed out after ${def.timeoutMs / 1000} s and was killed: ${plugin}`);
    if (run.aborted) {
      const reason: unknown = ctx.signal.reason;
      return unknown(`plugin stopped: ${reason instanceof Error ? reason.message : 'the run was aborted'}: ${plugin}`);
    }
    const parsed = parsePluginOutput(run.stdout);
    const ended = pluginState({ code: run.code, signal: run.signal });
    let output = parsed.text;
    if (output === '') {
      const stderr = run.stderr.trim().split('\n')[0] ?? '';
      output = stderr === '' ? '(no output on stdout)' : `(no output on stdout) stderr: ${stderr}`;
    }
    if (ended.problem !== undefined) output = `${ended.problem}: ${output}`;
    const time = ctx.clock();
    const long = parsed.long.join('\n');
    return {
      state: stateOfExitCode(ended.exitcode) as CheckResult['state'],
      output,
      ...(long !== '' ? { long_output: long } : {}),
      perfdata: parsePerfdata(parsed.perfdata),
      time,
      duration_ms: time - started,
      exit_code: run.code,
    };
  }

  async #plan(def: CheckDefinition, identity: string): Promise<Plan> {
    // $identity$ is the node's identity (as Nagios' $HOSTNAME$) unless the check sets a var of that name.
    if (def.command !== undefined) return { argv: expandCheckVars(def.command, { identity, ...def.vars }) };
    if (def.nrpe === undefined) return { unknown: `check '${def.name}' has neither a command nor an nrpe command` };
    const config = await loadNrpeConfig(this.#o.nrpe);
    const command = config.commands.get(def.nrpe);
    if (command === undefined) {
      const where = config.files.length > 0 ? config.files.join(', ') : 'no NRPE configuration was found (nrpe.conf_file / nrpe.conf_dir)';
      return { unknown: `no NRPE command '${def.nrpe}' on this node (read: ${where})` };
    }
    const plan = planCommand(command.cmdline, []);
    if (plan.kind === 'refused') return { unknown: `NRPE command '${def.nrpe}' (${command.file}:${command.line}) is refused: ${plan.reason}` };
    return { argv: plan.argv };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
