import { ProtocolError } from '../errors.js';
import { validateLifecycle, validateRegistration, type CompiledValidator } from '../generated/validators.js';
import { describeSchemaErrors } from './codec.js';
import { RegistryTag, type LifecycleMessage, type RegistrationMessage } from './registration.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serialise a registration record or lifecycle event. */
export function encodeRegistryMessage(message: RegistrationMessage | LifecycleMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

function decodeTagged(bytes: Uint8Array, tag: RegistryTag, validate: CompiledValidator, what: string): unknown {
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
  if (!validate(value)) throw new ProtocolError(`invalid ${tag} message: ${describeSchemaErrors(validate.errors)}`);
  return value;
}

/** Decode and validate a registry record (`cohort:registration:1`); throws ProtocolError saying what is wrong. */
export function decodeRegistration(bytes: Uint8Array): RegistrationMessage {
  return decodeTagged(bytes, RegistryTag.Registration, validateRegistration, 'registry record') as RegistrationMessage;
}

/** Decode and validate a lifecycle event (`cohort:lifecycle:1`); throws ProtocolError saying what is wrong. */
export function decodeLifecycle(bytes: Uint8Array): LifecycleMessage {
  return decodeTagged(bytes, RegistryTag.Lifecycle, validateLifecycle, 'lifecycle event') as LifecycleMessage;
}
