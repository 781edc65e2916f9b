import { decodeRegistration, identityFromRegistryKey } from '@cohort/core';
import type { BucketEntry } from '../bus/kv.js';
import { registeredNode, type RegisteredNode } from './registry-record.js';

/**
 * The client's copy of one collective's registry, kept current by a bucket
 * watch. Records older than the bucket's max age are treated as gone even
 * before the server's expiry reaches them (expiry sends no delete).
 */
export class RegistryView {
  readonly bucket: string;
  readonly #nodes = new Map<string, RegisteredNode>();
  #maxAgeMs = 0;
  #invalid = 0;

  constructor(bucket: string) {
    this.bucket = bucket;
  }

  /** The bucket's max age in ms (0: unlimited). */
  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  set maxAgeMs(ms: number) {
    this.#maxAgeMs = ms;
  }

  /** Records that did not decode (or whose key and identity disagree), skipped. */
  get invalid(): number {
    return this.#invalid;
  }

  /** Apply one bucket change. */
  apply(entry: BucketEntry): void {
    const identity = identityFromRegistryKey(entry.key);
    if (entry.operation !== 'PUT') {
      this.#nodes.delete(identity);
      return;
    }
    try {
      const record = decodeRegistration(entry.value);
      if (record.identity !== identity) throw new Error(`key ${entry.key} holds the record of ${record.identity}`);
      this.#nodes.set(identity, registeredNode(record, entry.created));
    } catch {
      this.#invalid++;
      this.#nodes.delete(identity);
    }
  }

  /** Live records at `now` (not past the bucket's max age), in registration order. */
  nodes(now: number): RegisteredNode[] {
    const out: RegisteredNode[] = [];
    for (const node of this.#nodes.values()) if (this.#live(node, now)) out.push(node);
    return out;
  }

  /** One node's live record. */
  get(identity: string, now: number): RegisteredNode | undefined {
    const node = this.#nodes.get(identity);
    return node && this.#live(node, now) ? node : undefined;
  }

  #live(node: RegisteredNode, now: number): boolean {
    return this.#maxAgeMs <= 0 || now - node.updatedAt < this.#maxAgeMs;
  }
}
