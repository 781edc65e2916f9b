import { AgentDefinitionError, type FailStatus } from './errors.js';
import type { NodeInfo } from './node-info.js';

/** The logging an action gets (a namespaced child logger of `@cohort/core/log` in the daemon). */
export interface AgentLogger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

/** The request an action is serving. */
export interface RequestInfo {
  readonly id: string;
  readonly callerid: string;
  /** Identity of the client that sent it. */
  readonly sender: string;
  readonly agent: string;
  readonly action: string;
  readonly collective: string;
  /** Seconds the request is valid for, from `time` (set by the daemon). */
  readonly ttl?: number;
  /** When the request was made, unix milliseconds (set by the daemon). */
  readonly time?: number;
}

/** Handed to every action call. */
export interface ActionContext {
  /** Aborted when the action overruns its DDL timeout or the daemon shuts down; stop work when it fires. */
  readonly signal: AbortSignal;
  /**
   * When the action times out (ms since the epoch, as Date.now()): the DDL
   * timeout from the start of the call, or sooner when the caller asked for
   * less (a mine function's timeout). `signal` fires then and the daemon
   * replies status 1; an action that wants to reply itself (nrpe's UNKNOWN)
   * stops its work a little earlier.
   */
  readonly deadline: number;
  readonly log: AgentLogger;
  readonly request: RequestInfo;
  readonly node: NodeInfo;
  /** End the action with `message` and `status` (default 1, "Request Aborted"). */
  fail(message: string, status?: FailStatus): never;
}

/** Handed to an agent's activation check at startup. */
export interface ActivationContext {
  readonly log: AgentLogger;
  readonly node: NodeInfo;
}

/**
 * Activation check: `true` to load the agent, or a string saying why it is
 * not loaded on this node (e.g. "nrpe is not installed").
 */
export type ActivationCheck = (ctx: ActivationContext) => Promise<true | string> | true | string;

/** The shape of one action in a generated `<Agent>Actions` interface. */
export interface ActionShape {
  /** What a caller sends (inputs with a DDL default may be left out). */
  input: object;
  /** What the action receives: the DDL defaults filled in (generated types always have it; hand-written ones may not). */
  received?: object;
  output: object;
}

/** The inputs an action receives: the generated `received` type (defaulted inputs present), else the caller's `input`. */
export type ReceivedInput<S extends ActionShape> = S extends { received: infer R extends object } ? R : S['input'];

/** Any generated `<Agent>Actions` interface (interfaces included, which lack index signatures). */
export type ActionShapes<A> = { [K in keyof A]: ActionShape };

/**
 * What an action returns: some of its DDL outputs (the rest come from DDL
 * defaults). An action whose DDL declares no outputs (like rpcutil get_data,
 * whose data depends on the query) may return any object.
 */
export type ActionResult<S extends ActionShape> = string extends keyof S['output'] ? Record<string, unknown> : Partial<S['output']>;

/** A typed action implementation: validated inputs (DDL defaults filled in) in, (some of) the DDL outputs out. */
export type ActionFor<S extends ActionShape> = (input: ReceivedInput<S>, ctx: ActionContext) => Promise<ActionResult<S>> | ActionResult<S>;

/** An agent written against its generated types. */
export interface AgentDefinition<A extends ActionShapes<A>> {
  /** Agent name; must equal the DDL's `metadata.name`. */
  name: string;
  /** One function per DDL action, no more, no less. */
  actions: { [K in keyof A]: ActionFor<A[K]> };
  activate?: ActivationCheck;
  /** Release what the agent holds (helper processes, timers); the daemon calls it once on shutdown, after in-flight actions. */
  dispose?: () => Promise<void> | void;
}

/** An action as the daemon calls it: inputs already validated against the DDL. */
export type ActionHandler = (input: Record<string, unknown>, ctx: ActionContext) => unknown;

/** An agent as the daemon sees it, types erased. */
export interface Agent {
  readonly name: string;
  readonly actions: Readonly<Record<string, ActionHandler>>;
  readonly activate?: ActivationCheck;
  readonly dispose?: () => Promise<void> | void;
}

/**
 * Define an agent with actions typed by its generated interface:
 *
 *     import type { EchoActions } from './echo-types.js'; // generated: cohort ddl types echo.json
 *     export default defineAgent<EchoActions>({ name: 'echo', actions: { echo: ({ message }) => ({ message }) } });
 *
 * Returns the agent with its types erased, ready for the daemon's registry.
 */
export function defineAgent<A extends ActionShapes<A>>(definition: AgentDefinition<A>): Agent {
  // The daemon validates every input against the DDL (which the generated types
  // come from) and fills in its defaults before calling an action, so erasing
  // the input types is sound.
  return asAgent(definition);
}

const namePattern = /^[a-z0-9_]+$/;

/**
 * Check a value (a plugin module's default export, typically a plain object)
 * has the shape of an agent definition; throws AgentDefinitionError saying
 * what is missing.
 */
export function asAgent(value: unknown): Agent {
  if (typeof value !== 'object' || value === null) throw new AgentDefinitionError('the default export is not an object; export default defineAgent({ name, actions })');
  const { name, actions, activate, dispose } = value as { name?: unknown; actions?: unknown; activate?: unknown; dispose?: unknown };
  if (typeof name !== 'string' || !namePattern.test(name)) throw new AgentDefinitionError(`'name' must be a lower-case agent name (got ${JSON.stringify(name) ?? 'nothing'})`);
  if (typeof actions !== 'object' || actions === null) throw new AgentDefinitionError(`agent '${name}' has no 'actions' object`);
  const table: Record<string, ActionHandler> = {};
  for (const [action, fn] of Object.entries(actions)) {
    if (typeof fn !== 'function') throw new AgentDefinitionError(`agent '${name}' action '${action}' is not a function`);
    table[action] = fn as ActionHandler;
  }
  if (activate !== undefined && typeof activate !== 'function') throw new AgentDefinitionError(`agent '${name}' 'activate' is not a function`);
  if (dispose !== undefined && typeof dispose !== 'function') throw new AgentDefinitionError(`agent '${name}' 'dispose' is not a function`);
  return Object.freeze({
    name,
    actions: Object.freeze(table),
    ...(activate ? { activate: activate as ActivationCheck } : {}),
    ...(dispose ? { dispose: dispose as () => Promise<void> | void } : {}),
  });
}
