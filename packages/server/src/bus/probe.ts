import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { errorMessage, resolveBusAuth } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import { natsAuthOptions } from '../bus.js';

/** Pause between connection attempts. */
const retryMs = 1000;

/**
 * Check that `config` can reach NATS within `timeoutMs`: single connection
 * attempts (each closed at once when it succeeds) until one succeeds or the
 * time is up. Resolves to undefined when it can, else to the last reason.
 * Used before restarting into a new config, so a wrong URL or credentials
 * fall back to the bootstrap config instead of retrying for ever.
 */
export async function probeNats(config: ServerConfig, timeoutMs: number): Promise<string | undefined> {
  const servers = config.nats.servers.join(', ');
  let auth: ReturnType<typeof natsAuthOptions>;
  try {
    auth = natsAuthOptions(resolveBusAuth(config.nats, 'config nats'));
  } catch (err) {
    return errorMessage(err);
  }
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt made';
  for (;;) {
    const left = deadline - Date.now();
    try {
      // No waitOnFirstConnect: each attempt ends by itself (it would retry for ever otherwise).
      const nc = await connect({ servers: [...config.nats.servers], name: `cohortd ${config.identity} (restart check)`, maxReconnectAttempts: 0, timeout: Math.max(500, Math.min(left, 5000)), ...auth });
      await nc.close();
      return undefined;
    } catch (err) {
      last = errorMessage(err);
    }
    if (Date.now() + retryMs >= deadline) return `no NATS server at ${servers} accepted a connection within ${Math.round(timeoutMs / 1000)} s (${last})`;
    await sleep(retryMs);
  }
}
