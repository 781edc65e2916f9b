import { identityFromRegistryKey, readRegistryEntry, readRegistryEntryAsync, type RegistryEntryReading, type TrustStore } from '@cohort/core';
import type { BucketEntry } from '../bus/kv.js';
import { registeredNode, type RegisteredNode } from './registry-record.js';

/** A registry entry that was not used, and why (forged, unsigned, an unsigned delete...). */
export interface IgnoredRecord {
  readonly identity: string;
  readonly reason: string;
  /** When the server stored it (unix ms). */
  readonly at: number;
}

/**
 * The client's copy of one collective's registry, kept current by a bucket
 * watch. Records older than the bucket's max age are treated as gone even
 * before the server's expiry reaches them (expiry sends no delete).
 *
 * With a trust store (trusted node keys and issuers) every record must be
 * signed by the node it describes: anything else is ignored and remembered
 * with its reason, and the last verified record of that node is kept until
 * it expires, so overwriting or deleting a node's record (anyone with the
 * nodes' NATS credentials can) does not hide it. Only a signed deregistration
 * (the node's clean shutdown) removes a node early. Without trust, records
 * are read unverified (for listing; discovery does not rely on them).
 */
export class RegistryView {
  readonly bucket: string;
  readonly trust: TrustStore | undefined;
  readonly #nodes = new Map<string, RegisteredNode>();
  readonly #ignored = new Map<string, IgnoredRecord>();
  readonly #now: () => number;
  #maxAgeMs = 0;
  #invalid = 0;
  /** Entries received (see receive()) and not yet applied: applied in the order they arrived. */
  #queue: Promise<void> = Promise.resolve();

  constructor(bucket: string, trust?: TrustStore, now: () => number = Date.now) {
    this.bucket = bucket;
    this.trust = trust;
    this.#now = now;
  }

  /** The bucket's max age in ms (0: unlimited). */
  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  set maxAgeMs(ms: number) {
    this.#maxAgeMs = ms;
  }

  /** Entries ignored so far (did not decode, did not verify, unsigned deletes). */
  get invalid(): number {
    return this.#invalid;
  }

  /** Apply one bucket change (its signatures checked on this thread, before this returns). */
  apply(entry: BucketEntry): void {
    const identity = identityFromRegistryKey(entry.key);
    if (entry.operation !== 'PUT') return this.#applyDelete(identity, entry);
    this.#applyReading(identity, entry, readRegistryEntry(entry.value, identity, this.trust, this.#now(), this.#maxAgeMs || undefined));
  }

  /**
   * Take one bucket change as it arrives: its signatures are checked at once
   * in libuv's thread pool (readRegistryEntryAsync: the same checks as
   * apply()), while the reader goes on to the next entry; changes are
   * applied in the order they arrived. {@link settled} resolves once every
   * change received so far is applied. For reading a whole bucket at once
   * (a `cohort` process reading the registry).
   */
  receive(entry: BucketEntry): void {
    const identity = identityFromRegistryKey(entry.key);
    if (entry.operation !== 'PUT') {
      this.#queue = this.#queue.then(() => this.#applyDelete(identity, entry));
      return;
    }
    // Started now (the clock and max age of its arrival, as apply() would use), applied in turn.
    const reading = readRegistryEntryAsync(entry.value, identity, this.trust, this.#now(), this.#maxAgeMs || undefined);
    this.#queue = this.#queue.then(async () => this.#applyReading(identity, entry, await reading));
  }

  /** Resolves when every change given to receive() so far is applied. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #applyDelete(identity: string, entry: BucketEntry): void {
    if (this.trust) this.#ignore(identity, "deleted without the node's signature (a node's clean shutdown leaves a signed deregistration)", entry.created);
    else this.#nodes.delete(identity);
  }

  #applyReading(identity: string, entry: BucketEntry, reading: RegistryEntryReading): void {
    switch (reading.kind) {
      case 'record':
        this.#nodes.set(identity, registeredNode(reading.record, entry.created, reading.verified));
        this.#ignored.delete(identity);
        return;
      case 'gone':
        this.#nodes.delete(identity);
        this.#ignored.delete(identity);
        return;
      case 'ignored':
        this.#ignore(identity, reading.reason, entry.created);
        if (!this.trust) this.#nodes.delete(identity);
    }
  }

  #ignore(identity: string, reason: string, at: number): void {
    this.#invalid++;
    this.#ignored.set(identity, { identity, reason, at });
  }

  /** Live records at `now` (not past the bucket's max age), in registration order. */
  nodes(now: number): RegisteredNode[] {
    const out: RegisteredNode[] = [];
    for (const node of this.#nodes.values()) if (this.#live(node.updatedAt, now)) out.push(node);
    return out;
  }

  /** One node's live record. */
  get(identity: string, now: number): RegisteredNode | undefined {
    const node = this.#nodes.get(identity);
    return node && this.#live(node.updatedAt, now) ? node : undefined;
  }

  /** The latest entry of each key that was ignored and has not expired, sorted by identity. */
  ignored(now: number): IgnoredRecord[] {
    return [...this.#ignored.values()].filter((i) => this.#live(i.at, now)).sort((a, b) => (a.identity < b.identity ? -1 : 1));
  }

  /**
   * Ignored entries for which no verified record is kept: nodes the registry
   * cannot account for (a ghost, or a real node whose record was replaced
   * before this client saw it). Discovery cannot trust the registry to be
   * complete while there are any.
   */
  unaccounted(now: number): IgnoredRecord[] {
    return this.ignored(now).filter((i) => this.get(i.identity, now) === undefined);
  }

  #live(at: number, now: number): boolean {
    return this.#maxAgeMs <= 0 || now - at < this.#maxAgeMs;
  }
}
