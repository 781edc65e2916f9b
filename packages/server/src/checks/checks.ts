import {
  emptyFilter,
  errorMessage,
  formatMineDuration,
  matchFilter,
  parseCheckDefinitions,
  type CheckDefinition,
  type CheckKindName,
  type CheckResult,
  type CheckStateRecord,
  type NodeView,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { CheckKindRunner, MetricSnapshot } from '../check-kinds/types.js';
import { LocalSources, type LocalKind, type LocalSettings } from '../local-sources.js';
import type { Scheduler, ScheduledJob } from '../schedule/index.js';
import type { BusCheckDefinitions } from './definitions.js';
import { applyResult, endMaintenance, enterMaintenance, maintenanceExpired, pendingRecord, withDefinition, type Transition } from './state.js';
import { CheckPublisher, type CheckPublishing } from './publisher.js';
import type { CheckSink } from './store.js';

/** The kinds this node can run, by name (nagios built in; expression and graphite plug in with one `set` each). */
export type CheckKinds = Map<CheckKindName | string, CheckKindRunner>;

/** The local part of the checks settings: the `checks:` section and the drop-in directory. */
export interface LocalCheckSettings {
  readonly checks: Readonly<Record<string, unknown>>;
  readonly checks_dir: string | null;
}

/** Checks as a kind of local declarations (local-sources.ts). */
export const checksLocalKind: LocalKind<CheckDefinition> = {
  label: 'checks',
  wrapper: 'checks',
  select: (config) => ({ inline: config.checks, dir: config.checks_dir }),
  parse: (raw, source) => {
    const { checks, errors } = parseCheckDefinitions(raw, source);
    return { items: checks, errors };
  },
};

export interface ChecksOptions {
  readonly identity: string;
  readonly configFile: string | undefined;
  readonly settings: LocalCheckSettings;
  readonly kinds: CheckKinds;
  /** The node's scheduler (shared with the mine); check jobs are named `check:<name>`. */
  readonly scheduler: Scheduler;
  /** Where states and events go (through a CheckPublisher) and where the last state is restored from. */
  readonly sink: CheckSink;
  /** Fleet-wide definitions from the bus, when the bus has them. */
  readonly bus?: BusCheckDefinitions | undefined;
  readonly view: () => NodeView;
  readonly log: Logger;
  /** Collector metrics for expression checks (empty when there are none). */
  readonly metrics?: () => MetricSnapshot;
  readonly clock?: () => number;
  /** fs.watch for the local sources (unit tests). */
  readonly watch?: typeof import('node:fs').watch;
}

/** One check's state as the `checks` agent reports it. */
export interface CheckStatus {
  check: string;
  kind: string;
  state: string;
  hard: boolean;
  attempt: number;
  retries: number;
  output: string;
  since: number;
  last_run: number | null;
  interval: number;
  source: string;
  maintenance?: { until: number; reason: string; by: string };
}

const noMetrics: MetricSnapshot = new Map();
const jobPrefix = 'check:';

/**
 * The node's checks: definitions from the config file, its drop-in
 * directory and the bus (local ones win a name), kept only when the node
 * matches their `apply_on` (re-evaluated when facts or classes change). Each
 * runs on the node's scheduler through the runner of its kind; results move
 * its state machine (state.ts) and every state, and every change as an
 * event, goes to the sink (signed, on the bus) through the publisher
 * (publisher.ts). A removed check's state is deleted. Maintenance windows silence a check until resumed or expired.
 */
export class Checks {
  readonly #o: ChecksOptions;
  readonly #clock: () => number;
  readonly #local: LocalSources<CheckDefinition>;
  readonly #defs = new Map<string, CheckDefinition>();
  readonly #records = new Map<string, CheckStateRecord>();
  /** Restoring a check's last state from the bucket; runs wait for it. */
  readonly #ready = new Map<string, Promise<void>>();
  readonly #publisher: CheckPublishing;
  readonly #expiry = new Map<string, NodeJS.Timeout>();
  #localChecks: CheckDefinition[] = [];
  #stopped = false;
  /** Told the name of a check whose record changed, was added or removed (services whose health is a check). */
  readonly #listeners = new Set<(name: string) => void>();

  constructor(options: ChecksOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    this.#publisher = new CheckPublisher({ sink: options.sink, log: options.log, clock: this.#clock });
    const settings: LocalSettings = { inline: options.settings.checks, dir: options.settings.checks_dir };
    this.#local = new LocalSources({
      kind: checksLocalKind,
      configFile: options.configFile,
      settings,
      log: options.log,
      onChange: (checks) => {
        this.#localChecks = checks;
        this.#apply();
      },
      ...(options.watch ? { watch: options.watch } : {}),
    });
  }

  async start(): Promise<void> {
    this.#localChecks = this.#local.start();
    this.#apply();
    await this.#o.bus?.start();
  }

  /** Facts or classes changed: apply_on and policies are looked at again. */
  refresh(): void {
    if (this.#o.bus) this.#o.bus.refresh();
    this.#apply();
  }

  /** Definitions changed on the bus. */
  busChanged(): void {
    this.#apply();
  }

  /** Names of the checks this node runs. */
  names(): string[] {
    return [...this.#defs.keys()].sort();
  }

  /** The current state of every check (or of `names`). */
  status(names: readonly string[] = []): CheckStatus[] {
    const wanted = names.length === 0 ? this.names() : names.filter((n) => this.#records.has(n));
    return wanted.map((n) => statusOf(this.#records.get(n) as CheckStateRecord));
  }

  /** Call `listener` with a check's name whenever its record changes, appears or goes; returns a function that stops. */
  onRecordChange(listener: (name: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(name: string): void {
    for (const l of this.#listeners) l(name);
  }

  /** The full record of a check (with its history). */
  record(name: string): CheckStateRecord | undefined {
    return this.#records.get(name);
  }

  /** For the filter function `check('name')`: the state of a check here, `{ exists: false }` when this node has no such check. */
  data(name: string): Record<string, unknown> {
    const r = this.#records.get(name);
    if (r === undefined) return { exists: false };
    return { exists: true, state: r.state, hard: r.hard, output: r.output, since: Math.floor(r.since / 1000), attempt: r.attempt };
  }

  /** Run checks now (all when `names` is empty); resolves with their states once recorded. Unknown names are returned apart. */
  async run(names: readonly string[]): Promise<{ ran: CheckStatus[]; unknown: string[] }> {
    const wanted = names.length === 0 ? this.names() : [...names];
    const unknown: string[] = [];
    const ran: string[] = [];
    await Promise.all(
      wanted.map(async (n) => {
        if (!this.#defs.has(n) || !(await this.#o.scheduler.runNow(jobPrefix + n))) unknown.push(n);
        else ran.push(n);
      }),
    );
    await Promise.all(ran.map((n) => this.#publisher.settled(n)));
    return { ran: this.status(ran.sort()), unknown };
  }

  /** Put checks in maintenance for `forMs` (all when `names` is empty). */
  async maintenance(names: readonly string[], forMs: number, reason: string, by: string): Promise<{ changed: CheckStatus[]; unknown: string[] }> {
    const until = this.#clock() + forMs;
    return this.#each(names, (n) => {
      this.#step(n, (r, now) => enterMaintenance(r, { until, reason, by }, now));
      this.#armExpiry(n, until);
    });
  }

  /** End maintenance of checks (all when `names` is empty). */
  async resume(names: readonly string[]): Promise<{ changed: CheckStatus[]; unknown: string[] }> {
    return this.#each(names, (n) => {
      clearTimeout(this.#expiry.get(n));
      this.#expiry.delete(n);
      this.#step(n, (r, now) => endMaintenance(r, now));
    });
  }

  /** Stop watching and running; the states stay in the bucket (readers call them stale once the node is gone). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#local.close();
    this.#o.bus?.stop();
    for (const t of this.#expiry.values()) clearTimeout(t);
    for (const name of this.#defs.keys()) this.#o.scheduler.remove(jobPrefix + name);
    await this.#publisher.idle();
  }

  async #each(names: readonly string[], fn: (name: string) => void): Promise<{ changed: CheckStatus[]; unknown: string[] }> {
    const wanted = names.length === 0 ? this.names() : [...names];
    const known = wanted.filter((n) => this.#defs.has(n));
    const unknown = wanted.filter((n) => !this.#defs.has(n));
    await Promise.all(known.map((n) => this.#ready.get(n)));
    for (const n of known) fn(n);
    await Promise.all(known.map((n) => this.#publisher.settled(n)));
    return { changed: this.status(known), unknown };
  }

  #apply(): void {
    if (this.#stopped) return;
    const wanted = new Map<string, CheckDefinition>();
    for (const d of this.#localChecks) wanted.set(d.name, d);
    for (const d of this.#o.bus?.checks() ?? []) {
      const local = wanted.get(d.name);
      if (local) this.#o.log.warn(`checks: fleet-wide definition '${d.name}' from ${d.definedBy ?? 'the bus'} is ignored here: ${local.source} declares that name`);
      else wanted.set(d.name, d);
    }
    const view = this.#o.view();
    for (const [name, d] of wanted) {
      if (d.apply_on === undefined) continue;
      if (!matchFilter({ ...emptyFilter(), compound: [d.apply_on] }, view)) wanted.delete(name);
    }
    for (const name of [...this.#defs.keys()]) {
      if (wanted.has(name)) continue;
      this.#remove(name);
    }
    for (const [name, d] of wanted) {
      const before = this.#defs.get(name);
      if (before && JSON.stringify(before) === JSON.stringify(d)) continue;
      this.#defs.set(name, d);
      if (before) {
        const r = this.#records.get(name);
        if (r) this.#records.set(name, withDefinition(r, d));
      } else {
        this.#added(d);
      }
      this.#o.scheduler.set(this.#job(d));
      const what = d.command ? `command ${d.command[0] ?? ''}` : d.nrpe ? `nrpe ${d.nrpe}` : d.kind;
      this.#o.log.info(`checks: '${name}' ${before ? 'changed' : 'added'}: ${what} every ${formatMineDuration(d.intervalMs)} (${d.definedBy ? `bus ${d.definedBy}` : d.source})`);
    }
  }

  #added(d: CheckDefinition): void {
    const name = d.name;
    this.#records.set(name, pendingRecord(d, this.#o.identity, this.#clock()));
    const ready = this.#o.sink.restore(name).then((previous) => {
      if (!this.#defs.has(name)) return;
      const current = this.#defs.get(name) ?? d;
      if (previous !== undefined) {
        this.#records.set(name, withDefinition(previous, current));
        if (previous.maintenance !== undefined) this.#armExpiry(name, previous.maintenance.until);
      }
      this.#write(name, undefined);
    });
    this.#ready.set(name, ready);
  }

  #remove(name: string): void {
    this.#defs.delete(name);
    this.#records.delete(name);
    this.#ready.delete(name);
    clearTimeout(this.#expiry.get(name));
    this.#expiry.delete(name);
    this.#o.scheduler.remove(jobPrefix + name);
    this.#publisher.delete(name);
    this.#o.log.info(`checks: '${name}' removed`);
    this.#notify(name);
  }

  #job(d: CheckDefinition): ScheduledJob {
    // The kind enforces the check's timeout itself (and says so in the output); the scheduler's is a backstop a second later.
    return { name: jobPrefix + d.name, intervalMs: d.intervalMs, timeoutMs: d.timeoutMs + 1000, splay: d.splay, run: (signal) => this.#run(d.name, signal) };
  }

  async #run(name: string, signal: AbortSignal): Promise<void> {
    await this.#ready.get(name);
    const def = this.#defs.get(name);
    if (def === undefined || this.#stopped) return;
    const started = this.#clock();
    const unknown = (output: string): CheckResult => ({ state: 'unknown', output, perfdata: [], time: this.#clock(), duration_ms: this.#clock() - started });
    const runner = this.#o.kinds.get(def.kind);
    let result: CheckResult;
    if (runner === undefined) {
      result = unknown(`kind not available: ${def.kind} (this cohortd runs ${[...this.#o.kinds.keys()].join(', ') || 'no'} checks)`);
    } else {
      try {
        result = await runner.run(def, { signal, metrics: this.#o.metrics ?? (() => noMetrics), identity: this.#o.identity, clock: this.#clock });
      } catch (err) {
        result = unknown(`the ${def.kind} check failed: ${errorMessage(err)}`);
      }
    }
    // Removed or replaced while running: the result would describe something no longer defined.
    if (this.#stopped || this.#defs.get(name) !== def) return;
    this.#step(name, (r, now) => applyResult(r, result, now));
  }

  /** Move a check's record (ending an expired maintenance first) and write it, with an event for each transition. */
  #step(name: string, move: (r: CheckStateRecord, now: number) => { record: CheckStateRecord; transition: Transition | undefined }): void {
    let record = this.#records.get(name);
    if (record === undefined) return;
    const now = this.#clock();
    if (maintenanceExpired(record, now)) {
      const ended = endMaintenance(record, now);
      record = ended.record;
      this.#records.set(name, record);
      if (ended.transition) this.#write(name, ended.transition);
    }
    const next = move(record, now);
    this.#records.set(name, next.record);
    this.#write(name, next.transition);
  }

  /** Publish the current record (and its event) behind the check's earlier writes. */
  #write(name: string, transition: Transition | undefined): void {
    const record = this.#records.get(name);
    const def = this.#defs.get(name);
    if (record === undefined || def === undefined) return;
    this.#notify(name);
    if (transition) this.#o.log.info(`checks: '${name}' ${transition.previous} -> ${record.state}${record.state === 'maintenance' || record.state === 'pending' ? '' : record.hard ? ' (hard)' : ` (soft ${record.attempt}/${record.retries})`}: ${record.output}`);
    this.#publisher.write(record, transition ? { previous: transition.previous, handlers: def.handlers } : undefined);
  }

  #armExpiry(name: string, until: number): void {
    clearTimeout(this.#expiry.get(name));
    const t = setTimeout(() => {
      this.#expiry.delete(name);
      const r = this.#records.get(name);
      if (r && maintenanceExpired(r, this.#clock())) this.#step(name, (rec) => ({ record: rec, transition: undefined }));
    }, Math.max(0, until - this.#clock()) + 10);
    t.unref();
    this.#expiry.set(name, t);
  }
}

function statusOf(r: CheckStateRecord): CheckStatus {
  return {
    check: r.check,
    kind: r.kind,
    state: r.state,
    hard: r.hard,
    attempt: r.attempt,
    retries: r.retries,
    output: r.output,
    since: r.since,
    last_run: r.last_run,
    interval: r.interval,
    source: r.source,
    ...(r.maintenance !== undefined ? { maintenance: r.maintenance } : {}),
  };
}
