import { errorMessage, registryBucket, type Filter, type TrustStore } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { BucketMissing, BucketRead, BucketWatch } from '../bus/kv.js';
import { decideDiscovery, unverifiable, type DiscoveryDecision, type RegistryState } from './method.js';
import type { RegisteredNode } from './registry-record.js';
import { RegistryView, type IgnoredRecord } from './registry-view.js';

/**
 * One collective's registry, read from its key-value bucket and kept current
 * by a watch until close(): the first use costs one read of the bucket, later
 * ones are in memory. A registry that cannot be read is `unavailable` with a
 * reason, never an error: broadcast discovery still works.
 */
export class Registry {
  readonly collective: string;
  readonly #view: RegistryView;
  readonly #watch: BucketWatch | undefined;
  readonly #unavailable: string | undefined;

  private constructor(collective: string, view: RegistryView, watch: BucketWatch | undefined, unavailable: string | undefined) {
    this.collective = collective;
    this.#view = view;
    this.#watch = watch;
    this.#unavailable = unavailable;
  }

  /**
   * Read the registry of `collective` and start watching it (`watch: false`:
   * read it once, where the bus can, and do not watch). With `trust`
   * (trusted node keys and issuers) only records signed by the node they
   * describe are used; without, the registry is read unverified and
   * discovery does not use it (see state()). Record ages, certificates and
   * staleness are judged on the wall clock (Date.now): records carry the
   * server's write time in unix ms.
   */
  static async open(bus: Bus, collective: string, trust?: TrustStore, options: { watch?: boolean } = {}): Promise<Registry> {
    const view = new RegistryView(registryBucket(collective), trust, Date.now);
    // A client that does not stay (the CLI) reads the bucket once, where the bus can.
    const read = options.watch === false && bus.readBucket ? bus.readBucket.bind(bus) : bus.watchBucket?.bind(bus);
    if (!read) return new Registry(collective, view, undefined, 'this connection has no key-value store');
    try {
      // Each record's signatures are checked in the thread pool as it arrives, beside the reading of the next ones.
      const got: BucketRead | BucketWatch | BucketMissing = await read(view.bucket, (entry) => view.receive(entry));
      if ('missing' in got) return new Registry(collective, view, undefined, got.missing);
      await view.settled();
      view.maxAgeMs = got.maxAgeMs;
      return new Registry(collective, view, isWatch(got) ? got : undefined, undefined);
    } catch (err) {
      return new Registry(collective, view, undefined, `reading ${view.bucket} failed: ${errorMessage(err)}`);
    }
  }

  /** Why the registry cannot be used, or undefined when it was read. */
  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  /** The bucket's record max age in ms (0: unlimited). */
  get maxAgeMs(): number {
    return this.#view.maxAgeMs;
  }

  /** Entries ignored so far (did not decode, did not verify, unsigned deletes). */
  get invalid(): number {
    return this.#view.invalid;
  }

  /** True when records are verified against trusted node keys. */
  get verified(): boolean {
    return this.#view.trust !== undefined;
  }

  /** The current entries that were ignored, with reasons. */
  ignored(): IgnoredRecord[] {
    return this.#view.ignored(Date.now());
  }

  /** Ignored entries for which no verified record is kept (see RegistryView.unaccounted). */
  unaccounted(): IgnoredRecord[] {
    return this.#view.unaccounted(Date.now());
  }

  /** Every live record now. */
  nodes(): RegisteredNode[] {
    return this.#view.nodes(Date.now());
  }

  /** One node's live record. */
  node(identity: string): RegisteredNode | undefined {
    return this.#view.get(identity, Date.now());
  }

  /** What the discovery rules make of this registry. */
  state(): RegistryState {
    if (this.#unavailable !== undefined) return { kind: 'unavailable', reason: this.#unavailable };
    if (this.#view.trust === undefined) return { kind: 'unavailable', reason: unverifiable };
    const now = Date.now();
    return { kind: 'loaded', nodes: this.#view.nodes(now), now, unaccounted: this.#view.unaccounted(now) };
  }

  /** Decide how to discover `filter` (see decideDiscovery). Throws UsageError for `registry` without a registry. */
  decide(requested: 'auto' | 'registry', filter: Filter): DiscoveryDecision {
    return decideDiscovery(requested, this.state(), filter);
  }

  /** Stop watching (and delete the watch's server-side consumer). */
  async close(): Promise<void> {
    await this.#watch?.stop();
  }
}

/** A read that keeps watching (to be stopped at close), not a read once. */
const isWatch = (read: BucketRead | BucketWatch): read is BucketWatch => 'stop' in read;
