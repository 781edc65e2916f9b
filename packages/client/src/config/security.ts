import type { BusAuthSettings, ClientConfigSettings } from '@cohort/core';

/**
 * The security parts of the client configuration (validated against
 * clientConfigSpec and merged before they get here): the `nats:` section's
 * TLS and credentials, the signing key and reply verification settings.
 */

/** Security settings of the client configuration (paths resolved). */
export interface ClientSecurityConfig {
  /** Private key that signs requests (`key`, COHORT_KEY, --key). */
  key?: string;
  /** Certificate for `key` (default: `.cert` beside it). */
  certificate?: string;
  /** Issuer public keys whose node certificates are trusted (reply verification). */
  issuers?: readonly string[];
  /** Directory of trusted node public keys, `<identity>.pub` (reply verification). */
  nodeKeysDir?: string;
  /** Verify every reply (`verify_replies`, --verify-replies). */
  verifyReplies?: boolean;
  /** TLS and credentials from the `nats:` section; absent when none is set. */
  bus?: BusAuthSettings;
}

/** The `nats:` keys other than `servers` that are set (TLS and credentials); undefined when none is. */
function busSettings(nats: ClientConfigSettings['nats']): BusAuthSettings | undefined {
  const out: { -readonly [K in keyof BusAuthSettings]: BusAuthSettings[K] } = {};
  const tls: { ca?: string; cert?: string; key?: string } = {};
  for (const k of ['ca', 'cert', 'key'] as const) {
    const p = nats.tls[k];
    if (p !== null) tls[k] = p;
  }
  if (Object.keys(tls).length > 0) out.tls = tls;
  for (const k of ['user', 'password', 'token', 'creds', 'nkey'] as const) {
    const v = nats[k];
    if (v !== null) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The security settings of a loaded client configuration. */
export function securityOf(s: ClientConfigSettings): ClientSecurityConfig {
  const out: ClientSecurityConfig = { issuers: s.issuers, verifyReplies: s.verify_replies };
  const bus = busSettings(s.nats);
  if (bus) out.bus = bus;
  if (s.key !== null) out.key = s.key;
  if (s.certificate !== null) out.certificate = s.certificate;
  if (s.node_keys_dir !== null) out.nodeKeysDir = s.node_keys_dir;
  return out;
}
