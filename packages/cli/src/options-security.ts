import type { Argv } from 'yargs';

/**
 * Flags for signing, reply verification, and TLS/credentials to NATS. Only
 * yargs types are imported here (building `--help` loads nothing heavy).
 */

/** Help group of these flags. */
export const securityGroup = 'Security:';

/** --key --verify-replies --issuer --tls-ca --tls-cert --tls-key --user --password --token --creds --nkey */
export function securityOptions(y: Argv<object>): Argv<object> {
  const g = securityGroup;
  return y
    .option('key', {
      type: 'string',
      requiresArg: true,
      group: g,
      describe: 'Private key that signs requests (env COHORT_KEY; config key; default ~/.config/cohort/<login>.key when present). The caller id is bound to it',
    })
    .option('verify-replies', { type: 'boolean', group: g, describe: 'Check every reply is signed by a trusted node; unverifiable replies are reported apart and not counted' })
    .option('issuer', { type: 'string', requiresArg: true, group: g, describe: 'Issuer public key whose node certificates are trusted: registry records, job replies, --verify-replies (repeatable; config issuers)' })
    .option('tls-ca', { type: 'string', requiresArg: true, group: g, describe: 'CA certificate (PEM) that signed the NATS server certificate; requires TLS' })
    .option('tls-cert', { type: 'string', requiresArg: true, group: g, describe: 'Client certificate (PEM) for mutual TLS with NATS (with --tls-key)' })
    .option('tls-key', { type: 'string', requiresArg: true, group: g, describe: 'Private key (PEM) of --tls-cert' })
    .option('user', { type: 'string', requiresArg: true, group: g, describe: 'NATS user (env COHORT_NATS_USER), with --password' })
    .option('password', { type: 'string', requiresArg: true, group: g, describe: 'NATS password; prefer env COHORT_NATS_PASSWORD (flags show in ps)' })
    .option('token', { type: 'string', requiresArg: true, group: g, describe: 'NATS token; prefer env COHORT_NATS_TOKEN' })
    .option('creds', { type: 'string', requiresArg: true, group: g, describe: 'NATS credentials file (user JWT + NKey seed)' })
    .option('nkey', { type: 'string', requiresArg: true, group: g, describe: 'File holding an NKey seed to log in to NATS with' });
}
