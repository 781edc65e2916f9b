/**
 * `@cohort/core/nats-auth`: TLS and credentials (a BusAuth, from
 * resolveBusAuth) as nats.js connection options, for the daemon and the
 * client alike. The only NATS-aware module of core, on its own subpath so
 * that the rest of core never loads nats.
 */
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from 'nats';
import type { BusAuth } from './security/bus-auth.js';

/** nats.js connection options for TLS and credentials. */
export function natsAuthOptions(auth: BusAuth | undefined): Partial<ConnectionOptions> {
  if (!auth) return {};
  const out: Partial<ConnectionOptions> = {};
  if (auth.tls) out.tls = { ...auth.tls };
  if (auth.user !== undefined) {
    out.user = auth.user;
    out.pass = auth.pass;
  }
  if (auth.token !== undefined) out.token = auth.token;
  if (auth.creds) out.authenticator = credsAuthenticator(auth.creds);
  else if (auth.nkeySeed) out.authenticator = nkeyAuthenticator(auth.nkeySeed);
  return out;
}
