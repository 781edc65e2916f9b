/**
 * Turning the helper's results into the DDL outputs of do/find/search. Pure
 * functions over `unknown` (the helper's JSON), so a surprising result yields
 * empty outputs rather than a crash.
 */

/** One Puppet event, as the `events` output lists it. */
export interface ResourceEvent {
  readonly property: string;
  readonly previous_value: unknown;
  readonly desired_value: unknown;
  /** Puppet's event status: success, noop, failure, ... */
  readonly status: string;
  readonly message: string;
}

/** The outputs of do/create. */
export interface ApplyOutput {
  /** changed, unchanged, or noop (something would change). */
  status: 'changed' | 'unchanged' | 'noop';
  changes: string[];
  events: ResourceEvent[];
  parameters: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function hash(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

/** The helper's event objects, narrowed. */
export function eventsOf(value: unknown): ResourceEvent[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((e) => ({
    property: text(e['property']),
    previous_value: e['previous_value'] ?? null,
    desired_value: e['desired_value'] ?? null,
    status: text(e['status']),
    message: text(e['message']),
  }));
}

/**
 * do/create outputs from an apply result: `changes` reads like Puppet's own
 * log (`ip: ip changed '10.0.0.1' to '10.0.0.2'`); `status` is `changed` when
 * an event succeeded, `noop` when events were only reported, else `unchanged`.
 */
export function applyOutput(result: unknown): ApplyOutput {
  const r = hash(result);
  const events = eventsOf(r['events']);
  const status = events.some((e) => e.status === 'success') ? 'changed' : events.some((e) => e.status === 'noop') ? 'noop' : 'unchanged';
  return {
    status,
    changes: events.map((e) => (e.property ? `${e.property}: ${e.message}` : e.message)),
    events,
    parameters: hash(r['parameters']),
  };
}

/** find outputs: the resource's `ensure` (empty when the type has none) and its parameters. */
export function findOutput(result: unknown): { ensure: string; parameters: Record<string, unknown> } {
  const parameters = hash(hash(result)['parameters']);
  return { ensure: text(parameters['ensure']), parameters };
}

/** search outputs: matching resources by title and how many there are. */
export function searchOutput(result: unknown): { count: number; resources: Record<string, unknown> } {
  const resources = hash(hash(result)['resources']);
  return { count: Object.keys(resources).length, resources };
}
