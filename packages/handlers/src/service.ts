import { errorMessage, type TrustStore } from '@cohort/core';
import type { Time } from '@cohort/provisioner';
import type { EventMessage, EventSource } from './bus.js';
import type { HandlersConfig } from './config.js';
import { deliver } from './delivery.js';
import type { Handler } from './handlers/types.js';
import type { HandlersLog } from './log.js';
import type { DeliveryStore, TrackStore } from './store.js';
import { decide, delivered, tick, type TrackedCheck } from './tracker.js';
import { verifyCheckEvent } from './verify.js';

/**
 * The handler service: takes the collective's check events one at a time
 * from the durable consumer, verifies each (a forged or unverifiable event
 * is logged and acked, never handled), decides who is told (tracker.ts),
 * stores that decision, delivers (delivery.ts), and acks only then. A timer
 * sends reminders and ends flapping. Everything runs one step at a time, in
 * order, so decisions never race.
 */

export interface HandlerServiceDeps {
  readonly config: HandlersConfig;
  readonly events: EventSource;
  readonly tracks: TrackStore;
  readonly deliveries: DeliveryStore;
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly trust: TrustStore;
  readonly log: HandlersLog;
  readonly time: Time;
}

export interface HandlerCounts {
  events: number;
  dropped: number;
  stale: number;
  sent: number;
  failed: number;
}

export class HandlerService {
  readonly counts: HandlerCounts = { events: 0, dropped: 0, stale: 0, sent: 0, failed: 0 };
  readonly #deps: HandlerServiceDeps;
  readonly #tracks = new Map<string, TrackedCheck>();
  readonly #stopping = new AbortController();
  #chain: Promise<void> = Promise.resolve();
  #consumer: { stop(): Promise<void> } | undefined;
  #timer: { stop(): void } | undefined;

  constructor(deps: HandlerServiceDeps) {
    this.#deps = deps;
  }

  /** Load the tracked states, finish what a previous run decided but did not deliver, then consume. */
  async start(): Promise<void> {
    const { config, events, tracks, log, time } = this.#deps;
    for (const r of await tracks.list()) this.#tracks.set(keyOf(r.identity, r.check), r);
    const pending = [...this.#tracks.values()].filter((r) => r.outbox.length > 0);
    if (pending.length > 0) log.info(`finishing ${pending.length} check(s) with notifications decided before the restart`);
    await this.#serial(async () => {
      for (const r of pending) await this.#drain(r);
    });
    this.#consumer = await events.consume((m) => this.#serial(() => this.#onMessage(m)));
    this.#timer = time.every(config.tickMs, () => void this.#serial(() => this.tick()));
    log.info(
      `handling check events of collective ${config.collective} from ${events.name}: handlers ${[...config.handlers.values()].map((h) => `${h.name} (${h.type})`).join(', ')}; defaults ${config.defaults.join(', ')}; ${this.#tracks.size} check(s) tracked`,
    );
  }

  /** Stop taking events, let the one in hand finish (its running handler try included), then resolve. */
  async stop(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    this.#deps.log.info('stopping: finishing the event in hand (its running handler tries), taking no more');
    this.#stopping.abort('shutting down');
    this.#timer?.stop();
    await this.#consumer?.stop();
    await this.#chain;
  }

  /** Reminders and flapping that time alone decides (the timer calls this; tests call it with a fake clock). */
  async tick(): Promise<void> {
    const { config, time, tracks, log } = this.#deps;
    for (const r of [...this.#tracks.values()]) {
      if (this.#stopping.signal.aborted) return;
      const t = tick(r, config, time.now());
      if (!t) continue;
      try {
        await tracks.put(t.record);
      } catch (err) {
        log.warn(`storing the state of ${r.check} on ${r.identity} failed (tried again at the next tick): ${errorMessage(err)}`);
        continue;
      }
      this.#tracks.set(keyOf(r.identity, r.check), t.record);
      await this.#drain(t.record);
    }
  }

  /** The tracked state of one check (tests, status). */
  tracked(identity: string, check: string): TrackedCheck | undefined {
    return this.#tracks.get(keyOf(identity, check));
  }

  #serial(fn: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(fn).catch((err: unknown) => this.#deps.log.error(`handler service step failed: ${errorMessage(err)}`));
    this.#chain = run;
    return run;
  }

  async #onMessage(m: EventMessage): Promise<void> {
    const { config, trust, time, log, tracks } = this.#deps;
    if (this.#stopping.signal.aborted) {
      m.nak();
      return;
    }
    this.counts.events++;
    const keepAlive = setInterval(() => m.working(), Math.max(500, Math.floor(config.ackWaitMs / 3)));
    try {
      const e = verifyCheckEvent(config.collective, m.subject, m.data, trust, time.now());
      if (typeof e === 'string') {
        this.counts.dropped++;
        log.warn(`dropped event ${m.seq} on ${m.subject}: ${e}`);
        await m.ack();
        return;
      }
      const key = keyOf(e.identity, e.check);
      const prev = this.#tracks.get(key);
      const d = decide(prev, e, config, time.now());
      if (d.kind === 'stale') {
        this.counts.stale++;
        log.debug(`event ${e.id} is older than ${d.newer}, already handled: ignored`);
        await m.ack();
        return;
      }
      let record = prev!;
      if (d.kind === 'new') {
        for (const name of d.unknown) log.warn(`event ${e.id} names handler '${name}', which ${config.file ?? 'the config'} does not define`);
        record = d.record;
        await tracks.put(record);
        this.#tracks.set(key, record);
        log.debug(`event ${e.id}: ${e.previous} -> ${e.state}${e.hard ? '' : ' (soft)'}; ${d.added.length === 0 ? 'nobody to tell' : d.added.map((n) => `${n.kind} to ${n.handlers.join(', ')}`).join('; ')}`);
      }
      if (await this.#drain(record)) await m.ack();
      else m.nak();
    } catch (err) {
      log.error(`handling event ${m.seq} on ${m.subject} failed (it is delivered again): ${errorMessage(err)}`);
      m.nak(Math.min(config.ackWaitMs, 5000));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Deliver a record's outbox; false when the shutdown interrupted it (the rest is done after the restart). */
  async #drain(start: TrackedCheck): Promise<boolean> {
    const { config, handlers, deliveries, tracks, log, time } = this.#deps;
    let record = start;
    for (const n of start.outbox) {
      const outcomes = await Promise.all(
        n.handlers.map(async (name) => {
          const handler = handlers.get(name);
          const spec = config.handlers.get(name);
          if (!handler || !spec) {
            log.warn(`notification ${n.id} was for handler '${name}', which is no longer configured: skipped`);
            return 'before' as const;
          }
          return deliver(n, handler, spec, { store: deliveries, log, time, stopping: this.#stopping.signal });
        }),
      );
      for (const o of outcomes) {
        if (o === 'sent') this.counts.sent++;
        if (o === 'failed') this.counts.failed++;
      }
      if (outcomes.includes('stopped')) return false;
      record = delivered(record, n.id);
      await tracks.put(record);
      this.#tracks.set(keyOf(record.identity, record.check), record);
    }
    return true;
  }
}

function keyOf(identity: string, check: string): string {
  return `${check}\u0000${identity}`;
}
