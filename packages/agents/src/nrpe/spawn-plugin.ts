import { spawn } from 'node:child_process';

/** How a plugin process ended. */
export interface PluginRun {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed (with its whole process group) because `timeoutMs` passed. */
  timedOut: boolean;
  /** Killed because the caller's AbortSignal fired. */
  aborted: boolean;
  /** The process could not be started (ENOENT, EACCES, ...). */
  error: NodeJS.ErrnoException | undefined;
}

export interface SpawnPluginOptions {
  timeoutMs: number;
  /** Kill the plugin when this fires (action timeout, daemon shutdown). */
  signal?: AbortSignal;
  /** Bytes of stdout/stderr kept each; the rest is read and dropped (default 64 KiB, NRPE's limit). */
  maxOutputBytes?: number;
}

/** Time to let the pipes drain after the plugin exited (a background child may hold them). */
const drainMs = 200;

/**
 * Run `argv` (no shell: argv[0] is executed directly) in its own process
 * group, collecting stdout and stderr. When `timeoutMs` passes or `signal`
 * fires, the whole group (the plugin and anything it started) gets SIGKILL.
 * Never rejects.
 */
export function spawnPlugin(argv: readonly string[], options: SpawnPluginOptions): Promise<PluginRun> {
  const [file = '', ...args] = argv;
  const max = options.maxOutputBytes ?? 64 * 1024;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let aborted = false;
    let done = false;
    let drain: NodeJS.Timeout | undefined;
    let end: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    // detached: the plugin leads a new process group, so a timeout can kill everything it started.
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const finish = (error?: NodeJS.ErrnoException): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drain);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: end?.code ?? null,
        signal: end?.signal ?? null,
        timedOut,
        aborted,
        error,
      });
    };
    const stop = (why: 'timeout' | 'abort'): void => {
      if (done) return;
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      killGroup();
      finish();
    };
    const onAbort = (): void => stop('abort');
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
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
    child.on('error', (e: NodeJS.ErrnoException) => finish(e));
    child.on('exit', (code, signal) => {
      end = { code, signal };
      drain = setTimeout(() => finish(), drainMs);
    });
    child.on('close', () => finish());
  });
}
