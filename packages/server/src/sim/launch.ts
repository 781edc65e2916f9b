import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One slice of the fleet for one process. */
export interface SimSlice {
  first: number;
  count: number;
}

/** Split `count` nodes starting at `first` into slices of at most `perProcess`. */
export function sliceFleet(first: number, count: number, perProcess: number): SimSlice[] {
  const slices: SimSlice[] = [];
  for (let done = 0; done < count; done += perProcess) slices.push({ first: first + done, count: Math.min(perProcess, count - done) });
  return slices;
}

/** Child simulator processes, each hosting one slice. */
export interface SimChildren {
  readonly pids: number[];
  /** Resolves once every child printed `ready`; rejects when one exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the first child's exit code once any child exits. */
  readonly exited: Promise<number>;
  /** SIGTERM every child and wait for all to exit. */
  stop(): Promise<void>;
}

/**
 * Run this simulator once per slice (`args(slice)` builds each child's
 * command line) with stdout piped so `ready` lines can be counted; stderr is
 * shared.
 */
export function spawnChildren(script: string, slices: readonly SimSlice[], args: (slice: SimSlice) => string[]): SimChildren {
  // Children run with this process's node flags (e.g. the young-generation size from the shebang).
  const children: ChildProcess[] = slices.map((slice) => spawn(process.execPath, [...process.execArgv, script, ...args(slice)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const exits = children.map((child) => new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))));
  const exited = Promise.race(exits);
  let readyCount = 0;
  const ready = new Promise<void>((resolve, reject) => {
    for (const child of children) {
      if (!child.stdout) continue;
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('ready ') && ++readyCount === children.length) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`a simulator process exited with ${code} before every process was ready`)));
  });
  ready.catch(() => undefined);
  return {
    pids: children.map((c) => c.pid ?? 0),
    ready,
    exited,
    async stop() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(exits);
    },
  };
}
