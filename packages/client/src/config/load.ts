import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ageSeconds,
  clientConfigSpec,
  ConfigError,
  durationSeconds,
  envLayers,
  fileLayer,
  isItem,
  itemsOf,
  loadConfig,
  messageCount,
  sizeBytes,
  textLayer,
  type ClientConfigSettings,
  type ConfigLayer,
} from '@cohort/core';
import { securityOf, type ClientSecurityConfig } from './security.js';
import type { JobRetention } from '../jobs/retention.js';

/**
 * The client's configuration, built by core's layering from the spec
 * (clientConfigSpec: keys, types, defaults, docs, environment variables):
 * defaults < config file < environment (COHORT_NATS, COHORT_KEY, ...) <
 * flags. Each layer is validated on its own, so a bad value is refused with
 * the server's wording, naming the file, variable or `command line`, and an
 * unknown key gets a did-you-mean. The file is found via `--config FILE`,
 * then `COHORT_CONFIG`, then `~/.config/cohort/client.yaml` (only if present).
 */

function docOf(key: string): string {
  const node = clientConfigSpec[key as keyof typeof clientConfigSpec];
  return isItem(node) ? node.doc : `section: ${Object.keys(node).join(', ')}`;
}

/** Every key the file may contain, with its meaning (unknown keys are refused). From the spec. */
export const clientConfigKeys: Readonly<Record<keyof typeof clientConfigSpec, string>> = Object.freeze(
  Object.fromEntries(Object.keys(clientConfigSpec).map((k) => [k, docOf(k)])) as Record<keyof typeof clientConfigSpec, string>,
);

/** Where the client's settings come from; later sources win. */
export interface ClientConfigSources {
  /** Config file (`--config`); else `$COHORT_CONFIG`; else `~/.config/cohort/client.yaml` when present. */
  file?: string | undefined;
  /** Environment (`process.env`): COHORT_CONFIG and the variables the spec declares. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory: the default file, and `~/` in paths. */
  home: string;
  /** Settings from command-line flags, nested like the file (`{ nats: { servers: [...] } }`). */
  flags?: Record<string, unknown>;
  /** Directory relative paths in flags resolve against (default: the current directory). */
  cwd?: string;
}

/** The client's settings, every one resolved (defaults filled in), in the units the client uses. */
export interface ClientConfig {
  /** The config file read, if any. */
  readonly file: string | undefined;
  readonly servers: readonly string[];
  readonly collective: string;
  /** Caller id from the config; undefined: the signing key's subject, else user=<login>. */
  readonly callerid: string | undefined;
  /** Seconds. */
  readonly discoveryTimeout: number;
  /** Seconds. */
  readonly discoveryWindow: number;
  readonly ddlDirs: readonly string[];
  /** Signing key, reply verification and NATS TLS/credentials. */
  readonly security: ClientSecurityConfig;
  /** Retention of the async job stream. */
  readonly jobs: JobRetention;
  /** `cohort kv` defaults. */
  readonly kv: { readonly bucket: string | undefined; readonly history: number; readonly replicas: number };
}

type Tree = Record<string, unknown>;

function isRecord(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

const pathKeys = itemsOf(clientConfigSpec).filter(([, node]) => node.path).map(([path]) => path.split('.'));

/**
 * The client format's conveniences, turned into the spec's shapes before
 * validation: `nats: URL` is `nats: { servers: [URL] }`, server entries may be
 * comma separated, `ddl_dirs` and `issuers` may be one string, and paths may
 * start with `~/`.
 */
function clientFormat(values: unknown, home: string): unknown {
  if (!isRecord(values)) return values;
  const out: Tree = { ...values };
  const nats = out['nats'];
  if (typeof nats === 'string' || Array.isArray(nats)) out['nats'] = { servers: nats };
  if (isRecord(out['nats']) && out['nats']['servers'] !== undefined) {
    const servers = out['nats']['servers'];
    const list = typeof servers === 'string' ? [servers] : servers;
    if (Array.isArray(list) && list.every((s) => typeof s === 'string')) {
      out['nats'] = { ...out['nats'], servers: list.flatMap((s: string) => s.split(',')).map((s) => s.trim()).filter(Boolean) };
    }
  }
  for (const key of ['ddl_dirs', 'issuers']) if (typeof out[key] === 'string') out[key] = [out[key]];
  for (const path of pathKeys) expandPath(out, path, home);
  return out;
}

/** Replace `~/` at a dotted path (copying the sections on the way, the input stays as it was). */
function expandPath(tree: Tree, path: readonly string[], home: string): void {
  const [key, ...rest] = path;
  if (key === undefined || !Object.hasOwn(tree, key)) return;
  const v = tree[key];
  if (rest.length > 0) {
    if (!isRecord(v)) return;
    const copy = { ...v };
    tree[key] = copy;
    expandPath(copy, rest, home);
  } else if (typeof v === 'string') tree[key] = expandHome(v, home);
  else if (Array.isArray(v)) tree[key] = v.map((p: unknown) => (typeof p === 'string' ? expandHome(p, home) : p));
}

const loginKeys = ['user', 'password', 'token', 'creds', 'nkey'] as const;

function setsLogin(layer: ConfigLayer): boolean {
  const nats = isRecord(layer.values) ? layer.values['nats'] : undefined;
  return isRecord(nats) && loginKeys.some((k) => nats[k] !== undefined);
}

/** The layer without the NATS login settings (user, password, token, creds, nkey). */
function withoutLogin(layer: ConfigLayer): ConfigLayer {
  if (!isRecord(layer.values) || !isRecord(layer.values['nats'])) return layer;
  const nats = { ...layer.values['nats'] };
  for (const k of loginKeys) delete nats[k];
  return { ...layer, values: { ...layer.values, nats } };
}

function withFormat(layer: ConfigLayer, home: string): ConfigLayer {
  return { ...layer, values: clientFormat(layer.values, home) };
}

/** The config file to read: named by flag or COHORT_CONFIG (must exist), else the default one if present. */
function configFile(sources: ClientConfigSources): string | undefined {
  const env = sources.env ?? {};
  const explicit = sources.file ?? (env['COHORT_CONFIG'] || undefined);
  if (explicit !== undefined) {
    const file = resolve(expandHome(explicit, sources.home));
    if (!existsSync(file)) {
      throw new ConfigError(`config file ${file} does not exist (given by ${sources.file !== undefined ? '--config' : 'COHORT_CONFIG'}); create it or fix the path`);
    }
    return file;
  }
  const file = join(sources.home, '.config', 'cohort', 'client.yaml');
  return existsSync(file) ? file : undefined;
}

/**
 * The client configuration from its sources: defaults < file < environment <
 * flags. A NATS login (user/password, token, creds or nkey) given by the
 * environment or a flag replaces the file's login as a whole. Throws
 * ConfigError naming the file, variable or `command line` and the key.
 */
export function loadClientConfig(sources: ClientConfigSources): ClientConfig {
  const file = configFile(sources);
  const fileLayers = file === undefined ? [] : [withFormat(fileLayer(file), sources.home)];
  return clientConfigOf(fileLayers, sources, file);
}

/**
 * One config file's text as the client reads it (defaults < this file), for
 * tools and tests; `loadClientConfig` also applies the environment and flags.
 */
export function parseClientConfig(text: string, file: string, home = ''): ClientConfig {
  return clientConfigOf([withFormat(textLayer(text, file), home)], { home }, file);
}

function clientConfigOf(fileLayers: ConfigLayer[], sources: ClientConfigSources, file: string | undefined): ClientConfig {
  const over: ConfigLayer[] = envLayers(clientConfigSpec, sources.env ?? {}).map((l) => withFormat(l, sources.home));
  if (sources.flags) over.push(withFormat({ source: 'command line', values: sources.flags, baseDir: sources.cwd ?? process.cwd() }, sources.home));
  const base = over.some(setsLogin) ? fileLayers.map(withoutLogin) : fileLayers;
  return settingsOf(loadConfig(clientConfigSpec, [...base, ...over]), file);
}

/** A value the spec's checks accepted, converted (they refuse what would not convert). */
function converted(value: number | undefined, key: string): number {
  if (value === undefined) throw new ConfigError(`configuration: key '${key}' cannot be converted`);
  return value;
}

/** The validated settings as the client uses them: durations in seconds, sizes in bytes. */
function settingsOf(s: ClientConfigSettings, file: string | undefined): ClientConfig {
  return {
    file,
    servers: s.nats.servers,
    collective: s.collective,
    callerid: s.callerid ?? undefined,
    discoveryTimeout: converted(durationSeconds(s.discovery_timeout, 's'), 'discovery_timeout'),
    discoveryWindow: converted(durationSeconds(s.discovery_window, 'ms'), 'discovery_window'),
    ddlDirs: s.ddl_dirs,
    security: securityOf(s),
    jobs: {
      maxAgeSeconds: converted(ageSeconds(s.jobs.max_age), 'jobs.max_age'),
      maxBytes: converted(sizeBytes(s.jobs.max_bytes), 'jobs.max_bytes'),
      maxMessages: converted(messageCount(s.jobs.max_messages), 'jobs.max_messages'),
    },
    kv: { bucket: s.kv.bucket ?? undefined, history: s.kv.history, replicas: s.kv.replicas },
  };
}
