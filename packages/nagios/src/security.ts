import { existsSync } from 'node:fs';
import { certificateBody, ConfigError, loadSigner, resolveBusAuth, SecurityError, TrustStore, type BusAuth, type Signer } from '@cohort/core';
import type { ClientSecurityConfig } from '@cohort/client';

/** What the client config's security settings give the plugin's Client. */
export interface CheckSecurity {
  /** Signs every request (nodes in signed mode run nothing else). */
  readonly signer?: Signer;
  /** Trusted node keys and issuers: the signed registry is used for discovery only with them. */
  readonly nodeTrust?: TrustStore;
  /** Replies are verified against nodeTrust (`verify_replies: true`). */
  readonly verifyReplies?: TrustStore;
  /** NATS TLS and credentials from the `nats:` section. */
  readonly auth?: BusAuth;
}

function asConfig<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SecurityError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
}

/**
 * The security settings of the client config (`--config`, COHORT_CONFIG),
 * as `cohort` uses them: the signing key (COHORT_KEY, else `key`, with its
 * `certificate`), the trusted node keys (`issuers`, `node_keys_dir`, plus
 * the issuer of the key's own certificate) for the signed registry and, with
 * `verify_replies`, for every reply; NATS TLS and credentials. Throws
 * ConfigError naming the file or setting that cannot be used.
 */
export function checkSecurity(security: ClientSecurityConfig | undefined, env: NodeJS.ProcessEnv): CheckSecurity {
  const keyFile = (env['COHORT_KEY'] || undefined) ?? security?.key;
  let signer: Signer | undefined;
  if (keyFile !== undefined) {
    if (!existsSync(keyFile)) throw new ConfigError(`signing key ${keyFile} (${env['COHORT_KEY'] ? 'COHORT_KEY' : "'key' in the client config"}) does not exist; fix the path`);
    signer = asConfig(() => loadSigner({ kind: 'caller', keyFile, certificateFile: security?.certificate }));
  }
  const body = signer?.certificate ? certificateBody(signer.certificate) : undefined;
  const own = body !== undefined && typeof body !== 'string' ? [body.issuer] : [];
  const issuers = security?.issuers ?? [];
  let nodeTrust: TrustStore | undefined;
  if (issuers.length + own.length > 0 || security?.nodeKeysDir) {
    const trust = asConfig(() => TrustStore.load({ kind: 'node', keysDir: security?.nodeKeysDir ?? null, issuers, extraIssuers: own }));
    const { keys, issuers: n } = trust.size;
    if (keys + n > 0) nodeTrust = trust;
  }
  if (security?.verifyReplies === true && nodeTrust === undefined) {
    throw new ConfigError("verify_replies in the client config needs trusted node keys: 'issuers' or 'node_keys_dir', or a key with an issuer certificate");
  }
  const auth = security?.bus ? resolveBusAuth(security.bus, 'nats settings in the client config') : undefined;
  return {
    ...(signer ? { signer } : {}),
    ...(nodeTrust ? { nodeTrust } : {}),
    ...(security?.verifyReplies === true && nodeTrust ? { verifyReplies: nodeTrust } : {}),
    ...(auth ? { auth } : {}),
  };
}
