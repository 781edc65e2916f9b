import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import * as useradd from './web-useradd.js';
import * as userdel from './web-userdel.js';
import * as passwd from './web-passwd.js';

export const command = 'web';
export const describe = 'Run the web console (fleet, DDL forms, live results, job history; admin and watcher roles), or manage its users';
export const subcommands: readonly CliCommand[] = [useradd, userdel, passwd];
/** `cohort web --config web.yaml` serves; the subcommands edit the users file. */
export const runsWithoutSubcommand = true;

export function builder(y: Argv<object>): Argv<object> {
  return y
    .option('config', { type: 'string', requiresArg: true, describe: 'The console\'s settings, web.yaml (listen, tls, users_file, client_config, ...; see docs/web.md)' })
    .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'Log level (the log goes to stderr)' })
    .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log lines as text or JSON' })
    .example('printf "%s\\n" "$PW" | $0 web useradd alice --role admin --key ~/.config/cohort/alice.key --config web.yaml', 'Add an admin whose runs are signed with her key')
    .example('$0 web --config /etc/cohort/web.yaml', 'Serve the console (default http://127.0.0.1:8080) until SIGINT/SIGTERM')
    .epilog(
      [
        'One process, a NATS client like the CLI: the NATS servers, credentials, collective, issuers and DDL directories come from the client config named by client_config in web.yaml (or COHORT_CONFIG). Nodes are shown only from registry records that verify against those issuers.',
        'Every action a user runs is signed with that user\'s own key and certificate, so nodes\' actionpolicy and audit log name the person, never the console.',
        'Users: cohort web useradd|passwd|userdel (passwords on standard input, never in arguments). See docs/web.md.',
      ].join('\n\n'),
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runWeb } = await import('../run/web.js');
  return runWeb(argv, io);
}
