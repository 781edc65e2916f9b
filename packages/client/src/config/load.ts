import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, didYouMean, errorMessage } from '@cohort/core';
import yaml from 'js-yaml';
import { parseNatsAuth, parseSecurityKey, type ClientSecurityConfig } from './security.js';
import { parseDuration } from './duration.js';
import { parseJobsSection } from './jobs.js';
import type { JobRetention } from '../jobs/retention.js';

/**
 * The client's YAML config file. Settings, in order of precedence: flags >
 * environment > this file > built-in defaults. The file is found via
 * `--config FILE`, then `COHORT_CONFIG`, then `~/.config/cohort/client.yaml`
 * (only if present).
 */

/** Every key the file may contain, with its meaning (unknown keys are refused). */
export const clientConfigKeys = {
  nats: 'NATS connection: { servers: [nats://host:port, ...], tls: { ca, cert, key }, user, password, token, creds, nkey } (or a single URL string)',
  collective: 'collective to address (default cohort; -T overrides)',
  callerid: 'caller id sent with requests, kind=value (default user=<login>)',
  discovery_timeout: 'discovery timeout, seconds or e.g. 1500ms (default 2)',
  discovery_window: 'end discovery this long after the last new answer, milliseconds or e.g. 0.5s (default 300)',
  ddl_dirs: 'extra directories searched for agent DDLs (relative paths are relative to this file)',
  key: 'private key that signs requests (default ~/.config/cohort/<login>.key when present); the caller id is bound to it',
  certificate: 'issuer certificate for key (default: the .cert file beside the key)',
  issuers: 'issuer public key files whose node certificates are trusted when verifying replies',
  node_keys_dir: 'directory of trusted node public keys (<identity>.pub) for verifying replies',
  verify_replies: 'verify the signature of every reply (true/false; like --verify-replies)',
  jobs: 'retention of the async job stream (cohort rpc --async): { max_age: 24h, max_bytes: 256MiB, max_messages: 100000 }',
  kv: 'cohort kv: { bucket: NAME (default cohort_kv_<collective>), history: 10, replicas: 1 } (history and replicas apply when a put creates the bucket)',
} as const;

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
  const out: ClientFileConfig = {};
  const security: ClientSecurityConfig = {};
  const bad = (key: string, expected: string): ConfigError => new ConfigError(`config file ${file}: '${key}' must be ${expected}`);
  for (const [key, value] of Object.entries(doc)) {
    switch (key) {
      case 'nats': {
        const bus = isRecord(value) ? parseNatsAuth(value, file, home) : {};
        if (Object.keys(bus).length > 0) security.bus = bus;
        const servers = isRecord(value) ? value['servers'] : value;
        // A nats section may hold only TLS/credentials, leaving the servers to COHORT_NATS or --nats.
        if (isRecord(value) && servers === undefined) break;
        const list = typeof servers === 'string' ? [servers] : servers;
        if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.trim() !== '')) {
          throw bad('nats.servers', 'a non-empty list of nats://host:port URLs');
        }
        out.servers = list.flatMap((s: string) => s.split(',')).map((s) => s.trim()).filter(Boolean);
        break;
      }
      case 'collective':
        if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) throw bad(key, 'a collective name (letters, digits, _ and -)');
        out.collective = value;
        break;
      case 'callerid':
        if (typeof value !== 'string' || !/^\w+=[\w.\-@]+$/.test(value)) throw bad(key, 'of the form kind=value, e.g. user=alice');
        out.callerid = value;
        break;
      case 'discovery_timeout':
        out.discoveryTimeout = duration(value, 's', key, file);
        break;
      case 'discovery_window':
        out.discoveryWindow = duration(value, 'ms', key, file);
        break;
      case 'ddl_dirs': {
        const list = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(list) || !list.every((d) => typeof d === 'string' && d !== '')) throw bad(key, 'a list of directory paths');
        out.ddlDirs = list.map((d: string) => {
          const p = expandHome(d, home);
          return isAbsolute(p) ? p : resolve(dirname(file), p);
        });
        break;
      }
      case 'jobs':
        out.jobs = parseJobsSection(value, file);
        break;
      case 'kv':
        out.kv = parseKvSection(value, file);
        break;
      default: {
        if (parseSecurityKey(key, value, file, home, security)) break;
        const guess = didYouMean(key, Object.keys(clientConfigKeys));
        throw new ConfigError(
          `unknown key '${key}' in config file ${file}${guess ? ` (did you mean '${guess}'?)` : ''}; valid keys: ${Object.keys(clientConfigKeys).join(', ')}`,
        );
      }
    }
  }
  if (Object.keys(security).length > 0) out.security = security;
  return out;
}

function duration(value: unknown, unit: 's' | 'ms', key: string, file: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') throw new ConfigError(`config file ${file}: '${key}' must be a number or a duration like 500ms`);
  try {
    return parseDuration(value, unit, key);
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `kv:` section: { bucket, history, replicas }. */
function parseKvSection(value: unknown, file: string): NonNullable<ClientFileConfig['kv']> {
  if (!isRecord(value)) throw new ConfigError(`config file ${file}: 'kv' must be a mapping with bucket, history, replicas`);
  const out: NonNullable<ClientFileConfig['kv']> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'bucket') {
      if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new ConfigError(`config file ${file}: 'kv.bucket' must be a bucket name (letters, digits, _ and -)`);
      out.bucket = v;
    } else if (k === 'history' || k === 'replicas') {
      const max = k === 'history' ? 64 : 5;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new ConfigError(`config file ${file}: 'kv.${k}' must be a whole number from 1 to ${max}`);
      out[k] = v;
    } else throw new ConfigError(`config file ${file}: unknown key 'kv.${k}'; valid keys: kv.bucket, kv.history, kv.replicas`);
  }
  return out;
}
