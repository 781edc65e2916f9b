import { PuppetHelperError } from './errors.js';

/**
 * The line protocol between the puppetral agent and its Ruby helper
 * (packages/agents/ruby/puppetral-helper.rb): one JSON object per line each
 * way. The helper first prints a ready line, then one reply per request, in
 * order. Decoding narrows `unknown` and throws PuppetHelperError on anything
 * unexpected.
 */

/** What the helper can do: look one resource up, list a type, or apply one resource. */
export const HelperOps = ['find', 'search', 'apply'] as const;
export type HelperOp = (typeof HelperOps)[number];

/** One request to the helper. */
export interface HelperRequest {
  readonly id: number;
  readonly op: HelperOp;
  /** Puppet type name (`host`, `user`, ...). */
  readonly type: string;
  /** Resource title; the helper falls back to `parameters.name`. Unused by search. */
  readonly title?: string | undefined;
  /** Resource parameters (find/apply) or filters (search). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** apply only: report what would change without changing it. */
  readonly noop?: boolean | undefined;
}

/** Why the helper refused or failed a request: `invalid` (Puppet rejected the inputs), `failed` (the apply failed), `internal`. */
export const HelperErrorKinds = ['invalid', 'failed', 'internal'] as const;
export type HelperErrorKind = (typeof HelperErrorKinds)[number];

/** The helper's answer to one request. */
export type HelperReply =
  | { readonly id: number | null; readonly ok: true; readonly result: Readonly<Record<string, unknown>> }
  | { readonly id: number | null; readonly ok: false; readonly kind: HelperErrorKind; readonly message: string };

/** The helper's first line: Puppet loaded (with its version) or the reason it did not. */
export type HelperReady = { readonly ready: true; readonly puppet: string } | { readonly ready: false; readonly error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(line: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new PuppetHelperError(`the Puppet helper sent ${what} that is not JSON: ${line.slice(0, 200)}`, { cause: err });
  }
  if (!isObject(value)) throw new PuppetHelperError(`the Puppet helper sent ${what} that is not a JSON object: ${line.slice(0, 200)}`);
  return value;
}

/** One request as the line the helper reads (JSON plus a newline). */
export function encodeRequest(request: HelperRequest): string {
  return `${JSON.stringify(request)}\n`;
}

/** Decode the helper's first line. */
export function decodeReady(line: string): HelperReady {
  const value = parseLine(line, 'a start-up line');
  if (value['ready'] === true && typeof value['puppet'] === 'string') return { ready: true, puppet: value['puppet'] };
  if (value['ready'] === false) return { ready: false, error: typeof value['error'] === 'string' ? value['error'] : 'no reason given' };
  throw new PuppetHelperError(`the Puppet helper's start-up line has no ready flag: ${line.slice(0, 200)}`);
}

/** Decode one reply line. */
export function decodeReply(line: string): HelperReply {
  const value = parseLine(line, 'a reply');
  const rawId = value['id'];
  const id = typeof rawId === 'number' && Number.isInteger(rawId) ? rawId : null;
  if (value['ok'] === true && isObject(value['result'])) return { id, ok: true, result: value['result'] };
  const error = value['error'];
  if (value['ok'] === false && isObject(error) && typeof error['message'] === 'string') {
    const kind = HelperErrorKinds.find((k) => k === error['kind']) ?? 'internal';
    return { id, ok: false, kind, message: error['message'] };
  }
  throw new PuppetHelperError(`the Puppet helper sent a reply without ok/result or ok/error: ${line.slice(0, 200)}`);
}
