import { errorMessage, identityFromRegistryKey, registryBucket, type TrustStore } from '@cohort/core';
import { RegistryView, type Bus, type BucketEntry, type BucketWatch } from '@cohort/client';
import type { Catalog } from './catalog.js';
import { RateLimitedLog, type DnsLog } from './log-limit.js';

export interface RegistryFeedOptions {
  readonly bus: Bus;
  readonly collective: string;
  /** Trusted node keys and issuers: only records signed by the node they describe are used. */
  readonly trust: TrustStore;
  readonly catalog: Catalog;
  readonly log: DnsLog;
  /** How often stale records are swept out (ms; default 1000). */
  readonly sweepMs?: number;
  /** How often a missing registry bucket is looked for again (ms; default 5000). */
  readonly retryMs?: number;
  readonly now?: () => number;
}

/**
 * Keeps the catalog equal to the collective's verified registry: a watch of
 * the registry bucket (through the client library's bus and RegistryView,
 * the same verification `cohort registry list` and discovery use) files each
 * changed node, and a sweep drops nodes whose record went stale (interval
 * plus grace: the node is gone). A signed deregistration (a node's clean
 * shutdown) removes a node at once; an unsigned delete or a forged record is
 * ignored (logged, rate-limited) and the last verified record stays until it
 * goes stale, as for every registry reader.
 */
export class RegistryFeed {
  readonly #o: RegistryFeedOptions;
  readonly #view: RegistryView;
  readonly #now: () => number;
  readonly #ignoredLog: RateLimitedLog;
  #watch: BucketWatch | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: RegistryFeedOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#view = new RegistryView(registryBucket(options.collective), options.trust, this.#now);
    this.#ignoredLog = new RateLimitedLog(options.log);
  }

  /** The bucket watched. */
  get bucket(): string {
    return this.#view.bucket;
  }

  /** True once the bucket is being watched (its initial contents are in the catalog). */
  get watching(): boolean {
    return this.#watch !== undefined;
  }

  /** Read the bucket and start watching it; a missing bucket is looked for again every retryMs. Rejects when the bus has no key-value store. */
  async start(): Promise<void> {
    if (!this.#o.bus.watchBucket) throw new Error('this NATS connection has no key-value store (JetStream): cohort dns needs the registry bucket');
    this.#sweep = setInterval(() => this.sweep(), this.#o.sweepMs ?? 1000);
    this.#sweep.unref();
    await this.#tryWatch();
  }

  async #tryWatch(): Promise<void> {
    if (this.#stopped) return;
    try {
      const watched = await this.#o.bus.watchBucket!(this.#view.bucket, (entry) => this.apply(entry));
      if ('missing' in watched) {
        this.#o.log.warn(`registry not readable yet: ${watched.missing}; looking again in ${Math.round((this.#o.retryMs ?? 5000) / 1000)} s`);
        this.#scheduleRetry();
        return;
      }
      this.#view.maxAgeMs = watched.maxAgeMs;
      this.#o.catalog.maxAgeMs = watched.maxAgeMs;
      if (this.#stopped) await watched.stop();
      else this.#watch = watched;
      this.#o.log.info(`watching ${this.#view.bucket}: ${this.#o.catalog.size} node(s) answerable`);
    } catch (err) {
      this.#o.log.warn(`reading ${this.#view.bucket} failed: ${errorMessage(err)}; trying again`);
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => void this.#tryWatch(), this.#o.retryMs ?? 5000);
    this.#retry.unref();
  }

  /** One change of the bucket: re-file that node (or forget it). */
  apply(entry: BucketEntry): void {
    const before = this.#view.invalid;
    this.#view.apply(entry);
    const identity = identityFromRegistryKey(entry.key);
    if (this.#view.invalid > before) {
      const why = this.#view.ignored(this.#now()).find((i) => i.identity === identity)?.reason ?? 'not verifiable';
      this.#ignoredLog.warn(`registry entry of ${identity} ignored: ${why}`);
    }
    const now = this.#now();
    const node = this.#view.get(identity, now);
    if (node) this.#o.catalog.set(node, now);
    else this.#o.catalog.remove(identity);
  }

  /** Drop stale nodes now. */
  sweep(): void {
    const gone = this.#o.catalog.sweep(this.#now());
    if (gone.length > 0) this.#o.log.debug(`stale, no longer answered: ${gone.slice(0, 10).join(', ')}${gone.length > 10 ? ` and ${gone.length - 10} more` : ''}`);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweep);
    clearTimeout(this.#retry);
    const watch = this.#watch;
    this.#watch = undefined;
    await watch?.stop();
  }
}
