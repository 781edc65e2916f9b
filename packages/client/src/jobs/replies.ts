import { openReply, verifyReply, type ReplyMessage, type TrustStore } from '@cohort/core';
import type { Reply, RpcStats } from '../types.js';
import { replyOf } from '../wire.js';
import type { JobRecord } from './record.js';

/**
 * A job's replies as they are read from the stream: each stored message is
 * decoded (signed replies unwrapped; anything that is not a reply to this job
 * is counted in `dropped`), nodes that were not addressed, or that replied
 * twice, are `unexpected`, and `stats()` says who is still missing.
 *
 * With `trust` (trusted node keys and issuers) every reply must be signed by
 * a trusted key of the node it names: any other is listed in
 * `stats().unverified` and never counted (anyone who can publish into the
 * job stream could forge one). Without trust, replies are counted unverified.
 */
export class JobReplies {
  readonly replies: Reply[] = [];
  dropped = 0;
  readonly #record: JobRecord;
  readonly #trust: TrustStore | undefined;
  readonly #unverified: Array<{ sender: string; reason: string }> = [];
  readonly #expected: Set<string>;
  readonly #responded = new Set<string>();
  readonly #unexpected: string[] = [];
  #ok = 0;
  #failed = 0;
  #last: number | undefined;

  constructor(record: JobRecord, trust?: TrustStore) {
    this.#record = record;
    this.#trust = trust;
    this.#expected = new Set(record.nodes);
  }

  /** Take one stored message; returns the reply when it is one of this job's. */
  push(bytes: Uint8Array): Reply | undefined {
    let msg: ReplyMessage;
    let opened;
    try {
      opened = openReply(bytes);
      msg = opened.reply;
    } catch {
      this.dropped++;
      return undefined;
    }
    if (msg.request_id !== this.#record.id) {
      this.dropped++;
      return undefined;
    }
    if (this.#trust) {
      const signer = verifyReply(opened, this.#trust, Date.now());
      if (typeof signer === 'string') {
        this.#unverified.push({ sender: msg.sender.slice(0, 255), reason: signer });
        return undefined;
      }
    }
    const unexpected = !this.#expected.has(msg.sender) || this.#responded.has(msg.sender);
    const reply = replyOf(msg, Math.max(0, msg.time - this.#record.time), unexpected);
    this.replies.push(reply);
    if (unexpected) {
      this.#unexpected.push(msg.sender);
      return reply;
    }
    this.#responded.add(msg.sender);
    if (msg.statuscode === 0) this.#ok++;
    else this.#failed++;
    this.#last = Math.max(this.#last ?? 0, msg.time);
    return reply;
  }

  /** True when replies are verified against trusted node keys. */
  get verifying(): boolean {
    return this.#trust !== undefined;
  }

  /** Every expected node has replied. */
  get complete(): boolean {
    return this.#responded.size === this.#expected.size;
  }

  /** The job's statistics so far: `no_response` lists the nodes that have not replied (yet). */
  stats(): RpcStats {
    const agentMs = this.#last === undefined ? 0 : Math.max(0, this.#last - this.#record.time);
    return {
      requestid: this.#record.id,
      discovered: this.#expected.size,
      responded: this.#responded.size,
      ok: this.#ok,
      failed: this.#failed,
      no_response: this.#record.nodes.filter((n) => !this.#responded.has(n)),
      unexpected: this.#unexpected,
      discovery_ms: 0,
      publish_ms: 0,
      agent_ms: agentMs,
      total_ms: agentMs,
      ...(this.#trust ? { unverified: [...this.#unverified] } : {}),
    };
  }
}
