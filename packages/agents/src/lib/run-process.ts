import { childProcess } from '@cohort/core';

/** How a process run by runProcess ended. */
export interface ProcessRun {
  /** Exit code; null when killed by a signal, stopped without waiting for its exit, or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Stopped because its deadline (`timeoutMs`) passed. */
  readonly timedOut: boolean;
  /** Stopped because the caller's AbortSignal fired (action timeout, shutdown). */
  readonly aborted: boolean;
  /** Needed SIGKILL after SIGTERM and the grace period (only with `graceMs`). */
  readonly killed: boolean;
  /** The process could not be started (ENOENT, EACCES, ENOEXEC, ...). */
  readonly error: NodeJS.ErrnoException | undefined;
  /** The first `maxOutputBytes` of each stream; `truncated` when there was more (read and dropped). */
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
}

export interface RunProcessOptions {
  readonly timeoutMs: number;
  /** Stop the process when this fires (action timeout, daemon shutdown). */
  readonly signal?: AbortSignal | undefined;
  /** The working directory (default: the daemon's). */
  readonly cwd?: string;
  /** The complete environment (nothing of the daemon's is added); default: the daemon's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Bytes of stdout and of stderr kept each (default 64 KiB). */
  readonly maxOutputBytes?: number;
  /**
   * When set, a stopped process group gets SIGTERM, then SIGKILL after
   * `graceMs`, and the run resolves once the process has exited. Unset, the
   * group gets SIGKILL at once and the run resolves straight away.
   */
  readonly graceMs?: number;
}

/** Time to let the pipes drain after the process exited (a background child may hold them). */
const drainMs = 200;

/**
 * Run `file args...` (no shell, no stdin) as the leader of its own process
 * group, collecting stdout and stderr up to `maxOutputBytes` each. When
 * `timeoutMs` passes or `signal` fires the whole group (the process and
 * anything it started) is stopped: SIGKILL at once, or SIGTERM and SIGKILL
 * after `graceMs`; whatever is left of the group once the process is done
 * gets SIGKILL. Never rejects.
 */
export function runProcess(file: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessRun> {
  const max = options.maxOutputBytes ?? 64 * 1024;
  const graceMs = options.graceMs;
  return new Promise((resolve) => {
    const out = capped(max);
    const err = capped(max);
    let timedOut = false;
    let aborted = false;
    let killed = false;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drain: NodeJS.Timeout | undefined;
    let end: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    // detached: the process leads a new process group, so stopping it stops everything it started.
    const child = childProcess().spawn(file, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: { ...options.env } } : {}),
    });

    const signalGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is gone
      }
    };
    const finish = (error?: NodeJS.ErrnoException): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      clearTimeout(drain);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      // Anything the process left running in its group goes too.
      if (timedOut || aborted) signalGroup('SIGKILL');
      resolve({
        code: end?.code ?? null,
        signal: end?.signal ?? null,
        timedOut,
        aborted,
        killed,
        error,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated() || err.truncated(),
      });
    };
    const stop = (why: 'timeout' | 'abort'): void => {
      if (done || timedOut || aborted) return;
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      if (graceMs === undefined) {
        finish();
        return;
      }
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        signalGroup('SIGKILL');
      }, graceMs);
    };
    const onAbort = (): void => stop('abort');
    const deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
    if (options.signal?.aborted) queueMicrotask(onAbort);
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    child.on('error', (e: NodeJS.ErrnoException) => finish(e));
    // After 'exit' the pipes get a moment to drain; a background child holding them must not keep the call open.
    child.on('exit', (code, signal) => {
      end = { code, signal };
      drain = setTimeout(() => finish(), drainMs);
    });
    child.on('close', () => finish());
  });
}

/** The first `max` bytes of a stream; the rest is counted and dropped. */
function capped(max: number): { add: (chunk: Buffer) => void; text: () => string; truncated: () => boolean } {
  const kept: Buffer[] = [];
  let bytes = 0;
  return {
    add: (chunk) => {
      if (bytes < max) kept.push(chunk.subarray(0, max - bytes));
      bytes += chunk.length;
    },
    text: () => Buffer.concat(kept).toString('utf8'),
    truncated: () => bytes > max,
  };
}
