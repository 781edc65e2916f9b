import dnsPacket, { type Answer } from 'dns-packet';
import type { Host, ServiceHost } from './catalog.js';

/** dns-packet's record codec (exported by the library, not in its type definitions). */
const recordCodec = (dnsPacket as unknown as { answer: { encode(a: Answer): Buffer } }).answer;

/** The wire bytes of one host's records, encoded once and reused by every answer naming it. */
export interface Encoded {
  readonly ttl: number;
  /** A or AAAA whose owner is a pointer to the question's name (offset 12). */
  address?: Buffer;
  /** SRV (owner: pointer to the question) with the service's port and the node's name as target. */
  srv?: Buffer;
  /** The node's A/AAAA under its own name, for the additional section of an SRV answer. */
  glue?: Buffer;
}

/** A compression pointer to offset 12, where the question's name starts in every response. */
const toQuestion = Buffer.from([0xc0, 0x0c]);

/**
 * Encoded records per host, made with dns-packet on first use and kept while
 * the host object lives (the catalog makes a new one when a node's record
 * changes, so nothing stale is served). Answers are then concatenations of
 * ready buffers: an answer costs a shuffle and a copy, not an encoding.
 */
export class RecordCache {
  readonly ttl: number;

  constructor(ttl: number) {
    this.ttl = ttl;
  }

  // Kept on the host object itself (a WeakMap of tens of thousands of keys costs the garbage collector on every query's garbage).
  #of(host: Host): Encoded {
    let e = host.wire;
    if (e?.ttl !== this.ttl) host.wire = e = { ttl: this.ttl };
    return e;
  }

  /** The host's address record, owned by the question's name. */
  address(host: Host): Buffer {
    const e = this.#of(host);
    return (e.address ??= ownedByQuestion({ type: host.family === 4 ? 'A' : 'AAAA', name: '.', ttl: this.ttl, data: host.address }));
  }

  /** The SRV record of a service host, owned by the question's name. */
  srv(host: ServiceHost): Buffer {
    const e = this.#of(host);
    return (e.srv ??= ownedByQuestion({ type: 'SRV', name: '.', ttl: this.ttl, data: { priority: 1, weight: 1, port: host.port, target: host.name } }));
  }

  /** The host's address record under its node name (SRV additional section). */
  glue(host: Host): Buffer {
    const e = this.#of(host);
    return (e.glue ??= recordCodec.encode({ type: host.family === 4 ? 'A' : 'AAAA', name: host.name, ttl: this.ttl, data: host.address }));
  }
}

/** Encode with the root as owner (one zero byte), then put a pointer to the question's name in its place. */
function ownedByQuestion(record: Answer): Buffer {
  return Buffer.concat([toQuestion, recordCodec.encode(record).subarray(1)]);
}
