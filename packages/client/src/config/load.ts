import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clientConfigSpec, ConfigError, errorMessage, isItem, layerProblem, type LayerProblem } from '@cohort/core';
import yaml from 'js-yaml';
import { configPath, securitySettings, type ClientSecurityConfig } from './security.js';
import { parseDuration } from './duration.js';
import { jobsSettings } from './jobs.js';
import type { JobRetention } from '../jobs/retention.js';

/**
 * The client's YAML config file, declared in core (clientConfigSpec: keys,
 * types, defaults, docs) and checked by its validator precompiled at build
 * time. Settings, in order of precedence: flags > environment > this file >
 * built-in defaults. The file is found via `--config FILE`, then
 * `COHORT_CONFIG`, then `~/.config/cohort/client.yaml` (only if present).
 */

function docOf(key: string): string {
  const node = clientConfigSpec[key as keyof typeof clientConfigSpec];
  return isItem(node) ? node.doc : `section: ${Object.keys(node).join(', ')}`;
}

/** Every key the file may contain, with its meaning (unknown keys are refused). From the spec. */
export const clientConfigKeys: Readonly<Record<keyof typeof clientConfigSpec, string>> = Object.freeze(
  Object.fromEntries(Object.keys(clientConfigSpec).map((k) => [k, docOf(k)])) as Record<keyof typeof clientConfigSpec, string>,
);

/** Settings read from the file. Durations in seconds. */
export interface ClientFileConfig {
  servers?: string[];
  collective?: string;
  callerid?: string;
  discoveryTimeout?: number;
  discoveryWindow?: number;
  ddlDirs?: string[];
  /** Signing key, reply verification and NATS TLS/credentials. */
  security?: ClientSecurityConfig;
  /** Retention of the async job stream (defaults: jobRetentionDefaults). */
  jobs?: Partial<JobRetention>;
  /** `cohort kv` defaults. */
  kv?: { bucket?: string; history?: number; replicas?: number };
}

export interface LoadedClientConfig {
  /** The file read, if any. */
  file?: string;
  config: ClientFileConfig;
}

/** Locate and load the client config. A file named by flag or environment must exist. */
export function loadClientConfig(flag: string | undefined, env: NodeJS.ProcessEnv, home: string): LoadedClientConfig {
  const explicit = flag ?? (env['COHORT_CONFIG'] || undefined);
  if (explicit !== undefined) {
    const file = resolve(expandHome(explicit, home));
    if (!existsSync(file)) {
      throw new ConfigError(`config file ${file} does not exist (given by ${flag !== undefined ? '--config' : 'COHORT_CONFIG'}); create it or fix the path`);
    }
    return { file, config: parseClientConfig(readText(file), file, home) };
  }
  const file = join(home, '.config', 'cohort', 'client.yaml');
  if (!existsSync(file)) return { config: {} };
  return { file, config: parseClientConfig(readText(file), file, home) };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

type Tree = Record<string, unknown>;

function isRecord(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The client format's conveniences, turned into the spec's shapes before
 * validation: `nats: URL` is `nats: { servers: [URL] }`, server entries may be
 * comma separated, `ddl_dirs` and `issuers` may be one string.
 */
function normalize(doc: Tree): Tree {
  const out: Tree = { ...doc };
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
  return out;
}

/** A schema problem in the client file's own wording: `config file F: 'key' must be ...`. */
function problemText(p: LayerProblem, file: string): string {
  const dotted = p.path.join('.');
  if (p.kind === 'unknown') {
    const prefix = p.path.length > 1 ? `${p.path.slice(0, -1).join('.')}.` : '';
    const guess = p.guess ? ` (did you mean '${prefix}${p.guess}'?)` : '';
    const valid = `valid keys: ${p.known.map((k) => prefix + k).join(', ')}`;
    return prefix ? `config file ${file}: unknown key '${dotted}'${guess}; ${valid}` : `unknown key '${dotted}' in config file ${file}${guess}; ${valid}`;
  }
  if (p.kind === 'item') return `config file ${file}: '${dotted}' must be ${p.item.expect}`;
  // `nats:` may also be one URL (see normalize).
  const or = dotted === 'nats' ? 'a nats://host:port URL or ' : '';
  return p.path.length ? `config file ${file}: '${dotted}' must be ${or}a mapping with ${p.keys.join(', ')}` : `config file ${file} must be a YAML mapping of settings; valid keys: ${p.keys.join(', ')}`;
}

/** Parse and validate the YAML text of a client config file. Throws ConfigError naming the key and the file. */
export function parseClientConfig(text: string, file: string, home = ''): ClientFileConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  if (doc === undefined || doc === null) return {};
  if (!isRecord(doc)) throw new ConfigError(`config file ${file} must be a YAML mapping of settings; valid keys: ${Object.keys(clientConfigKeys).join(', ')}`);
  const values = normalize(doc);
  const problem = layerProblem(clientConfigSpec, values);
  if (problem) throw new ConfigError(problemText(problem, file));
  return settingsOf(values, file, home);
}

/** The validated layer as the client uses it: durations in seconds, paths resolved, sections typed. */
function settingsOf(v: Tree, file: string, home: string): ClientFileConfig {
  const out: ClientFileConfig = {};
  const nats = v['nats'] as Tree | undefined;
  if (nats?.['servers'] !== undefined) out.servers = nats['servers'] as string[];
  if (typeof v['collective'] === 'string') out.collective = v['collective'];
  if (typeof v['callerid'] === 'string') out.callerid = v['callerid'];
  if (v['discovery_timeout'] !== undefined) out.discoveryTimeout = duration(v['discovery_timeout'], 's', 'discovery_timeout', file);
  if (v['discovery_window'] !== undefined) out.discoveryWindow = duration(v['discovery_window'], 'ms', 'discovery_window', file);
  if (Array.isArray(v['ddl_dirs'])) out.ddlDirs = (v['ddl_dirs'] as string[]).map((d) => configPath(d, file, home));
  const security = securitySettings(v, file, home);
  if (Object.keys(security).length > 0) out.security = security;
  if (isRecord(v['jobs'])) out.jobs = jobsSettings(v['jobs'], file);
  if (isRecord(v['kv'])) {
    const kv: NonNullable<ClientFileConfig['kv']> = {};
    const { bucket, history, replicas } = v['kv'];
    if (typeof bucket === 'string') kv.bucket = bucket;
    if (typeof history === 'number') kv.history = history;
    if (typeof replicas === 'number') kv.replicas = replicas;
    out.kv = kv;
  }
  return out;
}

function duration(value: unknown, unit: 's' | 'ms', key: string, file: string): number {
  try {
    return parseDuration(value, unit, key);
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}
