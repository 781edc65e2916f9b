import { errorMessage } from '@cohort/core';
import type { AgentLogger } from '../define.js';
import { PuppetHelperError } from './errors.js';
import { HelperProcess, type LaunchSpec } from './helper-process.js';
import { decodeReady, decodeReply, encodeRequest, type HelperReply, type HelperRequest } from './protocol.js';

/** A request before the helper numbers it. */
export type HelperCall = Omit<HelperRequest, 'id'>;

export interface PuppetHelperOptions {
  /** How to start the helper; resolved on first use. */
  readonly launch: () => LaunchSpec;
  readonly log: AgentLogger;
  /** How long Puppet may take to load (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/**
 * The node's warm Puppet: one helper process, started on first use and again
 * whenever it has died, answering one request at a time (Puppet is not
 * thread-safe; callers queue). A request whose signal aborts while the helper
 * works on it kills the helper, since Puppet cannot be interrupted cleanly; the
 * next request starts a fresh one. A find/search that loses its helper is
 * retried once on a new one; an apply is not (it may have partly happened).
 */
export class PuppetHelper {
  readonly #options: PuppetHelperOptions;
  #process: HelperProcess | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #starts = 0;
  #disposed = false;

  constructor(options: PuppetHelperOptions) {
    this.#options = options;
  }

  /** Helpers started so far. */
  get starts(): number {
    return this.#starts;
  }

  /** The running helper's process id. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Queue `call`; resolves with the helper's reply. Throws PuppetHelperError, or the signal's reason once aborted. */
  call(call: HelperCall, signal: AbortSignal): Promise<HelperReply> {
    const turn = this.#queue.then(() => this.#attempt(call, signal, call.op !== 'apply'));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Stop the helper; later calls are refused. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#process?.stop();
  }

  async #attempt(call: HelperCall, signal: AbortSignal, retry: boolean): Promise<HelperReply> {
    try {
      return await this.#send(call, signal);
    } catch (err) {
      if (!retry || signal.aborted || !(err instanceof PuppetHelperError) || !err.exited) throw err;
      this.#options.log.warn(`${err.message}; retrying the ${call.op} on a new helper`);
      return this.#send(call, signal);
    }
  }

  async #send(call: HelperCall, signal: AbortSignal): Promise<HelperReply> {
    signal.throwIfAborted();
    const helper = await this.#ready(signal);
    const id = this.#nextId++;
    const onAbort = () => void helper.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = decodeReply(await helper.next(encodeRequest({ ...call, id })));
      if (reply.id !== id) throw new PuppetHelperError(`the Puppet helper answered request ${String(reply.id)} instead of ${id}`);
      return reply;
    } catch (err) {
      // Out of step or stuck: a fresh helper is the only safe state.
      if (helper.running) void helper.stop();
      signal.throwIfAborted();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #ready(signal: AbortSignal): Promise<HelperProcess> {
    if (this.#disposed) throw new PuppetHelperError('the puppetral agent is shutting down');
    const current = this.#process;
    if (current?.running) return current;
    const { log } = this.#options;
    if (current) log.warn(`the Puppet helper ${current.exitReason ?? 'stopped'}; starting a new one`);
    let launch: LaunchSpec;
    try {
      launch = this.#options.launch();
    } catch (err) {
      throw new PuppetHelperError(`cannot start the Puppet helper: ${errorMessage(err)}`, { cause: err });
    }
    const helper = new HelperProcess(launch, log);
    this.#process = helper;
    this.#starts++;
    const stop = () => void helper.stop();
    const timeoutMs = this.#options.readyTimeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    signal.addEventListener('abort', stop, { once: true });
    try {
      const ready = decodeReady(await helper.next());
      if (!ready.ready) throw new PuppetHelperError(`Puppet did not load: ${ready.error}`);
      log.info(`Puppet ${ready.puppet} loaded in the puppetral helper (pid ${String(helper.pid)})`);
      return helper;
    } catch (err) {
      void helper.stop();
      signal.throwIfAborted();
      // Not marked `exited`: a helper that cannot start is not worth a retry.
      const why = timedOut ? `Puppet did not load within ${timeoutMs / 1000} s` : errorMessage(err);
      throw new PuppetHelperError(`the Puppet helper did not start (${launch.command} ${launch.args.join(' ')}): ${why}`, { cause: err });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    }
  }
}
