import { readFileSync } from 'node:fs';
import { childProcess, errorMessage, type TemplateSettings } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { Render } from './render.js';
import { writeAtomic } from './write.js';

/** Counters of one template (in rpcutil daemon_stats, `templates`). */
// A type (not an interface) so it is assignable to the plain counter records of daemon_stats.
export type TemplateCounters = {
  /** Renders attempted. */
  renders: number;
  /** Renders that failed (bad template, missing value): the last good file was kept. */
  render_errors: number;
  /** Times the destination's content changed. */
  writes: number;
  /** Writes that failed (the old file stays). */
  write_errors: number;
  /** Command runs (one per content change). */
  commands: number;
  /** Command runs that exited non-zero, timed out or could not start. */
  command_failures: number;
};

/** Timers, passed in so tests can drive the debounce with a fake clock. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A template renders at the latest this many debounces after the first change it has not rendered. */
export const maxWaitFactor = 4;

/** Runs a command (argv, no shell); rejects on failure with the reason. */
export type RunCommand = (argv: readonly string[], timeoutMs: number) => Promise<void>;

export const runCommand: RunCommand = (argv, timeoutMs) =>
  new Promise((resolve, reject) => {
    childProcess().execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 1024 * 1024, shell: false }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
      const why = e.killed ? `timed out after ${timeoutMs / 1000} s` : typeof e.code === 'number' ? `exited ${e.code}` : errorMessage(err);
      const tail = String(stderr).trim().slice(-500);
      reject(new Error(`${why}${tail ? `: ${tail}` : ''}`));
    });
  });

export interface TemplateRunnerOptions {
  readonly templates: readonly TemplateSettings[];
  readonly render: Render;
  /** The data for a render, built when the render happens. */
  readonly data: () => object;
  readonly log: Logger;
  readonly timers?: Timers;
  readonly run?: RunCommand;
  /** Read a template file (default: from disk, at each render, so an edited template is used at the next change). */
  readonly readSource?: (path: string) => string;
  readonly write?: (path: string, content: string) => boolean;
}

interface Slot {
  readonly t: TemplateSettings;
  readonly counters: TemplateCounters;
  timer: unknown;
  /** When the first change not yet rendered arrived (undefined: none pending). */
  pendingSince: number | undefined;
  /** The render in progress (renders of one template never overlap). */
  running: Promise<void>;
  /** A change arrived while rendering: render again when done. */
  again: boolean;
  busy: boolean;
}

/**
 * Renders templates when their inputs change: each change restarts the
 * template's debounce; when it expires the template is rendered from the data
 * of that moment, written atomically when its content differs, and its
 * command run once. A failed render keeps the last good file.
 */
export class TemplateRunner {
  readonly #slots: Slot[];
  readonly #o: TemplateRunnerOptions;
  readonly #timers: Timers;
  #stopped = false;

  constructor(options: TemplateRunnerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#slots = options.templates.map((t) => ({
      t,
      counters: { renders: 0, render_errors: 0, writes: 0, write_errors: 0, commands: 0, command_failures: 0 },
      timer: undefined,
      pendingSince: undefined,
      running: Promise.resolve(),
      again: false,
      busy: false,
    }));
  }

  /**
   * Something the templates read changed: render each once its inputs have
   * been quiet for its debounce, but no later than four debounces after the
   * first unrendered change (a steady stream of changes must not starve it).
   */
  changed(): void {
    if (this.#stopped) return;
    const now = this.#timers.now();
    for (const slot of this.#slots) {
      if (slot.timer !== undefined) this.#timers.clear(slot.timer);
      slot.pendingSince ??= now;
      const latest = slot.pendingSince + maxWaitFactor * slot.t.debounceMs;
      slot.timer = this.#timers.set(() => {
        slot.timer = undefined;
        slot.pendingSince = undefined;
        this.#start(slot);
      }, Math.max(0, Math.min(slot.t.debounceMs, latest - now)));
    }
  }

  /** Render every template now (at start, once the data is loaded); resolves when done. */
  async renderAll(): Promise<void> {
    for (const slot of this.#slots) this.#start(slot);
    await this.idle();
  }

  /** Resolves when no render is running. */
  async idle(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.running));
  }

  counters(): Record<string, TemplateCounters> {
    return Object.fromEntries(this.#slots.map((s) => [s.t.name, { ...s.counters }]));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const slot of this.#slots) if (slot.timer !== undefined) this.#timers.clear(slot.timer);
    await this.idle();
  }

  #start(slot: Slot): void {
    if (this.#stopped) return;
    if (slot.busy) {
      slot.again = true;
      return;
    }
    slot.busy = true;
    slot.running = (async () => {
      do {
        slot.again = false;
        await this.#render(slot);
      } while (slot.again && !this.#stopped);
      slot.busy = false;
    })();
  }

  async #render(slot: Slot): Promise<void> {
    const { t, counters } = slot;
    const log = this.#o.log;
    counters.renders++;
    let text: string;
    try {
      const source = (this.#o.readSource ?? ((p: string) => readFileSync(p, 'utf8')))(t.source);
      text = this.#o.render(source, this.#o.data(), t.source);
    } catch (err) {
      counters.render_errors++;
      log.error(`template ${t.name}: rendering ${t.source} failed: ${oneLine(errorMessage(err))}; keeping the last good ${t.destination}`, { template: t.name });
      return;
    }
    let changed: boolean;
    try {
      changed = (this.#o.write ?? writeAtomic)(t.destination, text);
    } catch (err) {
      counters.write_errors++;
      log.error(`template ${t.name}: writing ${t.destination} failed: ${errorMessage(err)}; the old file stays`, { template: t.name });
      return;
    }
    if (!changed) {
      log.debug(`template ${t.name}: ${t.destination} unchanged`);
      return;
    }
    counters.writes++;
    log.info(`template ${t.name}: wrote ${t.destination}`, { template: t.name });
    if (t.command.length === 0) return;
    counters.commands++;
    try {
      await (this.#o.run ?? runCommand)(t.command, t.commandTimeoutMs);
      log.info(`template ${t.name}: ran ${t.command.join(' ')}`, { template: t.name });
    } catch (err) {
      counters.command_failures++;
      log.error(`template ${t.name}: command ${t.command.join(' ')} failed: ${errorMessage(err)}`, { template: t.name });
    }
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
