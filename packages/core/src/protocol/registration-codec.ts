import { ProtocolError } from '../errors.js';
import { validateLifecycle, validateRegistration, type CompiledValidator } from '../generated/validators.js';
import { describeSchemaErrors } from './codec.js';
import { RegistryTag, type LifecycleMessage, type RegistrationMessage } from './registration.js';
import { lifecycleSchema, registrationSchema } from './registration-schemas.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serialise a registration record or lifecycle event. */
export function encodeRegistryMessage(message: RegistrationMessage | LifecycleMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

interface Shape {
  readonly properties?: Readonly<Record<string, Shape>>;
  readonly items?: Shape;
}

/**
 * Drop the fields a schema does not declare, in objects and in array items,
 * before strict validation: a newer node may add fields within the same
 * protocol tag (as `services` and `plugins` were added), and a client or node
 * that does not know them yet reads the rest instead of refusing the record
 * and losing the node from discovery during a rolling upgrade. Every field it
 * does know is still validated strictly.
 */
export function pruneUnknown(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return shape.items ? value.map((v) => pruneUnknown(v, shape.items!)) : value;
  if (typeof value !== 'object' || value === null || !shape.properties) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = Object.hasOwn(shape.properties, k) ? shape.properties[k] : undefined;
    if (sub) out[k] = pruneUnknown(v, sub);
  }
  return out;
}

function decodeTagged(bytes: Uint8Array, tag: RegistryTag, validate: CompiledValidator, what: string, shape: Shape): unknown {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new ProtocolError(`${what} is not valid UTF-8 JSON: ${(err as Error).message}`, { cause: err });
  }
  const found = typeof value === 'object' && value !== null ? (value as { protocol?: unknown }).protocol : undefined;
  if (found !== tag) {
    throw new ProtocolError(`${what} has protocol '${typeof found === 'string' ? found.slice(0, 64) : String(found)}', expected '${tag}'`);
  }
  value = pruneUnknown(value, shape);
  if (!validate(value)) throw new ProtocolError(`invalid ${tag} message: ${describeSchemaErrors(validate.errors)}`);
  return value;
}

/** Decode and validate a registry record (`cohort:registration:1`); throws ProtocolError saying what is wrong. */
export function decodeRegistration(bytes: Uint8Array): RegistrationMessage {
  return decodeTagged(bytes, RegistryTag.Registration, validateRegistration, 'registry record', registrationSchema as Shape) as RegistrationMessage;
}

/** Decode and validate a lifecycle event (`cohort:lifecycle:1`); throws ProtocolError saying what is wrong. */
export function decodeLifecycle(bytes: Uint8Array): LifecycleMessage {
  return decodeTagged(bytes, RegistryTag.Lifecycle, validateLifecycle, 'lifecycle event', lifecycleSchema as Shape) as LifecycleMessage;
}
