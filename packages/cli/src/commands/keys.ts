import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as generate from './keys-generate.js';
import * as show from './keys-show.js';
import * as sign from './keys-sign.js';

export const command = 'keys <command>';
export const describe = 'Signing keys: generate key pairs, certify keys with an issuer, show keys and certificates';
export const subcommands: readonly CliCommand[] = [generate, sign, show];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 keys generate alice', 'Make ~/.config/cohort/alice.key and alice.pub (callerid user=alice)')
    .example('$0 keys sign --issuer issuer.key alice.pub', 'Certify alice.pub as user=alice with the issuer key: writes alice.cert')
    .example('$0 keys sign --issuer issuer.key --node web1 /etc/cohort/node.pub', "Certify a node's key, so clients can verify its replies")
    .epilog('See docs/security.md for rolling keys out to a fleet.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a keys subcommand: cohort keys generate NAME, cohort keys sign --issuer ISSUER.key NAME.pub, cohort keys show FILE');
}
