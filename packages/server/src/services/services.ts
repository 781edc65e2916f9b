import { formatMineDuration, type CheckStateRecord, type ServiceEntry, type ServiceHealth } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { LocalSources, type LocalSettings } from '../local-sources.js';
import type { Scheduler, ScheduledJob } from '../schedule/index.js';
import { healthSource, maxServices, servicesLocalKind, type ServiceDefinition } from './definitions.js';
import { healthOfCheck, probeHttp, probeTcp, type HealthResult } from './health.js';

/** The local settings of services: the `services:` section and the drop-in directory. */
export interface LocalServiceSettings {
  readonly services: Readonly<Record<string, unknown>>;
  readonly services_dir: string | null;
}

/** A built-in probe (replaceable in unit tests). */
export type Probe = (def: ServiceDefinition, signal: AbortSignal) => Promise<HealthResult>;

export const runProbe: Probe = (def, signal) => {
  const h = def.health;
  if (h.kind === 'tcp') return probeTcp(h.host, h.port, h.timeoutMs, signal);
  if (h.kind === 'http') return probeHttp(h.url, h.timeoutMs, signal);
  return Promise.resolve({ health: 'passing', output: '' });
};

export interface ServicesOptions {
  readonly configFile: string | undefined;
  readonly settings: LocalServiceSettings;
  /** The node's scheduler (shared with the mine and the checks); probe jobs are named `service:<name>`. */
  readonly scheduler: Scheduler;
  /** A node-side check's record by name (undefined while checks are off or there is no such check). */
  readonly checkRecord: (name: string) => CheckStateRecord | undefined;
  readonly log: Logger;
  /** The list of services or a health changed: republish the registry record. */
  readonly onChange: () => void;
  readonly probe?: Probe;
  readonly clock?: () => number;
  readonly watch?: typeof import('node:fs').watch;
}

interface Current {
  def: ServiceDefinition;
  health: ServiceHealth;
  output: string;
  since: number;
}

const jobPrefix = 'service:';

/**
 * The services this node offers (docs/service-discovery.md): declared in
 * the config file and a drop-in directory (re-read live), each with a health
 * from a node-side check, a TCP/HTTP probe on the node's scheduler, or none
 * (passing). entries() is what the registry record carries; onChange fires
 * when the list or any health changes, so the record is republished at once
 * rather than at the next heartbeat. A changed output alone waits for the
 * heartbeat.
 */
export class Services {
  readonly #o: ServicesOptions;
  readonly #clock: () => number;
  readonly #probe: Probe;
  readonly #local: LocalSources<ServiceDefinition>;
  readonly #current = new Map<string, Current>();
  #stopped = false;

  constructor(options: ServicesOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    this.#probe = options.probe ?? runProbe;
    const settings: LocalSettings = { inline: options.settings.services, dir: options.settings.services_dir };
    this.#local = new LocalSources({
      kind: servicesLocalKind,
      configFile: options.configFile,
      settings,
      log: options.log,
      onChange: (defs) => this.#apply(defs),
      ...(options.watch ? { watch: options.watch } : {}),
    });
  }

  /** Read the services and probe each once (bounded by the probes' timeouts), so the first record carries known healths. */
  async start(): Promise<void> {
    await this.#apply(this.#local.start(), false);
  }

  /** What the registry record carries, sorted by name. */
  entries(): ServiceEntry[] {
    return [...this.#current.values()]
      .sort((a, b) => (a.def.name < b.def.name ? -1 : a.def.name > b.def.name ? 1 : 0))
      .map((c) => {
        const e: ServiceEntry = { name: c.def.name, port: c.def.port, tags: [...c.def.tags], health: c.health, health_source: healthSource(c.def.health), since: c.since };
        if (c.output !== '') e.output = c.output;
        return e;
      });
  }

  /** Node-side check states changed: services whose health is a check look again. */
  checksChanged(): void {
    if (this.#stopped) return;
    let changed = false;
    for (const c of this.#current.values()) {
      if (c.def.health.kind !== 'check') continue;
      changed = this.#set(c, healthOfCheck(c.def.health.check, this.#o.checkRecord(c.def.health.check))) || changed;
    }
    if (changed) this.#o.onChange();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#local.close();
    for (const name of this.#current.keys()) this.#o.scheduler.remove(jobPrefix + name);
  }

  async #apply(declared: ServiceDefinition[], notify = true): Promise<void> {
    if (this.#stopped) return;
    let defs = declared;
    if (defs.length > maxServices) {
      this.#o.log.error(`services: ${defs.length} declared, at most ${maxServices} are published; ${defs.slice(maxServices).map((d) => d.name).join(', ')} left out`);
      defs = defs.slice(0, maxServices);
    }
    const wanted = new Map(defs.map((d) => [d.name, d]));
    let changed = false;
    for (const name of [...this.#current.keys()]) {
      if (wanted.has(name)) continue;
      this.#current.delete(name);
      this.#o.scheduler.remove(jobPrefix + name);
      this.#o.log.info(`services: '${name}' removed`);
      changed = true;
    }
    const probes: string[] = [];
    for (const [name, d] of wanted) {
      const before = this.#current.get(name);
      if (before && JSON.stringify(before.def) === JSON.stringify(d)) continue;
      changed = true;
      const sameHealth = before !== undefined && JSON.stringify(before.def.health) === JSON.stringify(d.health);
      const c: Current = sameHealth ? { ...before, def: d } : { def: d, health: 'unknown', output: 'not probed yet', since: this.#clock() };
      this.#current.set(name, c);
      if (d.health.kind === 'none') this.#set(c, { health: 'passing', output: '' });
      else if (d.health.kind === 'check') this.#set(c, healthOfCheck(d.health.check, this.#o.checkRecord(d.health.check)));
      if (d.health.kind === 'tcp' || d.health.kind === 'http') {
        this.#o.scheduler.set(this.#job(d));
        if (!sameHealth) probes.push(name);
      } else {
        this.#o.scheduler.remove(jobPrefix + name);
      }
      const interval = d.health.kind === 'tcp' || d.health.kind === 'http' ? ` every ${formatMineDuration(d.health.intervalMs)}` : '';
      this.#o.log.info(`services: '${name}' ${before ? 'changed' : 'added'}: port ${d.port}${d.tags.length ? `, tags ${d.tags.join(',')}` : ''}, health ${healthSource(d.health)}${interval} (${d.source})`);
    }
    // A new probe runs at once; its first result is in the record published below.
    await Promise.all(probes.map((name) => this.#o.scheduler.runNow(jobPrefix + name)));
    if (changed && notify && !this.#stopped) this.#o.onChange();
  }

  #job(d: ServiceDefinition): ScheduledJob {
    const h = d.health as Extract<ServiceDefinition['health'], { intervalMs: number }>;
    // The probe enforces its own timeout (and says so in the output); the scheduler's is a backstop a second later.
    return { name: jobPrefix + d.name, intervalMs: h.intervalMs, timeoutMs: h.timeoutMs + 1000, splay: false, run: (signal) => this.#run(d, signal) };
  }

  async #run(d: ServiceDefinition, signal: AbortSignal): Promise<void> {
    const result = await this.#probe(d, signal);
    const c = this.#current.get(d.name);
    // Removed or replaced while probing: the result describes something no longer declared.
    if (this.#stopped || c === undefined || c.def !== d) return;
    if (this.#set(c, result)) this.#o.onChange();
  }

  /** Record a result; true when the health changed (the record must be republished). */
  #set(c: Current, r: HealthResult): boolean {
    c.output = r.output;
    if (c.health === r.health) return false;
    const previous = c.health;
    c.health = r.health;
    c.since = this.#clock();
    this.#o.log.info(`services: '${c.def.name}' ${previous} -> ${r.health}${r.output ? `: ${r.output}` : ''}`);
    return true;
  }
}
