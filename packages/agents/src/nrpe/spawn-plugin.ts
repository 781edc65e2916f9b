import { runProcess, type ProcessRun } from '../lib/run-process.js';

/** How a plugin process ended (what the NRPE agent and check kinds read of a ProcessRun). */
export type PluginRun = Pick<ProcessRun, 'stdout' | 'stderr' | 'code' | 'signal' | 'timedOut' | 'aborted' | 'error'>;

export interface SpawnPluginOptions {
  timeoutMs: number;
  /** Kill the plugin when this fires (action timeout, daemon shutdown). */
  signal?: AbortSignal;
  /** Bytes of stdout/stderr kept each; the rest is read and dropped (default 64 KiB, NRPE's limit). */
  maxOutputBytes?: number;
}

/**
 * Run `argv` (no shell: argv[0] is executed directly) in its own process
 * group, collecting stdout and stderr. When `timeoutMs` passes or `signal`
 * fires, the whole group (the plugin and anything it started) gets SIGKILL
 * at once (runProcess without a grace period). Never rejects.
 */
export function spawnPlugin(argv: readonly string[], options: SpawnPluginOptions): Promise<PluginRun> {
  const [file = '', ...args] = argv;
  return runProcess(file, args, { timeoutMs: options.timeoutMs, signal: options.signal, maxOutputBytes: options.maxOutputBytes ?? 64 * 1024 });
}
