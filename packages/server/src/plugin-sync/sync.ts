import type { AgentLogger, NodeInfo } from '@cohort/agents';
import {
  AuditOutcome,
  errorMessage,
  keyId,
  openData,
  pluginManifestProblem,
  PluginKind,
  pluginPushPolicy,
  verifyData,
  verifyPack,
  type AuditRecord,
  type NodeView,
  type PackFile,
  type PluginManifest,
  type PluginRelease,
  type PolicyStore,
  type RegisteredPlugin,
  type RegisteredPluginError,
  type TrustStore,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { PluginsBus } from '../bus/plugins.js';
import type { BucketWatcher, WatchedEntry } from '../bus/mine-watch.js';
import type { AuditSink } from '../pipeline/audit.js';
import type { AgentRegistry, Retired } from '../registry.js';
import { debugLogger, loadInstalled } from './activate.js';
import { installFiles, prune, readInstalled, uninstall } from './install.js';
import { matchesFilter } from './filter.js';

export interface PluginSyncOptions {
  readonly identity: string;
  /** The collective whose manifests this node follows (its main one). */
  readonly collective: string;
  /** Where versions are installed. */
  readonly dir: string;
  /** Plugin names (globs) this node takes; null: all. */
  readonly filter: readonly string[] | null;
  readonly bus: PluginsBus;
  /** Trusted callers (the same store that verifies requests). */
  readonly trust: () => TrustStore;
  readonly policies: PolicyStore | undefined;
  readonly audit: AuditSink | undefined;
  readonly view: () => NodeView;
  readonly registry: AgentRegistry;
  readonly node: NodeInfo;
  readonly log: Logger;
  /** The hosted agents or the reported plugin states changed (resubscribe, republish the registry record). */
  readonly onChange: () => void;
  readonly clock?: () => number;
  /** Wait between attempts to take a rollout slot (ms). */
  readonly slotRetryMs?: number;
  /** How often refused manifests are looked at again (ms; default 60 s). */
  readonly retryMs?: number;
}

/** The largest pack a node fetches. */
const maxPackBytes = 17 * 1024 * 1024;

interface Active {
  version: string;
  digest: string;
  state: RegisteredPlugin['state'];
  since: number;
  claimed_at?: number;
  released_at?: number;
  dir: string | undefined;
}

function versionOf(value: unknown): string {
  const release = typeof value === 'object' && value !== null ? (value as { release?: unknown }).release : undefined;
  const v = typeof release === 'object' && release !== null ? (release as { version?: unknown }).version : undefined;
  return typeof v === 'string' ? v.slice(0, 64) : '';
}

class Refusal extends Error {
  constructor(
    readonly version: string,
    reason: string,
    readonly outcome: AuditOutcome = AuditOutcome.Refused,
  ) {
    super(reason);
  }
}

/**
 * Plugin sync (docs/plugins.md): follows the signed plugin manifests of the
 * node's collective and, for each plugin this node takes, (1) verifies the
 * manifest's signature against the trusted callers and asks actionpolicy
 * whether its author may `plugin#push` here, (2) waits for a rollout slot
 * when the manifest limits how many nodes update at once, (3) fetches the
 * pack (or reads back a kept copy), checks its size, digest and every
 * file's sha256 against the manifest, (4) installs it atomically and (5)
 * loads it with the plugin loader and swaps it into the agent registry
 * without a restart (requests already running finish on the old version).
 * Anything refused never runs: the node keeps what it ran, logs and audits
 * why, and reports it in its registry record (plugin_errors).
 */
export class PluginSync {
  readonly #o: PluginSyncOptions;
  readonly #clock: () => number;
  readonly #active = new Map<string, Active>();
  readonly #errors = new Map<string, RegisteredPluginError>();
  readonly #pending = new Map<string, Uint8Array | undefined>();
  /** The last manifest seen per name, looked at again while it stays refused (trust, policies or the bus may have changed). */
  readonly #last = new Map<string, Uint8Array | undefined>();
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  #watcher: BucketWatcher | undefined;
  #working: Promise<void> | undefined;
  #stopped = false;

  constructor(options: PluginSyncOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    const { bus, collective, log } = this.#o;
    try {
      this.#watcher = await bus.watchManifests(collective, (e) => this.#changed(e), (err) => log.warn(`plugins: ${errorMessage(err)}`));
      log.info(`plugins: following pushed plugins in collective ${collective}${this.#o.filter ? ` (only ${this.#o.filter.join(', ')})` : ''}; installing into ${this.#o.dir}`);
      this.#retryTimer = setInterval(() => this.refresh(), this.#o.retryMs ?? 60_000);
      this.#retryTimer.unref();
    } catch (err) {
      log.warn(`plugins: cannot follow pushed plugins in collective ${collective} (${errorMessage(err)}); none will be installed`);
    }
  }

  /** Look at every refused manifest again (facts, trust or policies may have changed; a fetch may have failed). */
  refresh(): void {
    for (const name of this.#errors.keys()) if (!this.#pending.has(name) && this.#last.has(name)) this.#changed({ key: name, value: this.#last.get(name) });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#retryTimer);
    this.#watcher?.stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#working;
  }

  /** What the registry record reports: each pushed plugin this node runs (or keeps disabled). */
  plugins(): RegisteredPlugin[] {
    return [...this.#active]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, a]) => ({
        name,
        version: a.version,
        state: a.state,
        digest: a.digest,
        since: a.since,
        ...(a.claimed_at !== undefined ? { claimed_at: a.claimed_at } : {}),
        ...(a.released_at !== undefined ? { released_at: a.released_at } : {}),
      }));
  }

  /** Pushed plugin versions this node refused, with the reasons. */
  errors(): RegisteredPluginError[] {
    return [...this.#errors.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Whether `name` is an agent this sync put into the registry. */
  owns(name: string): boolean {
    return this.#active.has(name);
  }

  #changed(e: WatchedEntry): void {
    if (this.#stopped) return;
    this.#last.set(e.key, e.value);
    this.#pending.set(e.key, e.value);
    this.#working ??= this.#drain().finally(() => (this.#working = undefined));
  }

  async #drain(): Promise<void> {
    while (!this.#stopped && this.#pending.size > 0) {
      const [name, bytes] = this.#pending.entries().next().value as [string, Uint8Array | undefined];
      this.#pending.delete(name);
      try {
        await this.#handle(name, bytes);
      } catch (err) {
        const version = err instanceof Refusal ? err.version : '';
        const outcome = err instanceof Refusal ? err.outcome : AuditOutcome.Refused;
        this.#refuse(name, version, errorMessage(err), outcome);
      }
    }
  }

  #refuse(name: string, version: string, reason: string, outcome: AuditOutcome, signer?: { subject: string; time: number; key: string }): void {
    const before = this.#errors.get(name);
    const error = { name, version, reason: reason.slice(0, 1024), time: this.#clock() };
    // Looked at again (refresh) with the same outcome: logged, audited and reported once.
    if (before?.reason === error.reason && before.version === error.version) return;
    const running = this.#active.get(name);
    this.#o.log.warn(`plugins: refusing ${name}${version ? ` ${version}` : ''}: ${reason}${running ? `; still running ${running.version}` : ''}`);
    this.#audit(name, version, outcome, reason, signer);
    this.#errors.set(name, error);
    this.#o.onChange();
  }

  #audit(name: string, version: string, outcome: AuditOutcome, reason: string, signer?: { subject: string; time: number; key: string }): void {
    const record: AuditRecord = {
      time: new Date(this.#clock()).toISOString(),
      request_id: `${PluginKind.Manifest}:${name}`,
      request_time: signer?.time ?? 0,
      callerid: signer?.subject ?? 'unknown',
      verified: signer !== undefined,
      sender: signer?.subject ?? 'unknown',
      collective: this.#o.collective,
      agent: pluginPushPolicy.agent,
      action: pluginPushPolicy.action,
      data: { name, version },
      outcome,
      reason: `plugin '${name}'${version ? ` ${version}` : ''}: ${reason}`,
    };
    if (signer) record.key = signer.key;
    this.#o.audit?.write(record);
  }

  async #handle(name: string, bytes: Uint8Array | undefined): Promise<void> {
    const { log } = this.#o;
    if (!matchesFilter(name, this.#o.filter)) {
      log.debug(`plugins: ${name} is not in plugin_sync_filter; not taken`);
      return;
    }
    if (bytes === undefined || bytes.byteLength === 0) {
      // Only a signed manifest (`cohort plugin rm` writes one with no release) removes a plugin.
      if (this.#active.has(name)) log.warn(`plugins: the manifest of ${name} was deleted without a signature; keeping ${this.#active.get(name)?.version} (cohort plugin rm writes a signed removal)`);
      return;
    }
    const now = this.#clock();
    let opened: ReturnType<typeof openData>;
    try {
      opened = openData(bytes);
    } catch (err) {
      throw new Refusal('', `malformed manifest: ${errorMessage(err)}`);
    }
    const verified = verifyData<PluginManifest>(opened, this.#o.trust(), { kind: PluginKind.Manifest, now, check: pluginManifestProblem });
    if (typeof verified === 'string') throw new Refusal(versionOf(opened.body.value), `manifest signed by ${opened.body.subject} refused: ${verified}`);
    const manifest = verified.value;
    const signer = { subject: verified.subject, time: verified.time, key: keyId(verified.signer.key) };
    const version = manifest.release?.version ?? '';
    const refuse = (reason: string, outcome: AuditOutcome = AuditOutcome.Refused): void => this.#refuse(name, version, reason, outcome, signer);
    if (manifest.name !== name) return refuse(`stored under '${name}' but names itself '${manifest.name}'`);
    let allowedBy = 'authorization is off (security.policy_dir is not set)';
    if (this.#o.policies) {
      const decision = this.#o.policies.decide(pluginPushPolicy.agent, pluginPushPolicy.action, verified.subject, this.#o.view(), now);
      if (!decision.allowed) return refuse(`${verified.subject} may not push plugins here: ${decision.reason}`, AuditOutcome.Denied);
      allowedBy = decision.reason;
    }
    const release = manifest.release;
    if (release === null) {
      await this.#remove(name);
      this.#audit(name, '', AuditOutcome.Allowed, `removed by ${verified.subject} (${allowedBy})`, signer);
      return;
    }
    const running = this.#active.get(name);
    if (running?.digest === release.digest) {
      if (this.#errors.delete(name)) this.#o.onChange();
      return;
    }
    if (!running && this.#o.registry.has(name)) return refuse(`an agent named '${name}' is already loaded (${this.#o.registry.get(name)?.source ?? 'builtin'}); a pushed plugin does not replace it`);
    let slot: { key: string; claimedAt: number } | undefined;
    if (manifest.rollout) {
      slot = await this.#claim(name, release.digest, manifest.rollout.batch);
      if (slot === undefined) return; // a newer manifest arrived (or stopping) while waiting
    }
    try {
      const files = await this.#files(name, release);
      await this.#activate(name, release, files, slot?.claimedAt);
      this.#errors.delete(name);
      this.#audit(name, version, AuditOutcome.Allowed, `installed ${release.meta.state} (${allowedBy})`, signer);
      log.info(`plugins: ${name} ${version} ${release.meta.state === 'disabled' ? 'installed, disabled' : 'active'} (pushed by ${verified.subject}, digest ${release.digest.slice(0, 16)})`);
      this.#o.onChange();
    } catch (err) {
      if (slot) await this.#release(name, slot.key, 0);
      throw new Refusal(version, errorMessage(err));
    }
    if (slot && manifest.rollout) void this.#release(name, slot.key, manifest.rollout.settle * 1000);
  }

  /** The verified files of a release: a kept copy on disk when there is one, else the pack from the bus. */
  async #files(name: string, release: PluginRelease): Promise<Array<PackFile & { data: Uint8Array }>> {
    const kept = await readInstalled(this.#o.dir, name, release.version, release.digest, release.files);
    if (kept) return kept;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.#o.bus.fetch(this.#o.collective, release.object, maxPackBytes);
    } catch (err) {
      throw new Error(`cannot fetch ${release.object}: ${errorMessage(err)}`);
    }
    if (bytes === undefined) throw new Error(`the pack ${release.object} is not in the plugins bucket`);
    return [...verifyPack(bytes, name, release).files];
  }

  async #activate(name: string, release: PluginRelease, files: ReadonlyArray<PackFile & { data: Uint8Array }>, claimedAt: number | undefined): Promise<void> {
    const { registry, log, node } = this.#o;
    const dir = await installFiles(this.#o.dir, name, release.version, release.digest, files);
    const state = release.meta.state;
    let retired: Retired | undefined;
    if (state === 'disabled') {
      retired = registry.remove(name);
    } else {
      const agentLog: AgentLogger = log.child({ ns: `agent:${name}` });
      let loaded: Awaited<ReturnType<typeof loadInstalled>>;
      try {
        loaded = await loadInstalled(dir, name, node, state === 'debug' ? debugLogger(agentLog) : agentLog);
      } catch (err) {
        await prune(this.#o.dir, name, new Set([this.#active.get(name)?.dir ?? '', this.#previousDir(name)].filter(Boolean)));
        throw err;
      }
      retired = registry.replace(loaded.agent, loaded.ddl, loaded.source, state === 'debug' ? debugLogger(agentLog) : agentLog).retired;
    }
    this.#retire(retired);
    const previous = this.#active.get(name);
    const now = this.#clock();
    this.#active.set(name, { version: release.version, digest: release.digest, state, since: now, dir, ...(claimedAt !== undefined ? { claimed_at: claimedAt } : {}) });
    this.#previous.set(name, previous?.dir);
    await prune(this.#o.dir, name, new Set([dir, previous?.dir ?? ''].filter(Boolean)));
  }

  readonly #previous = new Map<string, string | undefined>();

  #previousDir(name: string): string {
    return this.#previous.get(name) ?? '';
  }

  async #remove(name: string): Promise<void> {
    const had = this.#active.delete(name);
    const hadError = this.#errors.delete(name);
    this.#retire(had ? this.#o.registry.remove(name) : undefined);
    this.#previous.delete(name);
    await uninstall(this.#o.dir, name);
    if (had) this.#o.log.info(`plugins: ${name} removed`);
    if (had || hadError) this.#o.onChange();
  }

  /** Dispose of a version taken out of service once requests that were running on it are past their deadline. */
  #retire(retired: Retired | undefined): void {
    const dispose = retired?.dispose;
    if (!retired || !dispose) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      void Promise.resolve()
        .then(dispose)
        .catch((err: unknown) => this.#o.log.warn(`plugins: the retired version of ${retired.agent.name} did not shut down cleanly: ${errorMessage(err)}`));
    }, retired.agent.timeoutMs + 1000);
    t.unref();
    this.#timers.add(t);
  }

  /** Take one of `batch` rollout slots for this release, waiting until one is free; undefined when a newer manifest arrived meanwhile. */
  async #claim(name: string, digest: string, batch: number): Promise<{ key: string; claimedAt: number } | undefined> {
    const { bus, collective, identity, log } = this.#o;
    let waited = false;
    for (;;) {
      if (this.#stopped || this.#pending.has(name)) return undefined;
      for (let i = 0; i < batch; i++) {
        const key = `${name}.${digest.slice(0, 16)}.${i}`;
        if (await bus.claim(collective, key, identity)) {
          log.debug(`plugins: took rollout slot ${i + 1} of ${batch} for ${name}`);
          return { key, claimedAt: this.#clock() };
        }
      }
      if (!waited) log.info(`plugins: waiting for one of the ${batch} rollout slot(s) of ${name}`);
      waited = true;
      await new Promise((r) => setTimeout(r, (this.#o.slotRetryMs ?? 500) + Math.floor(Math.random() * 250)));
    }
  }

  async #release(name: string, key: string, afterMs: number): Promise<void> {
    if (afterMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          resolve();
        }, afterMs);
        this.#timers.add(t);
      });
    }
    try {
      await this.#o.bus.release(this.#o.collective, key);
    } catch (err) {
      this.#o.log.warn(`plugins: cannot give back rollout slot ${key} (${errorMessage(err)}); it expires by itself`);
    }
    const a = this.#active.get(name);
    if (a && a.claimed_at !== undefined) {
      a.released_at = this.#clock();
      this.#o.onChange();
    }
  }
}
