/**
 * The nrpe agent and its building blocks (config parsing, command planning,
 * plugin running, output parsing), exported for tests and for tools that
 * want to read NRPE configuration the way the agent does.
 */
export { nrpe } from './index.js';
export { parseNrpeConfig, type NrpeCommand, type NrpeEntry, type ParsedNrpeFile } from './config-parse.js';
export { loadNrpeConfig, missingNrpeConfig, type NrpeConfig, type NrpeSources } from './config-load.js';
export { parseCommandLine, expandTokens, planCommand, maxArguments, type CommandPlan, type ParsedCommandLine, type Token } from './command-line.js';
export { parsePluginOutput, outputText, type PluginOutput } from './parse-output.js';
export { spawnPlugin, type PluginRun, type SpawnPluginOptions } from './spawn-plugin.js';
export { executeCommand, checkArguments, resultOf, type CheckResult, type ExecuteOptions } from './execute.js';
export { runAllCommands, type RunAllOptions } from './run-all.js';
export { CheckNotOkError, checkReply } from './reply.js';
export { nrpeSettings, pluginTimeout, secondsToReply, defaultCommandTimeout, replyMargin, type NrpeSettings } from './settings.js';
export { NagiosState, stateName, pluginState, worstState, type NagiosCode, type NagiosStateName, type ProcessEnd } from './states.js';
