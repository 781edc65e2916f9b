import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

export const command = 'types <file>';
export const describe = 'Generate TypeScript types for an agent from its DDL file';

export function builder(y: Argv<object>): Argv<object> {
  return y
    .positional('file', { type: 'string', describe: 'DDL file (.json, .yaml or .yml)' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write to this file instead of standard output' })
    .example('$0 ddl types ddl/rpcutil.json', 'Print the RpcutilActions type map')
    .example('$0 ddl types myagent.json -o src/myagent-types.ts', 'Write it to a file');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runDdlTypes } = await import('../run/ddl-types.js');
  return runDdlTypes(argv, io);
}
