import {
  BucketNotCreatableError,
  ConfigError,
  encodeRegistryMessage,
  errorMessage,
  LifecycleEvent,
  lifecycleSubject,
  registryBucket,
  registryKey,
  sealDeregistration,
  sealLifecycle,
  sealRegistration,
  type NodeView,
  type Signer,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { RateLimitedLog } from '../rate-limit.js';
import type { BucketOpener, RegistryBucket } from './bucket.js';
import { buildLifecycle, buildRegistration, type NodeIdentity, type NodeOffer } from './record.js';

export interface RegistrarOptions {
  readonly node: NodeIdentity;
  /** The node as filters see it (the record mirrors it exactly). */
  readonly view: () => NodeView;
  readonly intervalSeconds: number;
  readonly ttlSeconds: number;
  /** Opens a collective's bucket; undefined when the bus has no key-value store (lifecycle events only). */
  readonly openBucket: BucketOpener | undefined;
  /** Publish a lifecycle event (throws when the connection is closed). */
  readonly publish: (subject: string, bytes: Uint8Array) => void;
  readonly log: Logger;
  readonly clock?: () => number;
  /** Called for every lifecycle event published (the daemon counts them). */
  readonly onEvent?: () => void;
  /**
   * The node key: records, the shutdown tombstone and lifecycle events are
   * signed with it (readers verify them). Without it they go unsigned, and
   * readers that verify ignore them.
   */
  readonly signer?: Signer | undefined;
  /** The node's address and services, asked at every publish (service discovery); none when absent. */
  readonly offer?: () => NodeOffer;
  /** Delay the first heartbeat by a random part of the interval so a fleet started together spreads out (default true). */
  readonly splay?: boolean;
}

/**
 * Publishes this node into the registry of each of its collectives: at
 * start, on refresh() (facts or classes changed) and every interval; deletes
 * its records and announces `shutdown` on stop(). Failures are logged and
 * retried at the next heartbeat: the registry is an optimisation, never a
 * reason for the node to stop answering.
 */
export class Registrar {
  readonly #o: RegistrarOptions;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, RegistryBucket>();
  readonly #failing = new Set<string>();
  readonly #watches = new Map<string, () => void>();
  readonly #key: string;
  /** Tampering is logged at most once per bucket and kind every 10 s: someone rewriting the key in a loop cannot flood the log. */
  readonly #tampered: RateLimitedLog;
  /** The last few values written: a change to the key that is none of these was made by someone else. */
  readonly #written: Uint8Array[] = [];
  #heal: NodeJS.Timeout | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryMs = 1000;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: RegistrarOptions) {
    if (options.ttlSeconds <= options.intervalSeconds) {
      throw new ConfigError(
        `registration.ttl (${options.ttlSeconds} s) must be greater than registration.interval (${options.intervalSeconds} s), ` +
          'or records would expire between heartbeats; use a ttl of about three intervals',
      );
    }
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    this.#key = registryKey(options.node.identity);
    this.#tampered = new RateLimitedLog(options.log, 10_000, this.#clock);
  }

  /** Register in every collective, announce `startup`, start the heartbeat. Never rejects. */
  async start(): Promise<void> {
    await this.refresh();
    this.#event(LifecycleEvent.Startup);
    if (this.#stopped) return;
    const every = this.#o.intervalSeconds * 1000;
    const first = this.#o.splay === false ? every : Math.floor(every * (0.5 + Math.random() / 2));
    this.#timer = setTimeout(() => this.#beat(every), first);
    this.#timer.unref();
  }

  /** Publish the current inventory now; calls made while one runs are folded into one more run. Never rejects. */
  refresh(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = (async () => {
      do {
        this.#again = false;
        await this.#publish();
      } while (this.#again && !this.#stopped);
      this.#scheduleRetry();
    })();
    this.#running = run.finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stop the heartbeat, delete this node's records and announce `shutdown`. Never rejects. */
  /**
   * Stop beating and, with `farewell` (the default), replace the record with
   * a tombstone and announce the shutdown. Without it (the bus is down) the
   * record is left to expire: a write would only wait for its timeout.
   */
  async stop({ farewell = true }: { farewell?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#retry);
    clearTimeout(this.#heal);
    await this.#running;
    for (const unwatch of this.#watches.values()) unwatch();
    this.#watches.clear();
    if (!farewell) return;
    // Signed: a tombstone readers can trust replaces the record (an unsigned delete could be anyone's).
    const signer = this.#o.signer;
    const { identity, startedAt } = this.#o.node;
    const tombstone = signer ? sealDeregistration({ identity, started_at: startedAt }, signer, this.#clock()) : undefined;
    await Promise.all(
      [...this.#buckets].map(([collective, bucket]) =>
        (tombstone ? bucket.put(this.#key, tombstone) : bucket.delete(this.#key)).catch((err: unknown) =>
          this.#o.log.debug(`registry: could not remove ${this.#key} in ${collective}: ${errorMessage(err)}`),
        ),
      ),
    );
    this.#event(LifecycleEvent.Shutdown);
  }

  // A failed write (JetStream busy or starting, a thousand nodes registering at
  // once) is retried soon, backing off from 1 s to the heartbeat interval.
  #scheduleRetry(): void {
    if (this.#failing.size === 0) {
      this.#retryMs = 1000;
      return;
    }
    if (this.#stopped || this.#retry !== undefined) return;
    const wait = Math.min(this.#retryMs, this.#o.intervalSeconds * 1000);
    this.#retryMs = Math.min(this.#retryMs * 2, this.#o.intervalSeconds * 1000);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.refresh();
    }, wait);
    this.#retry.unref();
  }

  #beat(every: number): void {
    if (this.#stopped) return;
    void this.refresh();
    this.#timer = setTimeout(() => this.#beat(every), every);
    this.#timer.unref();
  }

  async #publish(): Promise<void> {
    const open = this.#o.openBucket;
    if (open === undefined) return;
    const record = buildRegistration(this.#o.node, this.#o.view(), this.#o.intervalSeconds, this.#clock(), this.#o.offer?.());
    const bytes = this.#o.signer ? sealRegistration(record, this.#o.signer) : encodeRegistryMessage(record);
    this.#written.unshift(bytes);
    this.#written.length = Math.min(this.#written.length, 4);
    await Promise.all(
      this.#o.node.collectives.map(async (collective) => {
        const name = registryBucket(collective);
        try {
          let bucket = this.#buckets.get(collective);
          if (bucket === undefined) {
            bucket = await open(name, this.#o.ttlSeconds);
            this.#buckets.set(collective, bucket);
            this.#guard(name, bucket);
          }
          await bucket.put(this.#key, bytes);
          if (this.#failing.delete(collective)) this.#o.log.info(`registry: registered in ${name} again`);
        } catch (err) {
          this.#failed(collective, name, err);
        }
      }),
    );
  }

  #failed(collective: string, name: string, err: unknown): void {
    // Warn once per outage; the next heartbeat retries.
    if (this.#failing.has(collective)) {
      this.#o.log.debug(`registry: ${name}: ${errorMessage(err)}`);
      return;
    }
    this.#failing.add(collective);
    const hint = err instanceof BucketNotCreatableError ? '' : 'Is JetStream enabled on the NATS server (nats-server -js)? ';
    this.#o.log.warn(
      `registry: cannot write to bucket ${name} (${errorMessage(err)}); registry discovery will not see this node until it can. ` +
        `${hint}Retrying, then every ${this.#o.intervalSeconds} s`,
    );
  }

  /**
   * Watch this node's own key: when someone else overwrites or deletes the
   * record (anyone holding the nodes' NATS credentials can), log it and write
   * it again, so the node cannot be hidden from registry discovery for long.
   */
  #guard(name: string, bucket: RegistryBucket): void {
    if (!bucket.watchKey || this.#watches.has(name)) return;
    try {
      const unwatch = bucket.watchKey(this.#key, (bytes) => {
        if (this.#stopped) return;
        if (bytes !== undefined && this.#written.some((mine) => sameBytes(bytes, mine))) return;
        const how = bytes === undefined ? 'deleted' : 'replaced';
        this.#tampered.warn(`${name} ${how}`, `registry: the record of ${this.#o.node.identity} in ${name} was ${how} by someone else; writing it again`);
        this.#healSoon();
      });
      this.#watches.set(name, unwatch);
    } catch (err) {
      this.#o.log.debug(`registry: cannot watch ${this.#key} in ${name}: ${errorMessage(err)}`);
    }
  }

  // At most one rewrite a second, however often the record is tampered with.
  #healSoon(): void {
    if (this.#heal !== undefined) return;
    this.#heal = setTimeout(() => {
      this.#heal = undefined;
      void this.refresh();
    }, 1000);
    this.#heal.unref();
  }

  #event(event: LifecycleEvent): void {
    const message = buildLifecycle(this.#o.node, event, this.#clock());
    const bytes = this.#o.signer ? sealLifecycle(message, this.#o.signer) : encodeRegistryMessage(message);
    for (const collective of this.#o.node.collectives) {
      try {
        this.#o.publish(lifecycleSubject(collective, event, this.#o.node.identity), bytes);
        this.#o.onEvent?.();
      } catch (err) {
        this.#o.log.debug(`lifecycle ${event} in ${collective} not published: ${errorMessage(err)}`);
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
