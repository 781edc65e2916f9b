import { UsageError } from '@cohort/core';

/** Parsed cohort-sim flags. */
export interface SimFlags {
  nats: string[];
  count: number;
  first: number;
  prefix: string;
  collective: string[];
  perProcess: number;
  concurrency: number;
  pluginDir: string[];
  registration: boolean;
  interval: number | undefined;
  ttl: number | undefined;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  config: string | undefined;
  /** Issuer private key: every virtual node's registry record and lifecycle events are signed, with a key certified by it. */
  issuerKey: string | undefined;
  /** Simulated services and addresses in the registry records (sim/services.ts). */
  services: boolean;
}

/** Defaults, as data. */
export const simDefaults = {
  count: 100,
  first: 1,
  prefix: 'sim',
  /** One Node.js process comfortably hosts a few thousand connections; more go to further processes. */
  perProcess: 2500,
  concurrency: 50,
  logLevel: 'warn',
} as const;

/** Check the numbers yargs let through (UsageError names the flag). */
export function checkSimFlags(flags: SimFlags): SimFlags {
  const whole = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be a whole number of at least ${min} (got ${v})`);
  };
  whole('count', flags.count, 1);
  whole('first', flags.first, 1);
  whole('per-process', flags.perProcess, 1);
  whole('concurrency', flags.concurrency, 1);
  if (!/^[A-Za-z0-9_\-:.@]+$/.test(flags.prefix) || flags.prefix.endsWith('.')) throw new UsageError(`--prefix '${flags.prefix}' must be usable in an identity: letters, digits and _ - : . @`);
  return flags;
}

/** The settings cohortd would read from flags, nested like its config file. */
export function simSettings(flags: SimFlags): Record<string, unknown> {
  const out: Record<string, unknown> = { logging: { level: flags.logLevel } };
  if (flags.nats.length) out['nats'] = { servers: flags.nats.flatMap((s) => s.split(',')).filter(Boolean) };
  if (flags.collective.length) out['collectives'] = flags.collective;
  if (flags.pluginDir.length) out['plugin_dirs'] = flags.pluginDir;
  const registration: Record<string, unknown> = { enabled: flags.registration };
  if (flags.interval !== undefined) registration['interval'] = flags.interval;
  if (flags.ttl !== undefined) registration['ttl'] = flags.ttl;
  out['registration'] = registration;
  return out;
}
