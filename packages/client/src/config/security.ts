import { isAbsolute, join, resolve, dirname } from 'node:path';
import { ConfigError, type BusAuthSettings } from '@cohort/core';

/**
 * The security parts of the client config file: the `nats:` section's TLS
 * and credentials, the signing key and reply verification settings.
 */

/** Keys accepted under `nats:` in the client config. */
export const natsConfigKeys = ['servers', 'tls', 'user', 'password', 'token', 'creds', 'nkey'] as const;

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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolve a path from the config file: `~/` is the home directory, relative paths are relative to the file. */
export function configPath(p: string, file: string, home: string): string {
  const expanded = p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
  return isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded);
}

function text(value: unknown, key: string, file: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`config file ${file}: '${key}' must be a non-empty string`);
  return value;
}

/** Parse the `nats:` keys other than `servers` (TLS and credentials). Throws ConfigError naming the key. */
export function parseNatsAuth(value: Record<string, unknown>, file: string, home: string): BusAuthSettings {
  const out: { -readonly [K in keyof BusAuthSettings]: BusAuthSettings[K] } = {};
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'servers':
        break;
      case 'tls': {
        if (!isRecord(v)) throw new ConfigError(`config file ${file}: 'nats.tls' must be a mapping with ca, cert and/or key`);
        const tls: { ca?: string; cert?: string; key?: string } = {};
        for (const [k, p] of Object.entries(v)) {
          if (k !== 'ca' && k !== 'cert' && k !== 'key') throw new ConfigError(`unknown key 'nats.tls.${k}' in config file ${file}; valid keys under nats.tls: ca, cert, key`);
          tls[k] = configPath(text(p, `nats.tls.${k}`, file), file, home);
        }
        out.tls = tls;
        break;
      }
      case 'user':
      case 'password':
      case 'token':
        out[key] = text(v, `nats.${key}`, file);
        break;
      case 'creds':
      case 'nkey':
        out[key] = configPath(text(v, `nats.${key}`, file), file, home);
        break;
      default:
        throw new ConfigError(`unknown key 'nats.${key}' in config file ${file}; valid keys under nats: ${natsConfigKeys.join(', ')}`);
    }
  }
  return out;
}

/** Parse one top-level security key into `out`; false when `key` is not one of them. */
export function parseSecurityKey(key: string, value: unknown, file: string, home: string, out: ClientSecurityConfig): boolean {
  switch (key) {
    case 'key':
      out.key = configPath(text(value, key, file), file, home);
      return true;
    case 'certificate':
      out.certificate = configPath(text(value, key, file), file, home);
      return true;
    case 'node_keys_dir':
      out.nodeKeysDir = configPath(text(value, key, file), file, home);
      return true;
    case 'issuers': {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || !list.every((f) => typeof f === 'string' && f !== '')) throw new ConfigError(`config file ${file}: 'issuers' must be a list of issuer public key files`);
      out.issuers = list.map((f: string) => configPath(f, file, home));
      return true;
    }
    case 'verify_replies':
      if (typeof value !== 'boolean') throw new ConfigError(`config file ${file}: 'verify_replies' must be true or false`);
      out.verifyReplies = value;
      return true;
    default:
      return false;
  }
}
