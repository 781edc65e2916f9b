import { childProcess, errorMessage, Status } from '@cohort/core';
import type { RunOutcome } from './outcome.js';

/** How much of stderr is kept for the status message of a failed command. */
const stderrKeep = 512;

/**
 * Run a command (argv, no shell) and keep its standard output as text. The
 * child is killed when `signal` fires (timeout) or its output passes
 * `maxBytes`; either is a failed value with a message saying so and no
 * output. A non-zero exit is status 1 with the stderr tail, output kept.
 */
export function runCommand(argv: readonly string[], maxBytes: number, signal: AbortSignal): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (file === undefined) return resolve({ statuscode: Status.InvalidData, statusmsg: 'empty command' });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let ended: RunOutcome | undefined;
    const child = childProcess().spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const kill = (why: RunOutcome): void => {
      ended ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    const onAbort = (): void => {
      const reason: unknown = signal.reason;
      kill({ statuscode: Status.Aborted, statusmsg: reason instanceof Error ? reason.message : 'command aborted' });
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (ended) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        chunks.length = 0;
        kill({ statuscode: Status.UnknownError, statusmsg: `output exceeded max_output (${maxBytes} bytes): not kept; raise max_output for this function or make the command print less` });
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-stderrKeep);
    });
    child.on('error', (err) => {
      ended ??= { statuscode: Status.UnknownError, statusmsg: `cannot run ${file}: ${errorMessage(err)}` };
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (ended) return resolve(ended);
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) return resolve({ statuscode: Status.OK, statusmsg: 'OK', output });
      const why = code === null ? `was killed by ${sig ?? 'a signal'}` : `exited with code ${code}`;
      const tail = stderr.trim();
      resolve({ statuscode: Status.Aborted, statusmsg: `${file} ${why}${tail ? `: ${tail}` : ''}`, output });
    });
  });
}
