/**
 * The external-agent contract (docs/external-agents.md): protocol names, the
 * request files the node writes, the environment the executable gets, and
 * parsing and checking what the executable writes back. Pure: no processes,
 * no files.
 */
import type { DdlAction, DdlOutput, StatusCode } from '@cohort/core';

/** Protocol of the activation check run once when the agent loads. */
export const activationProtocol = 'cohort.external.v1.activation_request';
/** Protocol of an action call. */
export const rpcProtocol = 'cohort.external.v1.rpc_request';
export type ExternalProtocol = typeof activationProtocol | typeof rpcProtocol;

/** The activation request file. */
export interface ActivationRequest {
  readonly protocol: typeof activationProtocol;
  readonly agent: string;
}

/** The action request file: the request as the node verified and validated it. */
export interface RpcRequest {
  readonly protocol: typeof rpcProtocol;
  readonly agent: string;
  readonly action: string;
  readonly requestid: string;
  /** Who asked (`user=alice`), already verified. */
  readonly caller: string;
  /** Identity of the client that sent it. */
  readonly sender: string;
  readonly collective: string;
  /** Seconds the request is valid for, from `time`; null when not known. */
  readonly ttl: number | null;
  /** When the request was made, unix milliseconds; null when not known. */
  readonly time: number | null;
  /** Inputs, validated against the DDL with defaults applied. */
  readonly data: Record<string, unknown>;
}

/** Where the node put the files of one call. */
export interface CallFiles {
  readonly request: string;
  readonly reply: string;
  readonly config: string;
  readonly facts: string;
}

/** PATH when the daemon has none. */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The complete environment of the executable: PATH (the daemon's) and the
 * COHORT_EXTERNAL_* variables; nothing else of the daemon's environment leaks.
 */
export function externalEnv(files: CallFiles, protocol: ExternalProtocol, path: string | undefined): Record<string, string> {
  return {
    PATH: path !== undefined && path !== '' ? path : defaultPath,
    COHORT_EXTERNAL_REQUEST: files.request,
    COHORT_EXTERNAL_REPLY: files.reply,
    COHORT_EXTERNAL_PROTOCOL: protocol,
    COHORT_EXTERNAL_CONFIG: files.config,
    COHORT_EXTERNAL_FACTS: files.facts,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function parseJson(text: string): { value: unknown } | { problem: string } {
  if (text.trim() === '') return { problem: 'the reply file is empty' };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { problem: `the reply file is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

/**
 * Read an activation reply: true for `{"activate": true}`, else the reason the
 * agent is not loaded (its own `reason`, or what is wrong with the reply).
 */
export function parseActivationReply(text: string): true | string {
  const parsed = parseJson(text);
  if ('problem' in parsed) return `activation check: ${parsed.problem}`;
  const reply = parsed.value;
  if (!isPlainObject(reply) || typeof reply['activate'] !== 'boolean') {
    return `activation check: the reply must be {"activate": true} or {"activate": false, "reason": "..."} (got ${show(reply)})`;
  }
  if (reply['activate']) return true;
  const reason = reply['reason'];
  return typeof reason === 'string' && reason.trim() !== '' ? `the agent declined to activate: ${reason.trim()}` : 'the agent declined to activate (no reason given)';
}

const typeChecks: Record<string, { ok: (v: unknown) => boolean; noun: string }> = {
  string: { ok: (v) => typeof v === 'string', noun: 'a string' },
  integer: { ok: (v) => typeof v === 'number' && Number.isInteger(v), noun: 'an integer' },
  float: { ok: (v) => typeof v === 'number' && Number.isFinite(v), noun: 'a number' },
  number: { ok: (v) => typeof v === 'number' && Number.isFinite(v), noun: 'a number' },
  boolean: { ok: (v) => typeof v === 'boolean', noun: 'a boolean' },
  hash: { ok: isPlainObject, noun: 'an object' },
  array: { ok: Array.isArray, noun: 'an array' },
  list: { ok: (v) => ['string', 'number', 'boolean'].includes(typeof v), noun: 'a string, number or boolean' },
};

function outputProblem(name: string, output: DdlOutput, value: unknown): string | undefined {
  if (value === null || output.type === undefined) return undefined;
  const check = typeChecks[output.type];
  if (check === undefined || check.ok(value)) return undefined;
  return `output '${name}' must be ${check.noun} (DDL type ${output.type}) but is ${show(value)}`;
}

/**
 * Check reply data against the action's DDL outputs: every key declared, every
 * value of its declared type (null is "no value"). An action declaring no
 * outputs accepts any object (like rpcutil get_data). Returns the problems.
 */
export function outputProblems(action: DdlAction, data: Record<string, unknown>): string[] {
  const declared = Object.keys(action.output);
  if (declared.length === 0) return [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    const output = Object.hasOwn(action.output, name) ? action.output[name] : undefined;
    if (output === undefined) problems.push(`output '${name}' is not declared in the DDL (declared: ${declared.join(', ')})`);
    else {
      const problem = outputProblem(name, output, value);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/** A well-formed reply, its data checked against the DDL. */
export interface ExternalReply {
  readonly status: StatusCode;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/**
 * Parse and check an action's reply file: `{statuscode, statusmsg, data}`,
 * statuscode an integer 0–5 (missing: 0), statusmsg a string (missing: "OK",
 * or a generic message for a failure), data an object whose keys and types
 * match the DDL outputs. Returns the reply, or `{problem}` saying what is wrong.
 */
export function parseRpcReply(text: string, action: DdlAction): ExternalReply | { problem: string } {
  const parsed = parseJson(text);
  if ('problem' in parsed) return parsed;
  const reply = parsed.value;
  if (!isPlainObject(reply)) return { problem: `the reply must be an object {statuscode, statusmsg, data} (got ${show(reply)})` };
  const code = reply['statuscode'] ?? 0;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 5) {
    return { problem: `statuscode must be an integer from 0 to 5 (got ${show(code)})` };
  }
  const status = code as StatusCode;
  const msg = reply['statusmsg'];
  if (msg !== undefined && msg !== null && typeof msg !== 'string') return { problem: `statusmsg must be a string (got ${show(msg)})` };
  const data = reply['data'] ?? {};
  if (!isPlainObject(data)) return { problem: `data must be an object of outputs (got ${show(data)})` };
  const problems = outputProblems(action, data);
  if (problems.length > 0) return { problem: problems.join('; ') };
  const message = typeof msg === 'string' && msg !== '' ? msg : status === 0 ? 'OK' : `the agent reported status ${status}`;
  return { status, message, data };
}
