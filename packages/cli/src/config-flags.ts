import { loadClientConfig, type ClientConfig } from '@cohort/client';
import { list, str, type Args } from './args.js';
import type { CliIo } from './io.js';

/**
 * The flags that set a client setting, declared once: the dotted path in the
 * client spec (core `config/client/`) each one sets. Their values form the
 * `command line` layer of the client configuration (defaults < file <
 * environment < flags), validated like the file, as cohortd's flags are.
 */
const settingFlags = {
  nats: 'nats.servers',
  target: 'collective',
  'discovery-timeout': 'discovery_timeout',
  'discovery-window': 'discovery_window',
  key: 'key',
  'verify-replies': 'verify_replies',
  'tls-ca': 'nats.tls.ca',
  'tls-cert': 'nats.tls.cert',
  'tls-key': 'nats.tls.key',
  user: 'nats.user',
  password: 'nats.password',
  token: 'nats.token',
  creds: 'nats.creds',
  nkey: 'nats.nkey',
  'jobs-max-age': 'jobs.max_age',
  'jobs-max-bytes': 'jobs.max_bytes',
  'jobs-max-messages': 'jobs.max_messages',
} as const;

/** Repeatable flags whose values are lists (comma lists accepted): `--nats a,b --nats c`. */
const listFlags: ReadonlySet<string> = new Set(['nats']);

function flagValue(argv: Args, name: string): unknown {
  const v = argv[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const values = list(argv, name);
  if (listFlags.has(name)) return values.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return values.at(-1);
}

/** The settings given as flags, nested like the config file (`{ nats: { servers: [...] } }`). */
export function flagSettings(argv: Args): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settingFlags)) {
    const value = flagValue(argv, name);
    if (value === undefined) continue;
    const path = setting.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1] ?? ''] = value;
  }
  return out;
}

/** The client configuration from `--config` (or COHORT_CONFIG), the environment and these flags (core's layering). */
export function sessionConfig(argv: Args, io: CliIo): ClientConfig {
  return loadClientConfig({ file: str(argv, 'config'), env: io.env, home: io.homedir, flags: flagSettings(argv) });
}
