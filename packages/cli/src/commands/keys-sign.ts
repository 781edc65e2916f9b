import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

export const command = 'sign <public-key>';
export const describe = 'Certify a public key with an issuer key (writes NAME.cert beside NAME.pub)';

export function builder(y: Argv<object>): Argv<object> {
  return y
    .positional('public-key', { type: 'string', describe: 'The NAME.pub file to certify' })
    .option('issuer', { type: 'string', requiresArg: true, demandOption: true, describe: 'The issuer private key (its .pub goes into security.issuers on every node)' })
    .option('caller', { type: 'string', requiresArg: true, describe: 'Caller id to bind the key to (default user=<NAME>)' })
    .option('node', { type: 'string', requiresArg: true, describe: 'Certify a node key for this identity instead (its replies then verify with --verify-replies)' })
    .option('days', { type: 'number', requiresArg: true, describe: 'Days the certificate is valid (default 365; 0: never expires)' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write the certificate here (default: NAME.cert beside the public key)' })
    .example('$0 keys sign --issuer issuer.key alice.pub', 'alice.cert: user=alice, valid one year')
    .example('$0 keys sign --issuer issuer.key --caller deploy=ci --days 30 ci.pub', 'A short-lived key for CI')
    .example('$0 keys sign --issuer issuer.key --node web1 web1-node.pub', 'A node certificate');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKeysSign } = await import('../run/keys.js');
  return runKeysSign(argv, io);
}
