import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError, defaultWebJobsBucket, didYouMean, errorMessage, parseMineDuration } from '@cohort/core';

/**
 * web.yaml: how the console listens, where its users and secret are, which
 * client config (NATS, trust, DDLs) it uses. Every key is optional; unknown
 * keys and bad values are refused naming the key.
 */
export const webConfigKeys: Readonly<Record<string, string>> = {
  listen: 'ADDRESS:PORT to serve on (default 127.0.0.1:8080; [::1]:8080 for IPv6)',
  tls: '{ cert, key }: PEM files; with them the console speaks HTTPS and cookies are Secure',
  users_file: 'the users file (default users.yaml beside web.yaml; cohort web useradd writes it)',
  secret_file: 'the session secret (default web.secret beside web.yaml; created mode 0600 on first start)',
  client_config: 'the client config for NATS servers, TLS/credentials, collective, issuers and ddl_dirs (default: COHORT_CONFIG, else ~/.config/cohort/client.yaml)',
  session_idle: 'a session ends after this long without a request (default 8h)',
  session_max: 'a session ends this long after login, however active (default 24h)',
  login_limit: '{ per_user, per_address, window }: failed logins allowed per user name and per client address within window (default 5, 20, 15m)',
  require_signing: 'true (default): every user who runs actions needs a key; false: users without a key send unsigned requests (for unsigned fleets)',
  jobs: '{ bucket, keep }: the JetStream key-value bucket holding the job history (default cohort_web_jobs) and how many jobs it keeps (default 500)',
  graphite_url: 'base URL of a Graphite server whose render API /api/stats reads (e.g. http://graphite:8080); unset: no statistics',
  graphite_prefix: 'metric path prefix of node metrics in Graphite (default cohort.<identity>.)',
  ui_dir: 'directory of the built page (default: the dist/ui of @cohort/web)',
  nats_url_for_nodes: 'the NATS URL nodes should use, shown by /api/install (default: the console\'s own servers)',
};

export interface WebConfig {
  file: string | undefined;
  host: string;
  port: number;
  tls: { cert: string; key: string } | undefined;
  usersFile: string;
  secretFile: string;
  clientConfig: string | undefined;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginLimit: { perUser: number; perAddress: number; windowMs: number };
  requireSigning: boolean;
  jobs: { bucket: string; keep: number };
  graphiteUrl: string | undefined;
  graphitePrefix: string;
  uiDir: string | undefined;
  natsUrlForNodes: string | undefined;
}

/** Parse `host:port` / `[v6]:port`; a reason on failure. */
export function parseListenAddress(text: string): { host: string; port: number } | { error: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return { error: `'${text}' is not ADDRESS:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:443)` };
  return { host: m[1] ?? m[2]!, port };
}

const positiveInt = (v: unknown, key: string, file: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`${file}: '${key}' must be a whole number of at least 1, not ${JSON.stringify(v)}`);
  return v;
};

const duration = (v: unknown, key: string, file: string): number => {
  const ms = parseMineDuration(v);
  if (typeof ms === 'string') throw new ConfigError(`${file}: '${key}' ${ms}`);
  return ms;
};

const section = (v: unknown, key: string, file: string, keys: readonly string[]): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${file}: '${key}' must be a mapping with keys ${keys.join(', ')}`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) {
      const guess = didYouMean(k, keys);
      throw new ConfigError(`${file}: unknown key '${key}.${k}'${guess ? ` (did you mean '${key}.${guess}'?)` : ''}; valid keys: ${keys.map((x) => `${key}.${x}`).join(', ')}`);
    }
  }
  return v as Record<string, unknown>;
};

/** Parse web.yaml text. Relative paths resolve against the file's directory. Throws ConfigError naming the key. */
export function parseWebConfig(text: string, file: string): WebConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  if (doc === undefined || doc === null) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file} must be a mapping of settings; valid keys: ${Object.keys(webConfigKeys).join(', ')}`);
  const base = dirname(resolve(file));
  const path = (v: unknown, key: string): string => {
    if (typeof v !== 'string' || v === '') throw new ConfigError(`${file}: '${key}' must be a file path`);
    return isAbsolute(v) ? v : resolve(base, v);
  };
  const out = defaultWebConfig(base);
  out.file = file;
  for (const [key, v] of Object.entries(doc as Record<string, unknown>)) {
    switch (key) {
      case 'listen': {
        if (typeof v !== 'string') throw new ConfigError(`${file}: 'listen' must be ADDRESS:PORT, e.g. 127.0.0.1:8080`);
        const l = parseListenAddress(v);
        if ('error' in l) throw new ConfigError(`${file}: 'listen' ${l.error}`);
        out.host = l.host;
        out.port = l.port;
        break;
      }
      case 'tls': {
        const t = section(v, 'tls', file, ['cert', 'key']);
        if (t['cert'] === undefined || t['key'] === undefined) throw new ConfigError(`${file}: 'tls' needs both tls.cert and tls.key (PEM files)`);
        out.tls = { cert: path(t['cert'], 'tls.cert'), key: path(t['key'], 'tls.key') };
        for (const [k, p] of Object.entries(out.tls)) if (!existsSync(p)) throw new ConfigError(`${file}: 'tls.${k}' file ${p} does not exist`);
        break;
      }
      case 'users_file':
        out.usersFile = path(v, key);
        break;
      case 'secret_file':
        out.secretFile = path(v, key);
        break;
      case 'client_config':
        out.clientConfig = path(v, key);
        if (!existsSync(out.clientConfig)) throw new ConfigError(`${file}: 'client_config' file ${out.clientConfig} does not exist`);
        break;
      case 'session_idle':
        out.sessionIdleMs = duration(v, key, file);
        break;
      case 'session_max':
        out.sessionMaxMs = duration(v, key, file);
        break;
      case 'login_limit': {
        const l = section(v, key, file, ['per_user', 'per_address', 'window']);
        if (l['per_user'] !== undefined) out.loginLimit.perUser = positiveInt(l['per_user'], 'login_limit.per_user', file);
        if (l['per_address'] !== undefined) out.loginLimit.perAddress = positiveInt(l['per_address'], 'login_limit.per_address', file);
        if (l['window'] !== undefined) out.loginLimit.windowMs = duration(l['window'], 'login_limit.window', file);
        break;
      }
      case 'require_signing':
        if (typeof v !== 'boolean') throw new ConfigError(`${file}: 'require_signing' must be true or false`);
        out.requireSigning = v;
        break;
      case 'jobs': {
        const j = section(v, key, file, ['bucket', 'keep']);
        if (j['bucket'] !== undefined) {
          if (typeof j['bucket'] !== 'string' || !/^[A-Za-z0-9_-]+$/.test(j['bucket'])) throw new ConfigError(`${file}: 'jobs.bucket' must be a bucket name (letters, digits, _ and -)`);
          out.jobs.bucket = j['bucket'];
        }
        if (j['keep'] !== undefined) out.jobs.keep = positiveInt(j['keep'], 'jobs.keep', file);
        break;
      }
      case 'graphite_url':
        if (typeof v !== 'string' || !/^https?:\/\/[^\s]+$/.test(v)) throw new ConfigError(`${file}: 'graphite_url' must be an http:// or https:// URL`);
        out.graphiteUrl = v.replace(/\/+$/, '');
        break;
      case 'graphite_prefix':
        if (typeof v !== 'string') throw new ConfigError(`${file}: 'graphite_prefix' must be text such as cohort.<identity>.`);
        out.graphitePrefix = v;
        break;
      case 'ui_dir':
        out.uiDir = path(v, key);
        break;
      case 'nats_url_for_nodes':
        if (typeof v !== 'string' || !/^(nats|tls):\/\/\S+$/.test(v)) throw new ConfigError(`${file}: 'nats_url_for_nodes' must be a nats:// or tls:// URL`);
        out.natsUrlForNodes = v;
        break;
      default: {
        const guess = didYouMean(key, Object.keys(webConfigKeys));
        throw new ConfigError(`${file}: unknown key '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; valid keys: ${Object.keys(webConfigKeys).join(', ')}`);
      }
    }
  }
  if (out.sessionIdleMs > out.sessionMaxMs) throw new ConfigError(`${file}: 'session_idle' is longer than 'session_max'`);
  return out;
}

/** The settings without a file (everything beside `dir`). */
export function defaultWebConfig(dir: string): WebConfig {
  return {
    file: undefined,
    host: '127.0.0.1',
    port: 8080,
    tls: undefined,
    usersFile: resolve(dir, 'users.yaml'),
    secretFile: resolve(dir, 'web.secret'),
    clientConfig: undefined,
    sessionIdleMs: 8 * 3_600_000,
    sessionMaxMs: 24 * 3_600_000,
    loginLimit: { perUser: 5, perAddress: 20, windowMs: 15 * 60_000 },
    requireSigning: true,
    jobs: { bucket: defaultWebJobsBucket, keep: 500 },
    graphiteUrl: undefined,
    graphitePrefix: 'cohort.<identity>.',
    uiDir: undefined,
    natsUrlForNodes: undefined,
  };
}

/** Read web.yaml. Throws ConfigError when missing or invalid. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read web config ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return parseWebConfig(text, file);
}
