// Stopping a child a test started, and knowing it is gone: a process that is
// still flushing files when its directory is removed fails the teardown
// (ENOTEMPTY) after the tests themselves passed.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const isRunning = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** Send `signal` (SIGTERM by default), SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(c: ChildProcess, { signal = 'SIGTERM', graceMs = 10_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  if (!isRunning(c)) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => isRunning(c) && c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    c.kill(signal);
  });
}

/** Whether process `pid` exists and is not a zombie (read from /proc). */
export function pidAlive(pid: string | number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
