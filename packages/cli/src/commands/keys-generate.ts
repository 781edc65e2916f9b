import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

export const command = 'generate <name>';
export const describe = 'Make an Ed25519 key pair NAME.key (private, mode 0600) and NAME.pub';

export function builder(y: Argv<object>): Argv<object> {
  return y
    .positional('name', { type: 'string', describe: 'Key name: alice signs as user=alice; a name with = is the caller id itself (deploy=ci)' })
    .option('dir', { type: 'string', requiresArg: true, describe: 'Directory to write to (default ~/.config/cohort, where the client looks for <login>.key)' })
    .option('force', { type: 'boolean', describe: 'Replace an existing key of that name' })
    .option('json', { alias: 'j', type: 'boolean', describe: 'Print the file names and public key as JSON' })
    .example('$0 keys generate alice', 'The key the client uses by default when your login is alice')
    .example('$0 keys generate issuer --dir /secure/place', 'An issuer key: keep it offline, give nodes issuer.pub');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKeysGenerate } = await import('../run/keys.js');
  return runKeysGenerate(argv, io);
}
