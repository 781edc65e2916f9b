import { registryBucket, type TrustStore } from '@cohort/core';
import { isStale, RegistryView, type Bus, type BucketMissing, type RegisteredNode, type IgnoredRecord } from '@cohort/client';
import type { HostSource } from './render.js';

/**
 * The registry as the host sync sees it: the collective's bucket read and
 * watched through the client bus, every record verified against the trusted
 * node keys (a record not signed by the node it describes is ignored), and
 * stale records (older than their heartbeat interval plus grace, or past the
 * bucket's max age) treated as gone.
 */
export class RegistryFeed {
  readonly #view: RegistryView;
  readonly #stop: () => Promise<void>;

  private constructor(view: RegistryView, stop: () => Promise<void>) {
    this.#view = view;
    this.#stop = stop;
  }

  /** Read and watch; `onChange` runs after each change to the bucket (not for the initial values). */
  static async open(bus: Bus, collective: string, trust: TrustStore, onChange: () => void): Promise<RegistryFeed | BucketMissing> {
    if (!bus.watchBucket) return { missing: 'this connection has no key-value store' };
    const view = new RegistryView(registryBucket(collective), trust, Date.now);
    let ready = false;
    const watched = await bus.watchBucket(view.bucket, (entry) => {
      view.apply(entry);
      if (ready) onChange();
    });
    if ('missing' in watched) return watched;
    view.maxAgeMs = watched.maxAgeMs;
    ready = true;
    return new RegistryFeed(view, () => watched.stop());
  }

  /** Verified records of live, non-stale nodes. */
  nodes(now = Date.now()): RegisteredNode[] {
    return this.#view.nodes(now).filter((n) => n.verified && !isStale(n, now));
  }

  /** Registry entries ignored (did not verify), for the log. */
  ignored(now = Date.now()): IgnoredRecord[] {
    return this.#view.ignored(now);
  }

  stop(): Promise<void> {
    return this.#stop();
  }
}

/** What a host definition needs from a record. */
export function hostSource(node: RegisteredNode): HostSource {
  const r = node.record;
  return { identity: node.identity, address: r.address, facts: r.facts, classes: r.classes };
}
