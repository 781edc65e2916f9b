import { CohortError, type StatusCode } from '@cohort/core';

/** Status codes an action may fail with (everything but 0 = OK). */
export type FailStatus = Exclude<StatusCode, 0>;

/**
 * Thrown by an action to end it with a specific RPC status and message
 * (status 1 "Request Aborted" by default). The node turns it into the reply's
 * `statuscode`/`statusmsg`; any other exception becomes status 5.
 */
export class AgentError extends CohortError {
  readonly status: FailStatus;
  /** Outputs the failed action still reports (like MCollective's `reply.fail` keeping reply data), e.g. nrpe's exitcode. */
  readonly data: Record<string, unknown> | undefined;
  constructor(message: string, status: FailStatus = 1, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super('AGENT', message, options);
    this.status = status;
    this.data = options?.data;
  }
}

/** Abort the running action with `message` and `status` (default 1, "Request Aborted"), optionally keeping some outputs. */
export function fail(message: string, status: FailStatus = 1, data?: Record<string, unknown>): never {
  throw new AgentError(message, status, data ? { data } : undefined);
}

/**
 * True for an AgentError, including one thrown by a plugin that loaded its own
 * copy of this package (matched by name and status, not by class identity).
 */
export function isAgentError(err: unknown): err is { name: string; message: string; status: FailStatus; data?: unknown } {
  if (err instanceof AgentError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { name, status, message } = err as { name?: unknown; status?: unknown; message?: unknown };
  return name === 'AgentError' && typeof message === 'string' && typeof status === 'number' && Number.isInteger(status) && status >= 1 && status <= 5;
}

/** An agent module's default export is not a usable agent definition. */
export class AgentDefinitionError extends CohortError {
  constructor(message: string) {
    super('AGENT_DEFINITION', message);
  }
}
