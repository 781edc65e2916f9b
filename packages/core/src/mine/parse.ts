import { parseMineDuration } from './duration.js';
import type { MineDefinition, MineFunction, MineSource } from './types.js';

/** Function names are key tokens of the mine bucket: letters, digits, `_` and `-`. */
export const mineNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Default cap on a function's output, bytes. */
export const defaultMaxOutputBytes = 128 * 1024;
/** Highest cap allowed (values must fit a NATS message with their signature). */
export const maxMaxOutputBytes = 768 * 1024;
/** Shortest interval allowed. */
export const minIntervalMs = 1000;

const fields = new Set(['agent', 'action', 'inputs', 'command', 'interval', 'timeout', 'splay', 'max_output']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON Schema of one function in `mine:` (the rest is checked by parseMineFunction). */
export const mineFunctionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: { type: 'string', minLength: 1 },
    action: { type: 'string', minLength: 1 },
    inputs: { type: 'object' },
    command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    interval: { type: ['string', 'number'] },
    timeout: { type: ['string', 'number'] },
    splay: { type: 'boolean' },
    max_output: { type: 'integer', minimum: 1, maximum: maxMaxOutputBytes },
  },
} as const;

/**
 * One function from a config file or drop-in: `{agent, action, inputs?}` or
 * `{command: [argv...]}`, with `interval` (required), `timeout`, `splay`,
 * `max_output`. Returns the function, or a reason naming the bad setting.
 */
export function parseMineFunction(name: string, raw: unknown, source: MineSource): MineFunction | string {
  const where = `mine function '${name}'`;
  if (!mineNamePattern.test(name)) return `${where}: the name must be 1 to 64 letters, digits, _ or -`;
  if (!isObject(raw)) return `${where}: must be a map with agent and action, or command, and interval`;
  const unknown = Object.keys(raw).find((k) => !fields.has(k));
  if (unknown !== undefined) return `${where}: unknown setting '${unknown}' (known: ${[...fields].join(', ')})`;
  const hasAction = raw['agent'] !== undefined || raw['action'] !== undefined;
  const hasCommand = raw['command'] !== undefined;
  if (hasAction === hasCommand) return `${where}: give either agent and action (a DDL action) or command (argv), not ${hasAction ? 'both' : 'neither'}`;
  if (raw['interval'] === undefined) return `${where}: interval is required (e.g. 60s, 5m)`;
  const intervalMs = parseMineDuration(raw['interval']);
  if (typeof intervalMs === 'string') return `${where}: interval ${intervalMs}`;
  if (intervalMs < minIntervalMs) return `${where}: interval must be at least 1s`;
  let timeoutMs: number | undefined;
  if (raw['timeout'] !== undefined) {
    const t = parseMineDuration(raw['timeout']);
    if (typeof t === 'string') return `${where}: timeout ${t}`;
    timeoutMs = t;
  }
  const max = raw['max_output'] ?? defaultMaxOutputBytes;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > maxMaxOutputBytes) return `${where}: max_output must be a whole number of bytes from 1 to ${maxMaxOutputBytes}`;
  const splay = raw['splay'] ?? true;
  if (typeof splay !== 'boolean') return `${where}: splay must be true or false`;
  const common = { name, intervalMs, timeoutMs, maxOutputBytes: max, splay, source };
  if (hasCommand) {
    if (source.startsWith('bus ')) return `${where}: commands can only be declared in the node's own config, never from the bus`;
    const argv = raw['command'];
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a): a is string => typeof a === 'string' && a !== '')) return `${where}: command must be a non-empty list of strings (argv; no shell)`;
    return { ...common, kind: 'command', command: argv, inputs: {} };
  }
  const { agent, action, inputs = {} } = raw;
  if (typeof agent !== 'string' || agent === '') return `${where}: agent must be an agent name`;
  if (typeof action !== 'string' || action === '') return `${where}: action must be an action name`;
  if (!isObject(inputs)) return `${where}: inputs must be a map of input names to values`;
  return { ...common, kind: 'action', agent, action, inputs };
}

/** Every function of a `mine:` map (config section or drop-in file); bad ones are reported and left out. */
export function parseMineFunctions(raw: unknown, source: MineSource): { functions: MineFunction[]; errors: string[] } {
  const functions: MineFunction[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { functions, errors };
  if (!isObject(raw)) return { functions, errors: [`${source}: the mine functions must be a map of name to settings`] };
  for (const [name, spec] of Object.entries(raw)) {
    const f = parseMineFunction(name, spec, source);
    if (typeof f === 'string') errors.push(`${source}: ${f}`);
    else functions.push(f);
  }
  return { functions, errors };
}

/** A fleet-wide definition as a function of this node (never a command). */
export function definitionFunction(def: MineDefinition, callerid: string): MineFunction | string {
  return parseMineFunction(
    def.name,
    { agent: def.agent, action: def.action, inputs: def.inputs, interval: def.interval, ...(def.timeout !== undefined ? { timeout: def.timeout } : {}) },
    `bus ${callerid}`,
  );
}

/** Shape check for a MineDefinition read from the bus (for verifyData's `check`). */
export function mineDefinitionProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the definition is not an object';
  if (typeof v['name'] !== 'string' || !mineNamePattern.test(v['name'])) return 'the definition has no valid name';
  if ('command' in v) return 'commands can never be defined from the bus';
  if (typeof v['agent'] !== 'string' || typeof v['action'] !== 'string') return 'the definition has no agent and action';
  if (!isObject(v['inputs'])) return 'the definition inputs are not a map';
  if (typeof v['interval'] !== 'number' || !(v['interval'] >= 1)) return 'the definition interval is not a number of seconds';
  if (v['timeout'] !== undefined && (typeof v['timeout'] !== 'number' || !(v['timeout'] > 0))) return 'the definition timeout is not a number of seconds';
  const f = v['filter'];
  if (!isObject(f)) return 'the definition has no filter';
  for (const k of ['fact', 'cf_class', 'agent', 'identity', 'compound']) if (!Array.isArray(f[k])) return `the definition filter has no ${k} list`;
  return undefined;
}
