import { secretConfigKeys } from '../config/server/nats.js';
import type { ConfigLookup } from '../config/load.js';

/** What a secret config value is reported as. */
export const redacted = '[redacted]';

function redactAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return value === null || value === undefined ? value : redacted;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(value, head)) return value;
  return { ...(value as Record<string, unknown>), [head]: redactAt((value as Record<string, unknown>)[head], rest) };
}

/**
 * A config lookup with secrets (NATS password and token) replaced by
 * `[redacted]`, whether asked for directly (`nats.password`) or inside a
 * section (`nats`): rpcutil get_config_item must not hand them out.
 */
export function redactSecrets(key: string, lookup: ConfigLookup): ConfigLookup {
  if (!lookup.found) return lookup;
  let value = lookup.value;
  for (const secret of secretConfigKeys) {
    if (secret === key) value = redactAt(value, []);
    else if (secret.startsWith(`${key}.`)) value = redactAt(value, secret.slice(key.length + 1).split('.'));
  }
  return { found: true, value };
}
