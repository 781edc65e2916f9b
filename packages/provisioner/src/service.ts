import { randomBytes } from 'node:crypto';
import { errorMessage } from '@cohort/core';
import { WorkQueue } from './queue.js';
import { provisionNode, type NodeOutcome, type RunDeps } from './run-node.js';
import { wantsWork, type Claimant } from './state.js';

/**
 * The provisioner service: finds nodes (discovery of the provisioning
 * collective every `interval`, their startup events, the state bucket's
 * unfinished records and its changes, e.g. `cohort provisioner retry`),
 * queues them, and runs `workers` of them through the pipeline at a time.
 */

/** What a node's run needs, but for who runs it and the shutdown signal (the service supplies those). */
export type ServiceDeps = Omit<RunDeps, 'me' | 'stopping'>;

/** Counts of what happened, for the log and tests. */
export type ServiceCounts = Record<NodeOutcome['kind'], number>;

export class Provisioner {
  readonly me: Claimant;
  readonly counts: ServiceCounts = { skipped: 0, done: 0, notified: 0, retrying: 0, failed: 0, released: 0, lost: 0 };
  readonly #deps: ServiceDeps;
  readonly #queue: WorkQueue;
  readonly #stopping = new AbortController();
  readonly #stops: Array<() => void> = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #warned = new Set<string>();
  #workers: Promise<void>[] = [];

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
    this.me = { owner: deps.pipeline.name, instance: `${deps.pipeline.name}/${process.pid}/${randomBytes(4).toString('hex')}` };
    this.#queue = new WorkQueue(deps.pipeline.config.max_queue);
  }

  /** Start finding and provisioning nodes; resolves once the first scan and discovery ran. */
  async start(): Promise<void> {
    const { pipeline, fleet, store, log, time } = this.#deps;
    const c = pipeline.config;
    log.info(`provisioner ${pipeline.name} started: ${c.workers} worker(s), steps ${pipeline.steps.join(' → ')}; watching collective ${c.provisioning.collective}, state in ${store.name}`);
    this.#workers = Array.from({ length: c.workers }, () => this.#work());
    const announce = fleet.onAnnounce((identity) => this.#enqueue(identity, 'startup event'));
    this.#stops.push(() => announce.stop());
    if (store.watch) {
      const watch = await store.watch(({ record }) => {
        if (record.phase === 'pending' && record.owner === null && record.retry_after <= time.now()) this.#enqueue(record.identity, 'state change');
      });
      this.#stops.push(() => watch.stop());
    }
    await this.#tick();
    const timer = time.every(c.interval * 1000, () => void this.#tick());
    this.#stops.push(() => timer.stop());
  }

  /** Stop: take no new node, let running steps finish and release their nodes, close. */
  async stop(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    this.#deps.log.info('stopping: finishing the running steps and releasing their nodes');
    this.#stopping.abort('shutting down');
    for (const stop of this.#stops.splice(0)) stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#queue.close();
    await Promise.all(this.#workers);
  }

  /** One discovery and one scan of the state bucket. */
  async #tick(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    const { pipeline, fleet, store, log, time } = this.#deps;
    try {
      for (const e of await store.list()) if (wantsWork(e.record, time.now())) this.#enqueue(e.record.identity, `state ${e.record.phase}`);
    } catch (err) {
      log.warn(`reading the ${store.name} failed (retried in ${pipeline.config.interval} s): ${errorMessage(err)}`);
    }
    try {
      for (const identity of await fleet.waiting(pipeline.config.provisioning.agent)) this.#enqueue(identity, 'discovery');
    } catch (err) {
      log.warn(`discovering the ${pipeline.config.provisioning.collective} collective failed (retried in ${pipeline.config.interval} s): ${errorMessage(err)}`);
    }
  }

  #enqueue(identity: string, why: string): void {
    if (this.#queue.add(identity)) this.#deps.log.debug(`queued ${identity} (${why})`);
  }

  async #work(): Promise<void> {
    const deps: RunDeps = { ...this.#deps, me: this.me, stopping: this.#stopping.signal };
    for (;;) {
      const identity = await this.#queue.take();
      if (identity === undefined) return;
      try {
        const outcome = await provisionNode(identity, deps);
        this.counts[outcome.kind]++;
        if (outcome.kind === 'skipped') this.#skipped(identity, outcome.reason);
        if (outcome.kind === 'retrying') this.#later(identity, outcome.at);
      } catch (err) {
        this.#deps.log.error(`working on ${identity} failed: ${errorMessage(err)}`);
      } finally {
        this.#queue.done(identity);
      }
    }
  }

  /** Debug log, except once per node for a done node that waits in the provisioning collective again (reinstalled?). */
  #skipped(identity: string, reason: string): void {
    if (reason.startsWith('provisioned already') && !this.#warned.has(identity)) {
      this.#warned.add(identity);
      this.#deps.log.warn(`${identity} waits in the ${this.#deps.pipeline.config.provisioning.collective} collective but was ${reason}`);
    } else {
      this.#deps.log.debug(`skipped ${identity}: ${reason}`);
    }
  }

  /** Queue `identity` again at `at` (unix ms). */
  #later(identity: string, at: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#enqueue(identity, 'retry');
    }, Math.max(0, at - this.#deps.time.now()) + 50);
    timer.unref();
    this.#timers.add(timer);
  }
}
