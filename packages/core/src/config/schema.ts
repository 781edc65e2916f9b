import { isItem, type ConfigSpec, type JsonSchema } from './spec.js';

/**
 * The JSON Schema for one configuration layer (a config file, the environment
 * or the flags): every key optional, unknown keys refused at every level.
 */
export function layerSchema(spec: ConfigSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, node] of Object.entries(spec)) properties[key] = isItem(node) ? node.schema : layerSchema(node);
  return { type: 'object', additionalProperties: false, properties };
}
