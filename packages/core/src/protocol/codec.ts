import type { ErrorObject } from 'ajv';
import { ProtocolError } from '../errors.js';
import { validateReply, validateRequest, validateSecureReply, validateSecureRequest, type CompiledValidator } from '../generated/validators.js';
import { ProtocolTag, type Message, type ReplyMessage, type RequestMessage } from './types.js';

/** Default largest message the codec accepts, in bytes (NATS' own default max_payload is 1 MiB). */
export const defaultMaxMessageBytes = 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

// The envelope schemas (schemas.ts) are compiled into plain functions at build
// time (scripts/compile-validators.mjs), so decoding never compiles a schema.
const validators: Readonly<Record<ProtocolTag, CompiledValidator>> = {
  [ProtocolTag.Request]: validateRequest,
  [ProtocolTag.Reply]: validateReply,
  [ProtocolTag.SecureRequest]: validateSecureRequest,
  [ProtocolTag.SecureReply]: validateSecureReply,
};

/** The first schema violation as one line (`/ttl must be integer`). */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'invalid';
  const where = e.instancePath || '(envelope)';
  const extra = e.keyword === 'additionalProperties' ? ` '${String(e.params['additionalProperty'])}'` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

/** Serialise an envelope to bytes for the bus. */
export function encode(message: Message): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

export interface DecodeOptions {
  maxBytes?: number;
}

/**
 * Decode and validate bytes from the bus. Throws ProtocolError naming what was
 * wrong (size, UTF-8, JSON, unknown protocol tag, or the first schema violation).
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Message {
  const max = options.maxBytes ?? defaultMaxMessageBytes;
  if (bytes.byteLength > max) throw new ProtocolError(`message of ${bytes.byteLength} bytes exceeds the ${max} byte limit`);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (err) {
    throw new ProtocolError('message is not valid UTF-8', { cause: err });
  }
  return decodeText(text);
}

/**
 * Decode and validate the JSON text of an envelope (the inner `request` or
 * `reply` of a signed envelope, for instance). Throws ProtocolError as {@link decode}.
 */
export function decodeText(text: string): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(`message is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('message is not a JSON object');
  const tag = (value as { protocol?: unknown }).protocol;
  switch (tag) {
    case ProtocolTag.Request:
    case ProtocolTag.Reply:
    case ProtocolTag.SecureRequest:
    case ProtocolTag.SecureReply: {
      const validate = validators[tag];
      if (!validate(value)) throw new ProtocolError(`invalid ${tag} message: ${describeSchemaErrors(validate.errors)}`);
      return value as Message;
    }
    default:
      throw new ProtocolError(
        typeof tag === 'string' ? `unknown protocol '${tag.slice(0, 64)}' (this node speaks ${Object.values(ProtocolTag).join(', ')})` : 'message has no protocol tag',
      );
  }
}

/** Decode bytes that must be a request. */
export function decodeRequest(bytes: Uint8Array, options?: DecodeOptions): RequestMessage {
  const m = decode(bytes, options);
  if (m.protocol !== ProtocolTag.Request) throw new ProtocolError(`expected ${ProtocolTag.Request}, got ${m.protocol}`);
  return m;
}

/**
 * Decode bytes that must be a reply. A signed reply (`cohort:secure-reply:1`)
 * is unwrapped WITHOUT checking its signature; use openReply from the
 * security module to verify it.
 */
export function decodeReply(bytes: Uint8Array, options?: DecodeOptions): ReplyMessage {
  const m = decode(bytes, options);
  if (m.protocol === ProtocolTag.SecureReply) return decodeReplyText(m.reply);
  if (m.protocol !== ProtocolTag.Reply) throw new ProtocolError(`expected ${ProtocolTag.Reply}, got ${m.protocol}`);
  return m;
}

/** Decode the JSON text of a plain reply (the inside of a signed reply). */
export function decodeReplyText(text: string): ReplyMessage {
  const m = decodeText(text);
  if (m.protocol !== ProtocolTag.Reply) throw new ProtocolError(`expected ${ProtocolTag.Reply} inside the signed reply, got ${m.protocol}`);
  return m;
}

/** Decode the JSON text of a plain request (the inside of a signed request). */
export function decodeRequestText(text: string): RequestMessage {
  const m = decodeText(text);
  if (m.protocol !== ProtocolTag.Request) throw new ProtocolError(`expected ${ProtocolTag.Request} inside the signed request, got ${m.protocol}`);
  return m;
}
