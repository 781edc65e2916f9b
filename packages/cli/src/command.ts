import type { Argv } from 'yargs';
import type { Args } from './args.js';
import type { Outcome } from './exit.js';
import type { CliIo } from './io.js';

/**
 * One CLI command: its yargs definition and a handler returning how it ended
 * (errors are thrown; main maps both to the exit code). Command modules import
 * only yargs types and option builders; handlers import their runtime lazily.
 */
export interface CliCommand {
  command: string;
  describe: string;
  builder(y: Argv<object>): Argv<object>;
  handler(argv: Args, io: CliIo): Promise<Outcome>;
  /** Nested commands (`plugin doc`, `ddl types`). */
  subcommands?: readonly CliCommand[];
  /** The command does something by itself too (`cohort checks`): a subcommand is optional. */
  runsWithoutSubcommand?: boolean;
}

/** The command table: name → loader, so only the command being run is imported. */
export const commandLoaders: Readonly<Record<string, () => Promise<CliCommand>>> = {
  rpc: () => import('./commands/rpc.js'),
  ping: () => import('./commands/ping.js'),
  find: () => import('./commands/find.js'),
  facts: () => import('./commands/facts.js'),
  inventory: () => import('./commands/inventory.js'),
  plugin: () => import('./commands/plugin.js'),
  ddl: () => import('./commands/ddl.js'),
  registry: () => import('./commands/registry.js'),
  keys: () => import('./commands/keys.js'),
  nrpe: () => import('./commands/nrpe.js'),
  provisioner: () => import('./commands/provisioner.js'),
  job: () => import('./commands/job.js'),
  bus: () => import('./commands/bus.js'),
  mine: () => import('./commands/mine.js'),
  checks: () => import('./commands/checks.js'),
  events: () => import('./commands/events.js'),
  handlers: () => import('./commands/handlers.js'),
  kv: () => import('./commands/kv.js'),
  nagios: () => import('./commands/nagios.js'),
  dns: () => import('./commands/dns.js'),
  web: () => import('./commands/web.js'),
};
