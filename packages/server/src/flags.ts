/**
 * The daemon's command-line flags, declared once: quick-flags.ts parses the
 * everyday command line from this table, main.ts gives it to yargs (help,
 * mistakes), and options.ts maps the values onto config settings.
 */
export interface DaemonFlag {
  /** Repeatable (and comma lists accepted). */
  readonly multiple?: boolean;
  readonly short?: string;
  /** Allowed values (checked by both parsers). */
  readonly choices?: readonly string[];
  /** The config setting the flag sets (dotted path), or none (`--config`). */
  readonly setting?: string;
  readonly describe: string;
}

export const daemonFlags = {
  config: { short: 'c', describe: 'YAML config file (default: $COHORTD_CONFIG; none = built-in defaults)' },
  identity: { setting: 'identity', describe: "this node's name on the bus (default: host name)" },
  nats: { multiple: true, setting: 'nats.servers', describe: 'NATS server URL; repeat or comma-separate for several' },
  facts: { multiple: true, setting: 'facts', describe: 'facts file (YAML/JSON); repeat to merge several in order' },
  classes: { setting: 'classes_file', describe: 'classes file, one class per line' },
  collective: { multiple: true, setting: 'collectives', describe: 'collective to join; repeat for several, the first is the main one' },
  'plugin-dir': { multiple: true, setting: 'plugin_dirs', describe: 'directory of custom agents (<name>.json + <name>.js, or + an executable <name>/<name>.py/.sh: docs/external-agents.md); repeatable' },
  'log-level': { choices: ['error', 'warn', 'info', 'debug'], setting: 'logging.level', describe: 'least severe level logged' },
  'log-format': { choices: ['text', 'json'], setting: 'logging.format', describe: 'log as text lines or JSON objects' },
  'log-file': { setting: 'logging.file', describe: 'log to this file instead of stderr, rotated by size (logging.max_size, logging.max_files)' },
} as const satisfies Record<string, DaemonFlag>;

export type DaemonFlagName = keyof typeof daemonFlags;

/** The table as util.parseArgs options. */
export function parseArgsOptions(): Record<string, { type: 'string'; multiple?: boolean; short?: string }> {
  return Object.fromEntries(
    Object.entries(daemonFlags).map(([name, f]: [string, DaemonFlag]) => [name, { type: 'string' as const, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) }]),
  );
}

/** The table as yargs options. */
export function yargsOptions(): Record<string, { type: 'string'; array?: boolean; alias?: string; choices?: string[]; describe: string }> {
  return Object.fromEntries(
    Object.entries(daemonFlags).map(([name, f]: [string, DaemonFlag]) => [
      name,
      { type: 'string' as const, describe: f.describe, ...(f.multiple ? { array: true } : {}), ...(f.short ? { alias: f.short } : {}), ...(f.choices ? { choices: [...f.choices] } : {}) },
    ]),
  );
}
