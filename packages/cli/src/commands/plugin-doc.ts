import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { configOptions, groups } from '../options.js';

export const command = 'doc <agent> [action]';
export const describe = "Show an agent's documentation from its DDL: actions, inputs and outputs";

export function builder(y: Argv<object>): Argv<object> {
  return configOptions(y)
    .positional('agent', { type: 'string', describe: 'Agent name, e.g. rpcutil' })
    .positional('action', { type: 'string', describe: 'Show only this action' })
    .option('json', { alias: 'j', type: 'boolean', group: groups.output, describe: 'Print the DDL as JSON' })
    .example('$0 plugin doc rpcutil', 'Every action of rpcutil with its inputs and outputs')
    .example('$0 plugin doc rpcutil get_fact', 'One action')
    .example('$0 plugin doc myagent --ddl-dir ./ddl', 'An agent whose DDL is not bundled');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPluginDoc } = await import('../run/plugin-doc.js');
  return runPluginDoc(argv, io);
}
