import { applyPlan, scanDir } from './dir.js';
import { isEmptyPlan, planSync } from './plan.js';
import { runCommand, type CommandResult } from './reload.js';
import { renderHosts, type HostSource, type HostsRenderOptions, type Skipped } from './render.js';

/**
 * Keeping a directory of Nagios host definitions equal to the registry: each
 * sync renders every host, diffs against the directory, writes what changed
 * (atomically), deletes our files of nodes that left, and runs the reload
 * command when anything changed. Changes are debounced: a burst of
 * registrations gives one sync and one reload.
 */

export interface HostsSyncOptions {
  dir: string;
  render: HostsRenderOptions;
  /** argv of the command run after each change (no shell). */
  reload?: readonly string[] | undefined;
  reloadTimeoutMs?: number;
  /** Quiet time after a change before syncing. */
  debounceMs: number;
  /** A sync happens at the latest this long after the first change of a burst (default 10 × debounce, at least 5 s). */
  maxWaitMs?: number;
  /** One line per event worth telling (syncs that changed something, reload results, skipped nodes). */
  log: (line: string) => void;
  /**
   * A reason not to touch the directory now (e.g. the registry has records
   * but none verified: a trust misconfiguration must not empty Nagios), or
   * undefined. A held sync is logged and reported, and retried on the next change.
   */
  hold?: () => string | undefined;
}

export interface SyncReport {
  hosts: number;
  written: string[];
  removed: string[];
  blocked: string[];
  skipped: Skipped[];
  /** The reload command's result, when it ran. */
  reload?: CommandResult;
  /** Why nothing was done (see HostsSyncOptions.hold). */
  held?: string;
}

export class HostsSync {
  readonly #options: HostsSyncOptions;
  readonly #nodes: () => HostSource[];
  #lastDesired: Map<string, string> | undefined;
  #lastSkipped = '';
  #lastHeld: string | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #burstStart = 0;
  #stopped = false;
  /** Syncs that changed the directory, reloads run and reloads that failed. */
  readonly counts = { changes: 0, reloads: 0, reloadFailures: 0, errors: 0 };

  /** `nodes` gives the hosts to write now (verified, live records). */
  constructor(options: HostsSyncOptions, nodes: () => HostSource[]) {
    this.#options = options;
    this.#nodes = nodes;
  }

  /**
   * Sync now (after any sync in progress). Without `force`, nothing is read
   * from disk when the rendered files equal the last ones written.
   */
  sync(force = false): Promise<SyncReport | undefined> {
    const run = this.#chain.then(() => this.#syncOnce(force));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** A registry change: sync after the debounce. */
  trigger(): void {
    if (this.#stopped) return;
    const now = Date.now();
    const maxWait = this.#options.maxWaitMs ?? Math.max(5000, this.#options.debounceMs * 10);
    if (this.#timer === undefined) this.#burstStart = now;
    else clearTimeout(this.#timer);
    const delay = Math.max(0, Math.min(this.#options.debounceMs, this.#burstStart + maxWait - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.sync().catch((err: unknown) => {
        this.counts.errors++;
        this.#options.log(`sync failed (retried on the next change): ${err instanceof Error ? err.message : String(err)}`);
      });
    }, delay);
  }

  /** A periodic look for records gone stale: syncs (cheaply, nothing is read from disk unless hosts changed) unless a change is already waiting for its debounce. */
  recheck(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.sync().catch((err: unknown) => {
      this.counts.errors++;
      this.#options.log(`sync failed (retried on the next change): ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Stop: no more syncs start; resolves once the one in progress ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }

  async #syncOnce(force: boolean): Promise<SyncReport | undefined> {
    if (this.#stopped && !force) return undefined;
    const { dir, render } = this.#options;
    const held = this.#options.hold?.();
    if (held !== undefined) {
      if (held !== this.#lastHeld) this.#options.log(`directory left as it is: ${held}`);
      this.#lastHeld = held;
      this.#lastDesired = undefined;
      return { hosts: 0, written: [], removed: [], blocked: [], skipped: [], held };
    }
    this.#lastHeld = undefined;
    const rendered = renderHosts(this.#nodes(), render);
    const skippedText = rendered.skipped.map((s) => `${s.identity}: ${s.reason}`).join('\n');
    if (skippedText !== this.#lastSkipped) {
      for (const s of rendered.skipped) this.#options.log(`left out: node ${s.identity}: ${s.reason}`);
      this.#lastSkipped = skippedText;
    }
    if (!force && this.#lastDesired !== undefined && sameFiles(this.#lastDesired, rendered.files)) return undefined;
    const plan = planSync(rendered.files, scanDir(dir), render.collective);
    for (const name of plan.blocked) this.#options.log(`not writing ${name}: a file of that name exists that this tool did not write (for collective ${render.collective}); move it away`);
    applyPlan(dir, plan);
    this.#lastDesired = rendered.files;
    const report: SyncReport = { hosts: rendered.hosts.length, written: [...plan.write.keys()].sort(), removed: plan.remove, blocked: plan.blocked, skipped: rendered.skipped };
    if (isEmptyPlan(plan)) return report;
    this.counts.changes++;
    this.#options.log(`${rendered.hosts.length} host(s): wrote ${describe(report.written)}, removed ${describe(report.removed)}`);
    const argv = this.#options.reload;
    if (argv !== undefined) {
      const result = await runCommand(argv, this.#options.reloadTimeoutMs ?? 60_000);
      this.counts.reloads++;
      if (!result.ok) this.counts.reloadFailures++;
      this.#options.log(`reload command ${result.ok ? 'ran' : 'FAILED'}: ${result.summary}`);
      report.reload = result;
    }
    return report;
  }
}

function describe(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return names.length <= 5 ? names.join(' ') : `${names.slice(0, 5).join(' ')} and ${names.length - 5} more`;
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
