import { defineAgent } from '../define.js';
import type { NrpeActions } from '../generated/index.js';
import { loadNrpeConfig, missingNrpeConfig } from './config-load.js';
import { executeCommand } from './execute.js';
import { CheckNotOkError, checkReply } from './reply.js';
import { runAllCommands } from './run-all.js';
import { nrpeSettings, pluginTimeout, secondsToReply } from './settings.js';
import { NagiosState, stateName, worstState } from './states.js';

/**
 * nrpe: runs the Nagios plugins defined as NRPE commands on this node,
 * compatible with Choria's nrpe DDL. Commands are read from the NRPE
 * configuration (nrpe.conf_file with its includes, nrpe.conf_dir) on every
 * request, so edits apply without a restart. Non-OK checks reply status 1
 * with their outputs (see CheckNotOkError). Not loaded when the node has no
 * NRPE configuration.
 */
export const nrpe = defineAgent<NrpeActions>({
  name: 'nrpe',

  activate: async ({ node, log }) => {
    const settings = nrpeSettings(node);
    const missing = await missingNrpeConfig(settings);
    if (missing !== undefined) return missing;
    const config = await loadNrpeConfig(settings);
    for (const problem of config.problems) log.warn(`NRPE configuration: ${problem}`);
    log.info(`${config.commands.size} NRPE command(s) defined in ${config.files.length} file(s)`, { commands: [...config.commands.keys()] });
    return true;
  },

  actions: {
    runcommand: async ({ command, args }, ctx) => {
      const { node, log, signal } = ctx;
      const settings = nrpeSettings(node);
      const config = await loadNrpeConfig(settings);
      if (config.problems.length > 0) log.debug('NRPE configuration problems', { problems: config.problems });
      const definition = config.commands.get(command);
      if (definition === undefined) {
        return checkReply({ exitcode: NagiosState.UNKNOWN, output: `No such command: ${command}`, perfdata: '' }, command);
      }
      const result = await executeCommand(definition, {
        args,
        allowArguments: settings.allowArguments || config.dontBlameNrpe,
        timeoutSeconds: pluginTimeout(ctx, config.commandTimeout),
        signal,
      });
      return checkReply(result, command);
    },

    runallcommands: async (_input, ctx) => {
      const settings = nrpeSettings(ctx.node);
      const config = await loadNrpeConfig(settings);
      const { signal } = ctx;
      const commands = await runAllCommands([...config.commands.values()], {
        timeoutSeconds: pluginTimeout(ctx, config.commandTimeout),
        budgetSeconds: secondsToReply(ctx),
        allowArguments: settings.allowArguments || config.dontBlameNrpe,
        signal,
      });
      const bad = Object.entries(commands).filter(([, r]) => r.exitcode !== NagiosState.OK);
      if (bad.length === 0) return { commands };
      const worst = stateName(worstState(bad.map(([, r]) => r.exitcode)));
      throw new CheckNotOkError(`${worst}: ${bad.map(([name, r]) => `${name} ${stateName(r.exitcode)}`).join(', ')}`, { commands });
    },
  },
});
