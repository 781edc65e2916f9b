import { isAbsolute, join, resolve, dirname } from 'node:path';
import type { BusAuthSettings } from '@cohort/core';

/**
 * The security parts of the client config file (validated against
 * clientConfigSpec before they get here): the `nats:` section's TLS and
 * credentials, the signing key and reply verification settings.
 */

/** Security settings read from the client config file (paths resolved against the file). */
export interface ClientSecurityConfig {
  /** Private key that signs requests. */
  key?: string;
  /** Certificate for `key` (default: `.cert` beside it). */
  certificate?: string;
  /** Issuer public keys whose node certificates are trusted (reply verification). */
  issuers?: string[];
  /** Directory of trusted node public keys, `<identity>.pub` (reply verification). */
  nodeKeysDir?: string;
  /** Verify every reply (like --verify-replies). */
  verifyReplies?: boolean;
  /** TLS and credentials from the `nats:` section. */
  bus?: BusAuthSettings;
}

type Tree = Record<string, unknown>;

function isRecord(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolve a path from the config file: `~/` is the home directory, relative paths are relative to the file. */
export function configPath(p: string, file: string, home: string): string {
  const expanded = p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
  return isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded);
}

/** The `nats:` keys other than `servers` (TLS and credentials); null values count as unset. */
function natsAuth(nats: Tree, file: string, home: string): BusAuthSettings {
  const out: { -readonly [K in keyof BusAuthSettings]: BusAuthSettings[K] } = {};
  const path = (v: unknown): string | undefined => (typeof v === 'string' ? configPath(v, file, home) : undefined);
  if (isRecord(nats['tls'])) {
    const tls: { ca?: string; cert?: string; key?: string } = {};
    for (const k of ['ca', 'cert', 'key'] as const) {
      const p = path(nats['tls'][k]);
      if (p !== undefined) tls[k] = p;
    }
    out.tls = tls;
  }
  for (const k of ['user', 'password', 'token'] as const) if (typeof nats[k] === 'string') out[k] = nats[k];
  for (const k of ['creds', 'nkey'] as const) {
    const p = path(nats[k]);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/** The security settings of a validated client config layer. */
export function securitySettings(v: Tree, file: string, home: string): ClientSecurityConfig {
  const out: ClientSecurityConfig = {};
  if (isRecord(v['nats'])) {
    const bus = natsAuth(v['nats'], file, home);
    if (Object.keys(bus).length > 0) out.bus = bus;
  }
  if (typeof v['key'] === 'string') out.key = configPath(v['key'], file, home);
  if (typeof v['certificate'] === 'string') out.certificate = configPath(v['certificate'], file, home);
  if (typeof v['node_keys_dir'] === 'string') out.nodeKeysDir = configPath(v['node_keys_dir'], file, home);
  if (Array.isArray(v['issuers'])) out.issuers = (v['issuers'] as string[]).map((f) => configPath(f, file, home));
  if (typeof v['verify_replies'] === 'boolean') out.verifyReplies = v['verify_replies'];
  return out;
}
