import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  loadSigner,
  resolveBusAuth,
  SecurityError,
  TrustStore,
  UsageError,
  certificateBody,
  type BusAuth,
  type Signer,
} from '@cohort/core';
import { defaultCallerId } from '@cohort/client';
import { list, type Args } from './args.js';
import type { ClientSecurityConfig } from '@cohort/client';
import type { CliIo } from './io.js';

/** The login name used for the default key file: `user=alice` → `alice`. */
function loginName(env: NodeJS.ProcessEnv): string {
  return defaultCallerId(env).replace(/^\w+=/, '');
}

/** The default signing key: `~/.config/cohort/<login>.key`. */
export function defaultKeyFile(io: CliIo): string {
  return join(io.homedir, '.config', 'cohort', `${loginName(io.env)}.key`);
}

function asConfig<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SecurityError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
}

/** Signing: the key and certificate to sign with, or why requests go unsigned. */
export interface SigningChoice {
  signer: Signer | undefined;
  /** Said after "No nodes matched" when requests were unsigned. */
  unsignedHint: string;
}

/**
 * The signing key: `key` of the client configuration (--key, then COHORT_KEY,
 * then `key` in the config file; it must exist), else
 * ~/.config/cohort/<login>.key if it exists. Without one, requests go
 * unsigned. Throws ConfigError (exit 2) when the key or its certificate
 * cannot be used.
 */
export function chooseSigner(io: CliIo, config: ClientSecurityConfig): SigningChoice {
  const explicit = config.key;
  const fallback = defaultKeyFile(io);
  const keyFile = explicit ?? (existsSync(fallback) ? fallback : undefined);
  if (keyFile === undefined) {
    return {
      signer: undefined,
      unsignedHint:
        `Requests were not signed: no key given (--key, COHORT_KEY, key in the client config) and no ${fallback}. ` +
        `Nodes in signed mode ignore unsigned requests; make a key with: cohort keys generate ${loginName(io.env)}`,
    };
  }
  if (!existsSync(keyFile)) throw new ConfigError(`signing key ${keyFile} does not exist; make one with cohort keys generate NAME, or fix the path`);
  const signer = asConfig(() => loadSigner({ kind: 'caller', keyFile, certificateFile: config.certificate }));
  return { signer, unsignedHint: '' };
}

/**
 * NATS TLS and credentials of the client configuration (flags > environment >
 * config; a login given by flag or environment replaces the file's), checked
 * and read.
 */
export function busAuth(config: ClientSecurityConfig): BusAuth {
  return resolveBusAuth(config.bus ?? {}, 'NATS settings');
}

/**
 * Trusted node keys for what nodes publish (registry records, lifecycle
 * events, async job replies): the same sources as reply verification, always
 * loaded. Undefined when none is configured: the registry is then not used
 * for discovery (broadcast instead, -v says why).
 */
export function chooseNodeTrust(argv: Args, config: ClientSecurityConfig, signer: Signer | undefined): TrustStore | undefined {
  const issuers = [...list(argv, 'issuer'), ...(config.issuers ?? [])];
  const body = signer?.certificate ? certificateBody(signer.certificate) : undefined;
  const own = body !== undefined && typeof body !== 'string' ? [body.issuer] : [];
  if (issuers.length + own.length === 0 && !config.nodeKeysDir) return undefined;
  const trust = asConfig(() => TrustStore.load({ kind: 'node', keysDir: config.nodeKeysDir ?? null, issuers, extraIssuers: own }));
  const { keys, issuers: n } = trust.size;
  return keys + n === 0 ? undefined : trust;
}

/**
 * Trust for `verify_replies` (--verify-replies, or `verify_replies: true`): node keys from
 * `node_keys_dir`, issuers from --issuer and `issuers`, plus the issuer of
 * the caller's own certificate (the organisation's issuer). Undefined when
 * replies are not verified.
 */
export function chooseReplyTrust(argv: Args, config: ClientSecurityConfig, signer: Signer | undefined): TrustStore | undefined {
  if (config.verifyReplies !== true) return undefined;
  const issuers = [...list(argv, 'issuer'), ...(config.issuers ?? [])];
  const body = signer?.certificate ? certificateBody(signer.certificate) : undefined;
  const own = body !== undefined && typeof body !== 'string' ? [body.issuer] : [];
  const trust = asConfig(() => TrustStore.load({ kind: 'node', keysDir: config.nodeKeysDir ?? null, issuers, extraIssuers: own }));
  const { keys, issuers: n } = trust.size;
  if (keys + n === 0) {
    throw new UsageError('--verify-replies needs trusted node keys: --issuer FILE, issuers or node_keys_dir in the client config, or a key with an issuer certificate');
  }
  return trust;
}
