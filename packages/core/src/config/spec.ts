/**
 * Configuration is data: every setting is declared once, with its default, a
 * one-line doc, a JSON Schema for its value and an `expect` phrase used in
 * error messages. Sections are plain nested objects of items, so adding a
 * section is one new file plus one line where the spec is assembled.
 */

/** A JSON Schema fragment for one config value (draft-07, as ajv compiles it). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One setting. Build with {@link item}. */
export interface ConfigItem<T> {
  readonly kind: 'item';
  readonly default: T;
  /** One line shown in `--help` and docs. */
  readonly doc: string;
  /** Schema for the value alone. */
  readonly schema: JsonSchema;
  /** Completes "key 'x' must be ...", e.g. `a list of URLs`. */
  readonly expect: string;
  /** Environment variable that sets this item (lists are comma separated). */
  readonly env?: string;
  /** Command-line flag that sets this item, for help text (e.g. `--nats`). */
  readonly flag?: string;
  /** Values are file system paths: relative ones in a config file resolve against the file's directory. */
  readonly path?: boolean;
  /** Extra check after the schema passed; returns a reason completing "key 'x' ..." or undefined. */
  check?(value: T): string | undefined;
}

/** A section: named items and nested sections. */
export interface ConfigSpec {
  readonly [key: string]: ConfigItem<unknown> | ConfigSpec;
}

/** Declare one setting. */
export function item<T>(spec: Omit<ConfigItem<T>, 'kind'>): ConfigItem<T> {
  return { kind: 'item', ...spec };
}

/** True for an item (as opposed to a nested section). */
export function isItem(node: ConfigItem<unknown> | ConfigSpec): node is ConfigItem<unknown> {
  return (node as { kind?: unknown }).kind === 'item';
}

/** The typed, frozen configuration a spec describes. */
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends ConfigItem<infer T> ? T : S[K] extends ConfigSpec ? ConfigOf<S[K]> : never;
};

/** Every item of a spec with its dotted path, depth first in declaration order. */
export function itemsOf(spec: ConfigSpec, prefix = ''): Array<[path: string, item: ConfigItem<unknown>]> {
  return Object.entries(spec).flatMap(([key, node]): Array<[string, ConfigItem<unknown>]> => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isItem(node) ? [[path, node]] : itemsOf(node, path);
  });
}

/** The item or section at a dotted path, if declared. */
export function specAt(spec: ConfigSpec, path: readonly string[]): ConfigItem<unknown> | ConfigSpec | undefined {
  let node: ConfigItem<unknown> | ConfigSpec = spec;
  for (const key of path) {
    if (isItem(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key] as ConfigItem<unknown> | ConfigSpec;
  }
  return node;
}
