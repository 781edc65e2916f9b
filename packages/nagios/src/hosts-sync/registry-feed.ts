import { registryBucket, type TrustStore } from '@cohort/core';
import { isStale, staleAfterMs, RegistryView, type Bus, type BucketMissing, type RegisteredNode, type IgnoredRecord } from '@cohort/client';
import type { HostSource } from './render.js';

/**
 * The registry as the host sync sees it: the collective's bucket read and
 * watched through the client bus, every record verified against the trusted
 * node keys (a record not signed by the node it describes is ignored), and
 * stale records (older than their heartbeat interval plus grace, or past the
 * bucket's max age) treated as gone.
 *
 * A stale record counts as gone only when a later write was seen in the
 * bucket (any node's heartbeat, after the record's staleness deadline): if
 * nothing arrives at all, this reader is more likely cut off from the bus
 * than the whole fleet dead, and emptying Nagios' host list would be wrong.
 * Such records still go at the bucket's max age.
 */
export class RegistryFeed {
  readonly #view: RegistryView;
  readonly #stop: () => Promise<void>;
  /** The server time of the newest entry seen. */
  #lastWrite = 0;

  private constructor(view: RegistryView, stop: () => Promise<void>) {
    this.#view = view;
    this.#stop = stop;
  }

  /** Read and watch; `onChange` runs after each change to the bucket (not for the initial values). */
  static async open(bus: Bus, collective: string, trust: TrustStore, onChange: () => void): Promise<RegistryFeed | BucketMissing> {
    if (!bus.watchBucket) return { missing: 'this connection has no key-value store' };
    const view = new RegistryView(registryBucket(collective), trust, Date.now);
    let feed: RegistryFeed | undefined;
    let lastWrite = 0;
    const watched = await bus.watchBucket(view.bucket, (entry) => {
      view.apply(entry);
      lastWrite = Math.max(lastWrite, entry.created);
      if (feed) {
        feed.#lastWrite = lastWrite;
        onChange();
      }
    });
    if ('missing' in watched) return watched;
    view.maxAgeMs = watched.maxAgeMs;
    feed = new RegistryFeed(view, () => watched.stop());
    feed.#lastWrite = lastWrite;
    return feed;
  }

  /** Verified records of live nodes, less those stale while others kept writing. */
  nodes(now = Date.now()): RegisteredNode[] {
    return this.#view.nodes(now).filter((n) => n.verified && !(isStale(n, now) && this.#lastWrite > n.updatedAt + staleAfterMs(n)));
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
