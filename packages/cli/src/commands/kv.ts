import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as put from './kv-put.js';
import * as get from './kv-get.js';
import * as del from './kv-del.js';
import * as ls from './kv-ls.js';
import * as watch from './kv-watch.js';
import * as history from './kv-history.js';

export const command = 'kv <command>';
export const describe = 'A key-value store on the bus (JetStream key-value buckets): put, get, del, ls, watch, history';
export const subcommands: readonly CliCommand[] = [put, get, del, ls, watch, history];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 kv put haproxy/maxconn 4096', 'Store a value (creates the bucket cohort_kv_<collective> when missing)')
    .example('cat app.json | $0 kv put app/config -', 'Store standard input (up to 1 MiB)')
    .example('$0 kv watch "haproxy.>"', 'Print changes as they happen')
    .epilog(
      'The bucket is --bucket, kv.bucket in the client config, or cohort_kv_<collective>. Access is controlled by the NATS server ' +
        '(see "Key-value store" in docs/service-discovery.md).\n\n' +
        'Exit codes: 0 done, 1 failed (e.g. refused by the NATS server), 2 bad usage, 3 no such bucket or key, 4 NATS unreachable.',
    );
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a kv subcommand: cohort kv put|get|del|ls|watch|history');
}
