import type { Filter, TrustStore } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { DiscoveryDecision, DiscoveryMethod } from './method.js';
import { Registry } from './registry.js';

/**
 * A client's registry, opened on first use and then kept current by its
 * watch (so a long-lived client pays the bucket read once), closed with the
 * client.
 */
export class RegistryCache {
  readonly #bus: Bus;
  readonly #collective: string;
  readonly #trust: TrustStore | undefined;
  readonly #watch: boolean;
  #opening: Promise<Registry> | undefined;

  /** `watch: false`: read the registry once and keep that (a client that does not stay). */
  constructor(bus: Bus, collective: string, trust?: TrustStore, options: { watch?: boolean } = {}) {
    this.#bus = bus;
    this.#collective = collective;
    this.#trust = trust;
    this.#watch = options.watch ?? true;
  }

  /** The registry (read on the first call). */
  get(): Promise<Registry> {
    this.#opening ??= Registry.open(this.#bus, this.#collective, this.#trust, { watch: this.#watch });
    return this.#opening;
  }

  /** Stop the watch, if one was started. */
  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (opening) await (await opening).close();
  }
}

const broadcastRequested: DiscoveryDecision = { method: 'broadcast', note: 'broadcast discovery (--dm broadcast)' };

/**
 * Decide how to discover `filter` (the agent already added, as broadcast
 * discovery sends it): `broadcast` needs no registry; `auto` and `registry`
 * read it and apply the fallback rules.
 */
export async function planDiscovery(cache: RegistryCache, method: DiscoveryMethod, filter: Filter): Promise<DiscoveryDecision> {
  if (method === 'broadcast') return broadcastRequested;
  return (await cache.get()).decide(method, filter);
}
