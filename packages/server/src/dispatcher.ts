import { fail, isAgentError, type ActionContext, type ActionHandler } from '@cohort/agents';
import { errorMessage, InputError, Status, type StatusCode } from '@cohort/core';

/** How an action call ended: the reply's status, message and (on success) the action's data (also kept from a failure that carries outputs). */
export interface ActionOutcome {
  readonly status: StatusCode;
  readonly message: string;
  readonly data?: Record<string, unknown>;
  /** The exception behind a status 5, for logging. */
  readonly error?: unknown;
}

/** Everything in an ActionContext except what the dispatcher supplies (signal, deadline, fail). */
export type ContextBase = Omit<ActionContext, 'signal' | 'deadline' | 'fail'>;

export interface DispatchOptions {
  /** The DDL timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Aborted when the daemon gives up on in-flight work at shutdown. */
  readonly shutdown?: AbortSignal;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function fromValue(action: string, value: unknown): ActionOutcome {
  if (value === undefined || value === null) return { status: Status.OK, message: 'OK', data: {} };
  if (isPlainObject(value)) return { status: Status.OK, message: 'OK', data: value };
  const kind = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? `a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain object'}`
      : `a ${typeof value}`;
  return { status: Status.UnknownError, message: `Unknown error: action '${action}' returned ${kind}; actions must return a plain object of outputs` };
}

function fromError(err: unknown): ActionOutcome {
  if (isAgentError(err)) {
    // A failure may keep the outputs it has (nrpe: exitcode, output, perfdata), as MCollective's reply.fail did.
    const data = err.data;
    return { status: err.status, message: err.message, ...(isPlainObject(data) ? { data } : {}) };
  }
  if (err instanceof InputError) return { status: err.status, message: err.message };
  return { status: Status.UnknownError, message: `Unknown error: ${errorMessage(err)}`, error: err };
}

/**
 * The context an action sees. A class (not an object literal with a getter)
 * keeps its shape fast; the AbortSignal is made on first read of `signal`.
 */
class DispatchContext implements ActionContext {
  readonly log: ContextBase['log'];
  readonly node: ContextBase['node'];
  readonly request: ContextBase['request'];
  readonly deadline: number;
  readonly #signal: () => AbortSignal;
  constructor(base: ContextBase, deadline: number, signal: () => AbortSignal) {
    this.log = base.log;
    this.node = base.node;
    this.request = base.request;
    this.deadline = deadline;
    this.#signal = signal;
  }
  get signal(): AbortSignal {
    return this.#signal();
  }
  fail(message: string, status?: Parameters<typeof fail>[1]): never {
    return fail(message, status);
  }
}

/** The message of an action aborted by the daemon's shutdown (made only then, not for every request). */
function shuttingDown(action: string): string {
  return `action '${action}' aborted: the node is shutting down`;
}

/** True for promises and other thenables (an async action's result). */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Run one action with its DDL timeout. The action gets an AbortSignal that
 * fires when the timeout passes (or the daemon shuts down) and the deadline
 * (ctx.deadline, ms since the epoch) when it will; the reply is then
 * status 1 straight away and whatever the action returns later is discarded.
 * Never throws: AgentError/fail() keep their status, anything else thrown is
 * status 5 "Unknown error: ...", a non-object result is status 5.
 *
 * Hot path: an action that returns without awaiting (rpcutil ping) needs no
 * timer and no AbortController, so both are only made when it returns a
 * promise, or reads `ctx.signal`.
 */
export async function dispatch(action: string, handler: ActionHandler, input: Record<string, unknown>, base: ContextBase, options: DispatchOptions): Promise<ActionOutcome> {
  return startDispatch(action, handler, input, base, options);
}

/**
 * {@link dispatch}, but an action that returns without awaiting gives its
 * outcome at once rather than a promise of it: the request pipeline then
 * replies in the same turn, without a promise or microtask per request.
 */
export function startDispatch(action: string, handler: ActionHandler, input: Record<string, unknown>, base: ContextBase, options: DispatchOptions): ActionOutcome | Promise<ActionOutcome> {
  let controller: AbortController | undefined;
  let abortedBy: Error | undefined;
  const signal = (): AbortSignal => {
    if (controller === undefined) {
      controller = new AbortController();
      if (abortedBy !== undefined) controller.abort(abortedBy);
    }
    return controller.signal;
  };
  const abort = (message: string): ActionOutcome => {
    abortedBy = new Error(message);
    controller?.abort(abortedBy);
    return { status: Status.Aborted, message };
  };
  const shutdown = options.shutdown;
  const early = shutdown?.aborted ? abort(shuttingDown(action)) : undefined;
  const ctx: ActionContext = new DispatchContext(base, Date.now() + options.timeoutMs, signal);
  let value: unknown;
  try {
    value = handler(input, ctx);
  } catch (err) {
    return early ?? fromError(err);
  }
  if (early) return early;
  if (!isThenable(value)) return fromValue(action, value);

  let timer: NodeJS.Timeout | undefined;
  let onShutdown: (() => void) | undefined;
  const stopped = new Promise<ActionOutcome>((resolve) => {
    timer = setTimeout(() => resolve(abort(`action '${action}' exceeded its ${options.timeoutMs / 1000} s timeout`)), options.timeoutMs);
    if (shutdown) {
      onShutdown = () => resolve(abort(shuttingDown(action)));
      shutdown.addEventListener('abort', onShutdown, { once: true });
    }
  });
  const run = Promise.resolve(value).then(
    (v) => fromValue(action, v),
    (err: unknown) => fromError(err),
  );
  return Promise.race([run, stopped]).finally(() => {
    clearTimeout(timer);
    if (onShutdown) shutdown?.removeEventListener('abort', onShutdown);
  });
}
