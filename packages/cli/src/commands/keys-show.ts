import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

export const command = 'show <file>';
export const describe = 'Show a key (.key/.pub: its public key and id) or a certificate (.cert: subject, issuer, validity)';

export function builder(y: Argv<object>): Argv<object> {
  return y.positional('file', { type: 'string', describe: 'A .key, .pub or .cert file' }).option('json', { alias: 'j', type: 'boolean', describe: 'Print as JSON' });
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKeysShow } = await import('../run/keys.js');
  return runKeysShow(argv, io);
}
