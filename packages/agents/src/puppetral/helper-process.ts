import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { childProcess, readline } from '@cohort/core';
import type { AgentLogger } from '../define.js';
import { PuppetHelperError } from './errors.js';

/** The command that starts a helper. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
}

const stderrLines = 8;

/**
 * One running helper process, spoken to one line at a time: `next(line)`
 * writes a line (if any) and resolves with the next line the helper prints.
 * Its stderr (Puppet's log) goes to the agent log at debug level; the last
 * lines are kept to explain a death. Callers keep at most one `next` pending.
 */
export class HelperProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #stderr: string[] = [];
  #waiter: { resolve(line: string): void; reject(err: Error): void } | undefined;
  #exit: string | undefined;
  /** Resolves once the process has exited (or failed to start). */
  readonly exited: Promise<void>;

  constructor(spec: LaunchSpec, log: AgentLogger) {
    const child = childProcess().spawn(spec.command, [...spec.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    // A helper that died leaves a broken pipe; the exit handler reports it.
    child.stdin.on('error', () => undefined);
    readline().createInterface({ input: child.stdout }).on('line', (line) => {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter.resolve(line);
      else log.warn(`the Puppet helper printed a line nobody asked for: ${line.slice(0, 200)}`);
    });
    readline().createInterface({ input: child.stderr }).on('line', (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > stderrLines) this.#stderr.shift();
      log.debug(`puppet: ${line}`);
    });
    this.exited = new Promise((resolve) => {
      const done = (how: string) => {
        if (this.#exit !== undefined) return;
        this.#exit = how;
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter?.reject(this.#deathError());
        resolve();
      };
      child.once('error', (err) => done(`could not be started (${spec.command}): ${err.message}`));
      child.once('exit', (code, signal) => done(signal ? `was killed by ${signal}` : `exited with code ${String(code)}`));
    });
  }

  /** Process id, while it runs. */
  get pid(): number | undefined {
    return this.#exit === undefined ? this.#child.pid : undefined;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** How it ended ("exited with code 1", ...), once it has. */
  get exitReason(): string | undefined {
    return this.#exit;
  }

  #deathError(): PuppetHelperError {
    const tail = this.#stderr.length > 0 ? `; its last output: ${this.#stderr.join(' | ')}` : '';
    return new PuppetHelperError(`the Puppet helper ${this.#exit ?? 'stopped'}${tail}`, { exited: true });
  }

  /** Write `line` (when given) and resolve with the helper's next line; rejects when it dies first. */
  next(line?: string): Promise<string> {
    if (this.#exit !== undefined) return Promise.reject(this.#deathError());
    if (this.#waiter) return Promise.reject(new PuppetHelperError('the Puppet helper is still answering another request'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      if (line !== undefined) this.#child.stdin.write(line);
    });
  }

  /** Close its stdin (the helper exits) and SIGTERM it; SIGKILL after `graceMs`. Resolves once it is gone. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#child.stdin.end();
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
