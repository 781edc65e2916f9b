import {
  checkEventSubject,
  checkEventTag,
  CheckKind,
  checkKey,
  checksBucket,
  errorMessage,
  maxCheckRecordBytes,
  openData,
  sealDataBytes,
  verifyText,
  type CheckEvent,
  type CheckStateRecord,
  type Signer,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { ChecksBus } from '../bus/checks.js';

/** Where check states and events go (a fake in unit tests). */
export interface CheckSink {
  put(record: CheckStateRecord): Promise<void>;
  /** Publish the event of a change made at `time`; true once stored in every collective's stream (a retry of the same event is deduplicated by the stream). */
  publish(record: CheckStateRecord, previous: CheckEvent['previous'], handlers: readonly string[], time: number): Promise<boolean>;
  delete(check: string): Promise<void>;
  /** This node's own last record of `check` (after a restart), if any. */
  restore(check: string): Promise<CheckStateRecord | undefined>;
}

/**
 * This node's check states and events on the bus: each state sealed with
 * the node key (signed data of kind `check-state`) under
 * `checkKey(check, identity)` in every collective's checks bucket; each
 * change sealed as a `check-event` and published into the collective's
 * events stream. Failures are logged once per outage; the next run writes
 * again.
 */
export class CheckStore implements CheckSink {
  readonly #identity: string;
  readonly #collectives: readonly string[];
  readonly #bus: ChecksBus;
  readonly #signer: Signer;
  readonly #log: Logger;
  readonly #clock: () => number;
  #failing = false;

  constructor(options: { identity: string; collectives: readonly string[]; bus: ChecksBus; signer: Signer; log: Logger; clock?: () => number }) {
    this.#identity = options.identity;
    this.#collectives = options.collectives;
    this.#bus = options.bus;
    this.#signer = options.signer;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
  }

  async put(record: CheckStateRecord): Promise<void> {
    const bytes = sealDataBytes(CheckKind.State, record, this.#signer, this.#clock());
    const key = checkKey(record.check, this.#identity);
    await this.#each(`write ${key}`, (c) => this.#bus.put(checksBucket(c), key, bytes));
  }

  async publish(record: CheckStateRecord, previous: CheckEvent['previous'], handlers: readonly string[], time: number): Promise<boolean> {
    return this.#each(`publish the ${record.check} event`, async (collective) => {
      const event: CheckEvent = {
        protocol: checkEventTag,
        id: `${this.#identity}:${record.check}:${record.sequence}`,
        collective,
        identity: this.#identity,
        check: record.check,
        sequence: record.sequence,
        previous,
        state: record.state,
        hard: record.hard,
        output: record.output,
        perfdata: record.perfdata,
        time,
        interval: record.interval,
        handlers: [...handlers],
        ...(record.maintenance !== undefined ? { maintenance: record.maintenance } : {}),
      };
      await this.#bus.publishEvent(collective, checkEventSubject(collective, this.#identity, record.check), sealDataBytes(CheckKind.Event, event, this.#signer, this.#clock()), event.id);
    });
  }

  async delete(check: string): Promise<void> {
    const key = checkKey(check, this.#identity);
    await Promise.all(this.#collectives.map((c) => this.#bus.delete(checksBucket(c), key).catch((err: unknown) => this.#log.debug(`checks: could not delete ${key} in ${c}: ${errorMessage(err)}`))));
  }

  async restore(check: string): Promise<CheckStateRecord | undefined> {
    const collective = this.#collectives[0];
    if (collective === undefined) return undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.#bus.get(checksBucket(collective), checkKey(check, this.#identity));
    } catch (err) {
      this.#log.debug(`checks: cannot read the last state of ${check}: ${errorMessage(err)}`);
      return undefined;
    }
    if (bytes === undefined) return undefined;
    try {
      const { envelope, body } = openData(bytes, maxCheckRecordBytes);
      // Only what this very key signed is carried over (history and sequence continue).
      if (envelope.public_key !== this.#signer.publicKey || body.kind !== CheckKind.State || !verifyText(envelope.public_key, envelope.data, envelope.signature)) return undefined;
      const r = body.value as CheckStateRecord;
      if (r.identity !== this.#identity || r.check !== check || !Number.isSafeInteger(r.sequence) || !Array.isArray(r.history)) return undefined;
      return r;
    } catch {
      return undefined;
    }
  }

  async #each(what: string, fn: (collective: string) => Promise<void>): Promise<boolean> {
    const results = await Promise.all(this.#collectives.map((c) => fn(c).then(() => undefined, (err: unknown) => err)));
    const failed = results.find((r) => r !== undefined);
    if (failed === undefined) {
      if (this.#failing) this.#log.info('checks: writing states and events again');
      this.#failing = false;
      return true;
    }
    if (!this.#failing) {
      this.#failing = true;
      this.#log.warn(`checks: cannot ${what} (${errorMessage(failed)}); is JetStream enabled (nats-server -js)? Retrying at the next run`);
    }
    return false;
  }
}
