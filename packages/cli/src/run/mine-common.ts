import { certificateBody, ConfigError, SecurityError, TrustStore, UsageError } from '@cohort/core';
import type { Bus, mine } from '@cohort/client';
import { list, type Args } from '../args.js';
import type { Session } from '../session.js';

/**
 * The node keys that what nodes write on the bus (mined values, check states
 * and events) is verified against (always: every value is signed by its
 * node): node_keys_dir, --issuer and issuers from the client config, and the
 * issuer of the caller's own certificate. `what` names the data in the error.
 */
export function nodeDataTrust(argv: Args, session: Session, what: string): TrustStore {
  const config = session.config.security;
  const issuers = [...list(argv, 'issuer'), ...(config?.issuers ?? [])];
  const signer = session.signer;
  const body = signer?.certificate ? certificateBody(signer.certificate) : undefined;
  const own = body !== undefined && typeof body !== 'string' ? [body.issuer] : [];
  let trust: TrustStore;
  try {
    trust = TrustStore.load({ kind: 'node', keysDir: config?.nodeKeysDir ?? null, issuers, extraIssuers: own });
  } catch (err) {
    if (err instanceof SecurityError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
  const { keys, issuers: n } = trust.size;
  if (session.verifiedSignatures) trust.rememberSignatures(undefined, session.verifiedSignatures);
  if (keys + n === 0) {
    throw new UsageError(
      `${what} are signed by their nodes and cohort verifies every one, so it needs trusted node keys: --issuer FILE, issuers or node_keys_dir in the client config, or a key (--key) with an issuer certificate`,
    );
  }
  return trust;
}

/** The node keys mined values are verified against (see nodeDataTrust). */
export function mineTrust(argv: Args, session: Session): TrustStore {
  return nodeDataTrust(argv, session, 'mined values');
}

/** The bus's key-value opener, or a clear error when the connection has none. */
export function kvOf(bus: Bus, what: string): mine.MineKvOpener {
  if (!bus.mineKv) throw new UsageError(`this connection has no key-value store: ${what} needs NATS JetStream`);
  return bus.mineKv;
}

/** The bus's key-value opener, or a clear error when the connection has none. */
export function mineKvOf(bus: Bus): mine.MineKvOpener {
  return kvOf(bus, 'the mine');
}
