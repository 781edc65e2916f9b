import { errorMessage, type CheckEvent, type CheckStateRecord } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { CheckSink } from './store.js';

/** What a state change's event adds to the record: the state before, the handlers to tell. */
export interface CheckChange {
  readonly previous: CheckEvent['previous'];
  readonly handlers: readonly string[];
}

/** Where Checks hands its states and events (CheckPublisher; a check's writes stay in order). */
export interface CheckPublishing {
  /** Queue a write of `record`, with the event of `change` when it is one, behind the check's earlier writes. */
  write(record: CheckStateRecord, change: CheckChange | undefined): void;
  /** Queue the deletion of a check's state behind its writes; its unsent events are dropped. */
  delete(check: string): void;
  /** Resolves once the writes queued so far for `check` are done. */
  settled(check: string): Promise<void>;
  /** Resolves once every write queued so far is done. */
  idle(): Promise<void>;
}

interface Pending {
  readonly record: CheckStateRecord;
  readonly previous: CheckEvent['previous'];
  readonly handlers: readonly string[];
  readonly time: number;
}

/** Events kept per check while the bus is unavailable. */
export const maxUnsent = 100;

/**
 * Writes each check's state to the sink and publishes its events, a
 * check's writes in the order they were made. An event the sink could not
 * store (the bus was down) is kept, oldest first, and sent again before the
 * next write of that check; past `maxUnsent` per check the oldest are
 * dropped (logged). A failed write is logged; the next one writes again.
 */
export class CheckPublisher implements CheckPublishing {
  readonly #sink: CheckSink;
  readonly #log: Logger;
  readonly #clock: () => number;
  /** Writes per check, in order. */
  readonly #writes = new Map<string, Promise<void>>();
  /** Events not stored yet, per check, oldest first. */
  readonly #unsent = new Map<string, Pending[]>();

  constructor(options: { sink: CheckSink; log: Logger; clock?: () => number }) {
    this.#sink = options.sink;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
  }

  write(record: CheckStateRecord, change: CheckChange | undefined): void {
    const name = record.check;
    // The event's time is when the change was made, not when the queue gets to it.
    const event = change ? { record, previous: change.previous, handlers: change.handlers, time: this.#clock() } : undefined;
    this.#queue(name, async () => {
      try {
        await this.#sink.put(record);
        await this.#publish(name, event);
      } catch (err) {
        this.#log.warn(`checks: writing '${name}' failed: ${errorMessage(err)}`);
      }
    });
  }

  delete(check: string): void {
    // Forget the unsent events in the queued step, after the earlier writes have kept theirs.
    this.#queue(check, () => {
      this.#unsent.delete(check);
      return this.#sink.delete(check);
    });
  }

  settled(check: string): Promise<void> {
    return this.#writes.get(check) ?? Promise.resolve();
  }

  async idle(): Promise<void> {
    await Promise.all([...this.#writes.values()]);
  }

  /** Send the check's unsent events, then `event`, oldest first, until the sink refuses one. */
  async #publish(name: string, event: Pending | undefined): Promise<void> {
    const queue = this.#unsent.get(name) ?? [];
    if (event) queue.push(event);
    while (queue.length > 0) {
      const e = queue[0] as Pending;
      if (!(await this.#sink.publish(e.record, e.previous, e.handlers, e.time))) break;
      queue.shift();
    }
    if (queue.length > maxUnsent) {
      this.#log.warn(`checks: '${name}': ${queue.length - maxUnsent} unsent event(s) dropped while the bus was unavailable`);
      queue.splice(0, queue.length - maxUnsent);
    }
    if (queue.length > 0) this.#unsent.set(name, queue);
    else this.#unsent.delete(name);
  }

  /** Run `step` after the check's earlier writes; it stays the check's tail until a later one replaces it. */
  #queue(name: string, step: () => Promise<void>): void {
    const previous = this.#writes.get(name) ?? Promise.resolve();
    const done = previous.then(step);
    this.#writes.set(name, done);
    void done.finally(() => {
      if (this.#writes.get(name) === done) this.#writes.delete(name);
    });
  }
}
