import { childProcess } from '@cohort/core';
import { AgentError } from '../errors.js';

/** How a command ended: its exit code (null when killed) and its output. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCommandOptions {
  /** Kill the command after this many milliseconds. */
  readonly timeoutMs: number;
  /** Stop the command when the action is aborted. */
  readonly signal?: AbortSignal;
  /** Names the config setting that chooses the command, for the "not found" message. */
  readonly setting: string;
  /** Written to the command's standard input (which is closed either way). */
  readonly input?: string;
}

/**
 * Run a command directly with execFile (never through a shell) and resolve
 * to how it ended, whatever its exit code: callers read the output to say
 * what went wrong. Rejects with AgentError (status 1) only when the command
 * could not run at all (missing, timed out, aborted).
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const settings = { timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024, ...(options.signal ? { signal: options.signal } : {}) };
    const child = childProcess().execFile(command, [...args], settings, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const failure = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string | null };
      if (failure.code === 'ENOENT') {
        return reject(new AgentError(`the command '${command}' was not found; install it or set ${options.setting}`, 1, { cause: err }));
      }
      if (options.signal?.aborted || failure.name === 'AbortError') {
        return reject(new AgentError(`${command} ${args[0] ?? ''} was stopped: the action was aborted`, 1, { cause: err }));
      }
      if (failure.killed) {
        return reject(new AgentError(`${command} ${args[0] ?? ''} did not finish within ${options.timeoutMs / 1000} s and was killed`, 1, { cause: err }));
      }
      if (typeof failure.code === 'number') return resolve({ code: failure.code, stdout, stderr });
      reject(new AgentError(`could not run ${command}: ${err.message}`, 1, { cause: err }));
    });
    // A command that exits without reading its input must not crash us with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** The first non-empty line of some output, trimmed ("" when there is none). */
export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}
