import { spawn } from 'node:child_process';

/** How an external agent process ended. */
export interface ExternalRun {
  /** Exit code; null when killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Stopped because its deadline passed. */
  readonly timedOut: boolean;
  /** Stopped because the caller's AbortSignal fired (action timeout, shutdown). */
  readonly aborted: boolean;
  /** Needed SIGKILL after SIGTERM and the grace period. */
  readonly killed: boolean;
  /** The process could not be started (ENOENT, EACCES, ENOEXEC, ...). */
  readonly error: NodeJS.ErrnoException | undefined;
  /** The first `maxOutputBytes` of each stream; `truncated` when there was more. */
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
}

/** Time to let the pipes drain after the process exited. */
const drainMs = 200;

export interface RunOptions {
  readonly cwd: string;
  /** The complete environment (nothing of the daemon's is added). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL of the process group (default 1 s). */
  readonly graceMs?: number;
  /** Bytes of stdout and of stderr kept (default 16 KiB each). */
  readonly maxOutputBytes?: number;
}

/**
 * Run `file args...` (no shell, no stdin) in its own process group with `cwd`
 * and exactly `env`. When the deadline passes or `signal` fires the group gets
 * SIGTERM, then SIGKILL after the grace period; resolves once the process has
 * exited (so its files can be removed). Never rejects.
 */
export function runExternal(file: string, args: readonly string[], options: RunOptions): Promise<ExternalRun> {
  const max = options.maxOutputBytes ?? 16 * 1024;
  const graceMs = options.graceMs ?? 1000;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let aborted = false;
    let killed = false;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    // detached: the agent leads a new process group, so stopping it stops everything it started.
    const child = spawn(file, args, { cwd: options.cwd, env: { ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

    const signalGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is gone
      }
    };
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: NodeJS.ErrnoException): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Anything the agent left running in its group goes too.
      if (timedOut || aborted) signalGroup('SIGKILL');
      resolve({
        code,
        signal,
        timedOut,
        aborted,
        killed,
        error,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        truncated: outBytes > max || errBytes > max,
      });
    };
    const stop = (why: 'timeout' | 'abort'): void => {
      if (done || timedOut || aborted) return;
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        signalGroup('SIGKILL');
      }, graceMs);
    };
    const onAbort = (): void => stop('abort');
    deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
    if (options.signal?.aborted) queueMicrotask(onAbort);
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < max) out.push(chunk.subarray(0, max - outBytes));
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < max) err.push(chunk.subarray(0, max - errBytes));
      errBytes += chunk.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => finish(null, null, e));
    // After 'exit' the pipes get a moment to drain; a background child holding them must not keep the call open.
    let end: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let drain: NodeJS.Timeout | undefined;
    const ended = (): void => {
      clearTimeout(drain);
      child.stdout.destroy();
      child.stderr.destroy();
      finish(end?.code ?? null, end?.signal ?? null);
    };
    child.on('exit', (code, signal) => {
      end = { code, signal };
      drain = setTimeout(ended, drainMs);
    });
    child.on('close', ended);
  });
}

/** Say how a run ended, for error replies and logs ("exited with code 3", "was killed at its 2 s deadline (SIGTERM)"). */
export function describeEnd(run: ExternalRun, timeoutMs: number): string {
  if (run.error) return `could not be started: ${run.error.code ?? ''} ${run.error.message}`.replace(/\s+/g, ' ');
  if (run.timedOut || run.aborted) {
    const how = run.killed ? 'SIGTERM, then SIGKILL' : 'SIGTERM';
    return run.timedOut ? `did not finish within its ${timeoutMs / 1000} s deadline and was stopped (${how})` : `was stopped (${how}) because the action was aborted`;
  }
  if (run.signal) return `was killed by ${run.signal}`;
  return `exited with code ${run.code ?? 'unknown'}`;
}
