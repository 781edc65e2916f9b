import { certificateBody, ConfigError, SecurityError, TrustStore, UsageError, type PluginRollout, type Signer } from '@cohort/core';
import type { Bus, plugins } from '@cohort/client';
import { list, type Args } from '../args.js';
import type { Session } from '../session.js';

/**
 * The callers whose plugin manifests this client believes (as nodes do):
 * trusted_keys_dir-style keys are not in the client config, so: issuers from
 * the client config and --issuer, and the issuer of the caller's own
 * certificate.
 */
export function manifestTrust(argv: Args, session: Session): TrustStore {
  const config = session.config.security;
  const body = session.signer?.certificate ? certificateBody(session.signer.certificate) : undefined;
  const own = body !== undefined && typeof body !== 'string' ? [body.issuer] : [];
  try {
    return TrustStore.load({ kind: 'caller', issuers: [...list(argv, 'issuer'), ...(config?.issuers ?? [])], extraIssuers: own });
  } catch (err) {
    if (err instanceof SecurityError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
}

/** The caller's signer, or a usage error saying how to give one. */
export function requireSigner(session: Session, what: string): Signer {
  if (!session.signer) throw new UsageError(`${what} must be signed: give your key with --key, COHORT_KEY or key in the client config. ${session.unsignedHint}`.trim());
  return session.signer;
}

/** The collective's plugin store, or a clear error. */
export async function pluginStore(bus: Bus, collective: string, create: boolean): Promise<plugins.PluginStore> {
  if (!bus.plugins) throw new UsageError('this connection has no JetStream: pushed plugins need NATS JetStream');
  const store = await bus.plugins(collective, create);
  if ('missing' in store) throw new UsageError(`no pushed plugins in collective ${collective}: ${store.missing}`);
  return store;
}

/** --batch/--settle as a rollout; undefined when --batch is not given. */
export function rolloutOf(argv: Args): PluginRollout | undefined {
  const batch = argv['batch'];
  const settle = argv['settle'];
  if (batch === undefined) {
    if (settle !== undefined) throw new UsageError('--settle needs --batch N');
    return undefined;
  }
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UsageError(`--batch must be a whole number of nodes from 1 to 10000 (got ${String(batch)})`);
  const s = settle === undefined ? 5 : settle;
  if (typeof s !== 'number' || !(s >= 0 && s <= 3600)) throw new UsageError(`--settle must be 0 to 3600 seconds (got ${String(settle)})`);
  return { batch, settle: s };
}

/** A plugin name argument, checked. */
export function pluginNameArg(argv: Args): string {
  const name = typeof argv['name'] === 'string' ? argv['name'] : '';
  if (!/^[a-z0-9_]{1,64}$/.test(name)) throw new UsageError(`plugin name '${name}' is not valid: 1 to 64 lowercase letters, digits or _`);
  return name;
}
