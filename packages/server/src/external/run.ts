import { runProcess, type ProcessRun } from '@cohort/agents';

/** How an external agent process ended (`killed`: it needed SIGKILL after SIGTERM and the grace period). */
export type ExternalRun = ProcessRun;

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
  return runProcess(file, args, { ...options, graceMs: options.graceMs ?? 1000, maxOutputBytes: options.maxOutputBytes ?? 16 * 1024 });
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
