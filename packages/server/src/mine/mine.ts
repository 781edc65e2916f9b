import type { NodeInfo } from '@cohort/agents';
import { errorMessage, formatMineDuration, type MineFunction, type MineValue, type NodeView } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import type { NodeSecurity } from '../node-security.js';
import type { AgentLookup } from '../registry.js';
import { Scheduler, type ScheduledJob } from '../schedule/index.js';
import { BusDefinitions } from './definitions.js';
import { LocalMineSources, type LocalMineSettings } from './local.js';
import type { RunOutcome } from './outcome.js';
import { runAction } from './run-action.js';
import { runCommand } from './run-command.js';
import { MineStore } from './store.js';

export interface MineOptions {
  readonly identity: string;
  readonly collectives: readonly string[];
  readonly configFile: string | undefined;
  readonly settings: LocalMineSettings;
  readonly bus: Bus;
  readonly security: NodeSecurity;
  readonly agents: AgentLookup;
  readonly node: NodeInfo;
  readonly view: () => NodeView;
  readonly log: Logger;
  /** The node's scheduler, shared with the checks; the mine makes its own when absent. */
  readonly scheduler?: Scheduler;
}

/** A function as `mine list` reports it. */
export interface MineFunctionSummary {
  name: string;
  kind: 'action' | 'command';
  source: string;
  interval_s: number;
}

/** Commands get the interval as their timeout, at most a minute, unless they set one. */
const defaultCommandTimeoutMs = 60_000;

/**
 * The node's mine: functions from the config file, its drop-in directory and
 * the bus (trusted, authorized definitions), each run by the scheduler at its
 * interval and its value signed and stored in the mine bucket. Changes to
 * any source apply live. On stop the node removes its values (a clean
 * leave).
 */
export class Mine {
  readonly #o: MineOptions;
  readonly #scheduler: Scheduler;
  readonly #ownScheduler: boolean;
  readonly #store: MineStore;
  readonly #local: LocalMineSources;
  readonly #bus: BusDefinitions | undefined;
  readonly #current = new Map<string, MineFunction>();
  #localFunctions: MineFunction[] = [];
  #stopped = false;

  constructor(options: MineOptions, store: MineStore) {
    this.#o = options;
    this.#store = store;
    this.#ownScheduler = options.scheduler === undefined;
    this.#scheduler = options.scheduler ?? new Scheduler({ log: options.log });
    this.#local = new LocalMineSources({
      configFile: options.configFile,
      settings: options.settings,
      log: options.log,
      onChange: (fns) => {
        this.#localFunctions = fns;
        this.#apply();
      },
    });
    const watch = options.bus.watchBucket;
    this.#bus =
      watch === undefined
        ? undefined
        : new BusDefinitions({
            collectives: options.collectives,
            watch,
            trust: options.security.trust,
            policies: options.security.policies,
            audit: options.security.audit,
            view: options.view,
            log: options.log,
            onChange: () => this.#apply(),
          });
  }

  /** Scheduler counters (runs, skipped, timeouts). */
  get counters(): Scheduler['counters'] {
    return this.#scheduler.counters;
  }

  async start(): Promise<void> {
    this.#localFunctions = this.#local.start();
    this.#apply();
    await this.#bus?.start();
  }

  /** The functions this node runs now. */
  list(): MineFunctionSummary[] {
    return [...this.#current.values()].map((f) => ({ name: f.name, kind: f.kind, source: f.definedBy ? `bus ${f.definedBy}` : f.source, interval_s: f.intervalMs / 1000 }));
  }

  /** Run functions now (all when `names` is empty); resolves when their values are written. */
  async update(names: readonly string[]): Promise<{ ran: string[]; unknown: string[] }> {
    const wanted = names.length === 0 ? [...this.#current.keys()] : [...names];
    const ran: string[] = [];
    const unknown: string[] = [];
    await Promise.all(wanted.map(async (n) => ((await this.#scheduler.runNow(n)) ? ran.push(n) : unknown.push(n))));
    return { ran: ran.sort(), unknown };
  }

  /** Facts, classes or agents changed: definitions' filters and policies are looked at again. */
  refresh(): void {
    this.#bus?.refresh();
  }

  /** Stop every run and watcher and, with `farewell` (the default; not when the bus is down), remove this node's values. */
  async stop({ farewell = true }: { farewell?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#local.close();
    this.#bus?.stop();
    if (this.#ownScheduler) await this.#scheduler.stop();
    else for (const name of this.#current.keys()) this.#scheduler.remove(name);
    if (farewell) await this.#store.deleteAll();
  }

  #apply(): void {
    if (this.#stopped) return;
    const wanted = new Map<string, MineFunction>();
    for (const f of this.#localFunctions) wanted.set(f.name, f);
    for (const f of this.#bus?.functions() ?? []) {
      const local = wanted.get(f.name);
      if (local) this.#o.log.warn(`mine: fleet-wide definition '${f.name}' from ${f.definedBy ?? 'the bus'} is ignored here: ${local.source} declares that name`);
      else wanted.set(f.name, f);
    }
    for (const name of [...this.#current.keys()]) {
      if (wanted.has(name)) continue;
      this.#current.delete(name);
      this.#scheduler.remove(name);
      void this.#store.delete(name);
      this.#o.log.info(`mine: '${name}' removed`);
    }
    for (const [name, f] of wanted) {
      const before = this.#current.get(name);
      if (before && JSON.stringify(before) === JSON.stringify(f)) continue;
      this.#current.set(name, f);
      this.#scheduler.set(this.#job(f));
      const what = f.kind === 'command' ? `command ${f.command?.[0] ?? ''}` : `${f.agent ?? ''}#${f.action ?? ''}`;
      this.#o.log.info(`mine: '${name}' ${before ? 'changed' : 'added'}: ${what} every ${formatMineDuration(f.intervalMs)} (${f.definedBy ? `bus ${f.definedBy}` : f.source})`);
    }
  }

  #job(fn: MineFunction): ScheduledJob {
    const timeoutMs = fn.timeoutMs ?? (fn.kind === 'command' ? Math.min(fn.intervalMs, defaultCommandTimeoutMs) : fn.intervalMs);
    return { name: fn.name, intervalMs: fn.intervalMs, timeoutMs, splay: fn.splay, run: (signal) => this.#run(fn, signal) };
  }

  async #run(fn: MineFunction, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    let outcome: RunOutcome;
    try {
      outcome =
        fn.kind === 'command'
          ? await runCommand(fn.command ?? [], fn.maxOutputBytes, signal)
          : await runAction(fn, { agents: this.#o.agents, node: this.#o.node, view: this.#o.view, policies: this.#o.security.policies, collective: this.#o.collectives[0] ?? '' }, signal);
    } catch (err) {
      outcome = { statuscode: 5, statusmsg: `Unknown error: ${errorMessage(err)}` };
    }
    // Removed or replaced while running: the value would describe something no longer defined.
    if (this.#stopped || this.#current.get(fn.name) !== fn) return;
    const time = Date.now();
    const value: MineValue = {
      function: fn.name,
      identity: this.#o.identity,
      time,
      interval: fn.intervalMs / 1000,
      duration_ms: time - started,
      statuscode: outcome.statuscode,
      statusmsg: outcome.statusmsg,
      source: fn.definedBy ? `bus ${fn.definedBy}` : fn.source,
      ...(outcome.data !== undefined ? { data: outcome.data } : {}),
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    };
    await this.#store.put(value);
  }
}

/**
 * The daemon's mine, or undefined (logged) when it cannot run: values must
 * be signed, so it needs security.node_key, and a bus with JetStream.
 */
export function createMine(options: MineOptions): Mine | undefined {
  const { security, bus, log } = options;
  const declared = Object.keys(options.settings.mine).length > 0 || options.settings.mine_dir !== null;
  if (security.signer === undefined) {
    const say = declared ? log.error.bind(log) : log.debug.bind(log);
    say('mine: off: every mined value is signed by the node, and security.node_key is not set');
    return undefined;
  }
  if (bus.openBucket === undefined) {
    log.warn('mine: off: the bus has no key-value store');
    return undefined;
  }
  const store = new MineStore({ identity: options.identity, collectives: options.collectives, openBucket: bus.openBucket, signer: security.signer, log });
  return new Mine(options, store);
}
