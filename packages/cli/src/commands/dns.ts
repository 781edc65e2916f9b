import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions } from '../options.js';

export const command = 'dns';
export const describe = 'Run a DNS server answering service, class and node names from the verified registry (UDP and TCP)';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(
    y
      .option('listen', { type: 'string', requiresArg: true, demandOption: 'give the address to answer on: --listen 127.0.0.1:5353', describe: 'ADDRESS:PORT for UDP and TCP (e.g. 127.0.0.1:5353, [::1]:5353, 0.0.0.0:53)' })
      .option('domain', { type: 'string', requiresArg: true, default: 'cohort', describe: 'The domain answered for; names outside it are REFUSED' })
      .option('ttl', { type: 'number', requiresArg: true, default: 5, describe: 'TTL of every answer, seconds (short: answers follow the fleet)' })
      .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config); names are <...>.<collective>.<domain>' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'Log level (the log goes to stderr)' })
      .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log lines as text or JSON' }),
  )
    .example('$0 dns --listen 127.0.0.1:5353 --issuer /etc/cohort/issuer.pub', 'Answer under .cohort until SIGINT/SIGTERM')
    .example('dig -p 5353 @127.0.0.1 redis.service.cohort.cohort', 'The addresses of the live nodes offering redis (passing or warning)')
    .example('dig -p 5353 @127.0.0.1 primary.redis.service.cohort.cohort SRV', 'Their ports and node names, narrowed to the tag primary')
    .epilog(
      [
        'Names: <service>.service.<collective>.<domain> (A, AAAA, SRV), <tag>.<service>.service.<collective>.<domain>, <class>.class.<collective>.<domain> (A, AAAA), <identity>.node.<collective>.<domain> (A, AAAA).',
        'Only registry records signed by the node they describe, with a key certified by a trusted issuer (--issuer or the config\'s security issuers), are answered. A node leaves the answers when its record goes stale (its interval plus 30 s), when it deregisters, or when its service turns critical or unknown.',
        'See docs/service-discovery.md ("DNS").',
      ].join('\n\n'),
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runDns } = await import('../run/dns.js');
  return runDns(argv, io);
}
