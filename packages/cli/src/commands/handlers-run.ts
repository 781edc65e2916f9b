import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { provisionerConnectionOptions } from './provisioner-options.js';

export const command = 'run';
export const describe = 'Run the handler service: consume the check events of a collective and notify (email, webhook, exec) once per state change';

export function builder(y: Argv<object>): Argv<object> {
  return provisionerConnectionOptions(
    y
      .option('config', { type: 'string', requiresArg: true, demandOption: 'give the handlers file: --config handlers.yaml', describe: 'Handlers file (YAML): trust, handlers, defaults, renotify, flapping' })
      .option('check-config', { type: 'boolean', default: false, describe: 'Only validate the handlers file (exit 0 when it is good, 2 naming the problem when not)' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'Log level (the log goes to stderr)' })
      .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log lines as text or JSON' }),
  )
    .example('$0 handlers run --config /etc/cohort/handlers.yaml', 'Run until SIGINT/SIGTERM (the event in hand is finished first)')
    .example('$0 handlers run --config handlers.yaml --check-config', 'Validate the file, e.g. before a reload')
    .example('SMTP_PASSWORD=s3cret $0 handlers run --config handlers.yaml --nats nats://bus:4222', 'An SMTP password from the environment (smtp.password_env: SMTP_PASSWORD)')
    .epilog(
      [
        'Events are believed only when signed by the node they are about, with a key certified by an issuer in trust.issuers (or listed in trust.keys_dir); anything else is logged and dropped.',
        'Each state change reaches each handler once, also across a crash and restart: the consumer is durable and every delivery is recorded in a key-value bucket before and after it is made.',
        'An event names its handlers (the check\'s handlers setting); with none, the file\'s defaults get it. By default only hard states notify, a recovery (ok) only after a notified problem.',
        'NATS connection and credentials: --nats, --client-config and the security flags, as every cohort command.',
      ].join('\n\n'),
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runHandlers } = await import('../run/handlers-run.js');
  return runHandlers(argv, io);
}
