import { fail, isAgentError, type ActionContext, type ActionHandler } from '@cohort/agents';
import { errorMessage, InputError, Status, type StatusCode } from '@cohort/core';

/** How an action call ended: the reply's status, message and (on success) the action's data. */
export interface ActionOutcome {
  readonly status: StatusCode;
  readonly message: string;
  readonly data?: Record<string, unknown>;
  /** The exception behind a status 5, for logging. */
  readonly error?: unknown;
}

/** Everything in an ActionContext except what the dispatcher supplies (signal, fail). */
export type ContextBase = Omit<ActionContext, 'signal' | 'fail'>;

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
  if (isAgentError(err)) return { status: err.status, message: err.message };
  if (err instanceof InputError) return { status: err.status, message: err.message };
  return { status: Status.UnknownError, message: `Unknown error: ${errorMessage(err)}`, error: err };
}

/**
 * Run one action with its DDL timeout. The action gets an AbortSignal that
 * fires when the timeout passes (or the daemon shuts down); the reply is then
 * status 1 straight away and whatever the action returns later is discarded.
 * Never throws: AgentError/fail() keep their status, anything else thrown is
 * status 5 "Unknown error: ...", a non-object result is status 5.
 */
export async function dispatch(action: string, handler: ActionHandler, input: Record<string, unknown>, base: ContextBase, options: DispatchOptions): Promise<ActionOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onShutdown: (() => void) | undefined;
  const stopped = new Promise<ActionOutcome>((resolve) => {
    timer = setTimeout(() => {
      const message = `action '${action}' exceeded its ${options.timeoutMs / 1000} s timeout`;
      controller.abort(new Error(message));
      resolve({ status: Status.Aborted, message });
    }, options.timeoutMs);
    const { shutdown } = options;
    if (shutdown) {
      onShutdown = () => {
        const message = `action '${action}' aborted: the node is shutting down`;
        controller.abort(new Error(message));
        resolve({ status: Status.Aborted, message });
      };
      if (shutdown.aborted) onShutdown();
      else shutdown.addEventListener('abort', onShutdown, { once: true });
    }
  });
  const ctx: ActionContext = { ...base, signal: controller.signal, fail };
  const run = (async () => handler(input, ctx))().then(
    (value) => fromValue(action, value),
    (err: unknown) => fromError(err),
  );
  try {
    return await Promise.race([run, stopped]);
  } finally {
    clearTimeout(timer);
    if (onShutdown) options.shutdown?.removeEventListener('abort', onShutdown);
  }
}
