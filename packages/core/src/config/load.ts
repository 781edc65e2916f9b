import { defaultsOf, deepFreeze, mergeTrees, resolvePaths, type ConfigLayer } from './layers.js';
import { isItem, specAt, type ConfigOf, type ConfigSpec } from './spec.js';
import { checkItems, validateLayer, valueAt } from './validate.js';

/**
 * Build a configuration: the spec's defaults, then each layer in order (later
 * wins; sections merge key by key, lists are replaced). Each layer is validated
 * on its own so errors name the file, variable or flag that was wrong. The
 * result is typed and deeply frozen.
 */
export function loadConfig<S extends ConfigSpec>(spec: S, layers: readonly ConfigLayer[]): ConfigOf<S> {
  let merged = defaultsOf(spec);
  for (const layer of layers) {
    validateLayer(spec, layer.values, layer.source);
    merged = mergeTrees(merged, resolvePaths(spec, layer));
  }
  // Defaults computed from the host (identity = hostname) must pass the checks too.
  checkItems(spec, merged, 'configuration');
  // The tree was validated against the spec above, so it has the spec's shape.
  return deepFreeze(merged) as ConfigOf<S>;
}

/** Result of looking up a dotted key in a configuration. */
export type ConfigLookup = { found: true; value: unknown } | { found: false };

/**
 * Look up a dotted key (`nats.servers`, `logging`) in a loaded configuration.
 * Only keys the spec declares are found (a section returns its whole subtree).
 */
export function configValue(spec: ConfigSpec, config: unknown, key: string): ConfigLookup {
  const path = key.split('.');
  const node = specAt(spec, path);
  if (!node) return { found: false };
  return { found: true, value: valueAt(config, path) ?? (isItem(node) ? node.default : undefined) };
}

