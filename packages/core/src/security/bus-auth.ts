import { accessSync, constants, readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../errors.js';

/**
 * How to secure and authenticate the NATS connection, as configured (paths
 * and values; null or absent = not used). Shared by cohortd and the client.
 */
export interface BusAuthSettings {
  /** TLS: CA bundle to verify the server, and a client certificate + key for mutual TLS. */
  readonly tls?: { readonly ca?: string | null; readonly cert?: string | null; readonly key?: string | null } | null;
  readonly user?: string | null;
  readonly password?: string | null;
  readonly token?: string | null;
  /** NATS credentials file (user JWT + NKey seed, as made by nsc). */
  readonly creds?: string | null;
  /** File holding an NKey seed (`SU...`). */
  readonly nkey?: string | null;
}

/** Bus settings resolved for the NATS client: files checked and read. */
export interface BusAuth {
  readonly tls?: { caFile?: string; certFile?: string; keyFile?: string };
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** Contents of the credentials file. */
  readonly creds?: Uint8Array;
  /** The NKey seed. */
  readonly nkeySeed?: Uint8Array;
  /** What is used, for log lines: e.g. `TLS (CA, client certificate), user/password`. */
  readonly summary: string;
}

function readable(file: string, what: string, source: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new ConfigError(`${source}: cannot read the ${what} ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return file;
}

function read(file: string, what: string, source: string): Uint8Array {
  try {
    return readFileSync(readable(file, what, source));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${source}: cannot read the ${what} ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Check and read the bus settings. Throws ConfigError (prefixed with
 * `source`, e.g. `nats settings`) when a file cannot be read or the
 * combination makes no sense (user without password, two ways to log in,
 * a client certificate without its key).
 */
export function resolveBusAuth(settings: BusAuthSettings, source = 'nats settings'): BusAuth {
  const parts: string[] = [];
  const out: { -readonly [K in keyof BusAuth]: BusAuth[K] } = { summary: '' };
  const tls = settings.tls ?? null;
  if (tls && (tls.ca || tls.cert || tls.key)) {
    if (Boolean(tls.cert) !== Boolean(tls.key)) throw new ConfigError(`${source}: a TLS client certificate needs its key and the other way round (give both tls cert and tls key)`);
    out.tls = {};
    const what: string[] = [];
    if (tls.ca) {
      out.tls.caFile = readable(tls.ca, 'TLS CA file', source);
      what.push('CA');
    }
    if (tls.cert && tls.key) {
      out.tls.certFile = readable(tls.cert, 'TLS certificate', source);
      out.tls.keyFile = readable(tls.key, 'TLS key', source);
      what.push('client certificate');
    }
    parts.push(`TLS (${what.join(', ')})`);
  }
  const logins = [settings.user || settings.password ? 'user/password' : '', settings.token ? 'token' : '', settings.creds ? 'credentials file' : '', settings.nkey ? 'nkey' : ''].filter(Boolean);
  if (logins.length > 1) throw new ConfigError(`${source}: give one way to log in to NATS, not ${logins.join(' and ')}`);
  if (settings.user || settings.password) {
    if (!settings.user || !settings.password) throw new ConfigError(`${source}: a NATS user needs a password and the other way round`);
    out.user = settings.user;
    out.pass = settings.password;
  }
  if (settings.token) out.token = settings.token;
  if (settings.creds) out.creds = read(settings.creds, 'NATS credentials file', source);
  if (settings.nkey) {
    const seed = Buffer.from(read(settings.nkey, 'NKey seed file', source)).toString('utf8').trim();
    if (!/^S[A-Z2-7]{20,}$/.test(seed)) throw new ConfigError(`${source}: ${settings.nkey} does not hold an NKey seed (a line starting with S, e.g. SUA...)`);
    out.nkeySeed = new TextEncoder().encode(seed);
  }
  parts.push(...logins);
  out.summary = parts.length ? parts.join(', ') : 'no TLS, no credentials';
  return out;
}
