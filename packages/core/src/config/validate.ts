import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from '../errors.js';
import { layerSchema } from './schema.js';
import { isItem, itemsOf, specAt, type ConfigItem, type ConfigSpec } from './spec.js';
import { didYouMean } from './suggest.js';

/** A layer validator: ajv's, or one precompiled at build time. */
export type LayerValidator = Pick<ValidateFunction, 'errors'> & ((data: unknown) => boolean);

// Compiled once per spec object (specs are module-level constants). ajv is
// loaded on first use, not at import, so CLI commands that never load a
// config do not pay for it; specs with a precompiled validator never load it.
const compiled = new WeakMap<ConfigSpec, LayerValidator>();
const requireCjs = createRequire(import.meta.url);

/** Use `validate` (precompiled from layerSchema(spec) at build time) for `spec` instead of compiling at run time. */
export function usePrecompiledValidator(spec: ConfigSpec, validate: LayerValidator): void {
  compiled.set(spec, validate);
}

/**
 * Validate layers of `spec`, which is `base` plus the sections `sections`
 * (each a layer validator of that section alone, precompiled by the package
 * declaring it), without compiling anything: `base`'s validator checks the
 * layer without those sections (so an unknown key is still refused, with a
 * suggestion from the whole spec), then each section's validator its part.
 */
export function useSectionValidators(spec: ConfigSpec, base: ConfigSpec, sections: Readonly<Record<string, LayerValidator>>): void {
  const validate: LayerValidator = (data: unknown): boolean => {
    validate.errors = null;
    const baseValidator = validatorFor(base);
    const isMapping = typeof data === 'object' && data !== null && !Array.isArray(data);
    const rest: unknown = isMapping ? Object.fromEntries(Object.entries(data).filter(([key]) => !Object.hasOwn(sections, key))) : data;
    if (!baseValidator(rest)) {
      validate.errors = baseValidator.errors;
      return false;
    }
    for (const [key, sectionValidator] of Object.entries(sections)) {
      if (!isMapping || !Object.hasOwn(data, key)) continue;
      if (!sectionValidator((data as Record<string, unknown>)[key])) {
        validate.errors = (sectionValidator.errors ?? []).map((e) => ({ ...e, instancePath: `/${key}${e.instancePath}` }));
        return false;
      }
    }
    return true;
  };
  compiled.set(spec, validate);
}

function validatorFor(spec: ConfigSpec): LayerValidator {
  let v = compiled.get(spec);
  if (!v) {
    const { Ajv } = requireCjs('ajv') as typeof import('ajv');
    v = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(layerSchema(spec));
    compiled.set(spec, v);
  }
  return v;
}

function pathOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a dotted path in a plain object tree, or undefined. */
export function valueAt(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What is wrong with a layer, as data, so a caller can word it in its own format. */
export type LayerProblem =
  /** A key the spec does not declare; `known` are the keys declared beside it (bare). */
  | { kind: 'unknown'; path: string[]; known: string[]; guess: string | undefined }
  /** A declared item whose value fails its schema. */
  | { kind: 'item'; path: string[]; item: ConfigItem<unknown>; value: unknown }
  /** A section that is not a mapping (`path` empty: the whole layer); `keys` are its declared keys. */
  | { kind: 'section'; path: string[]; keys: string[] };

function problemOf(spec: ConfigSpec, layer: unknown, error: ErrorObject): LayerProblem {
  const path = pathOf(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params['additionalProperty']);
    const section = specAt(spec, path);
    const known = section && !isItem(section) ? Object.keys(section) : [];
    return { kind: 'unknown', path: [...path, key], known, guess: didYouMean(key, known) };
  }
  // Find the declared item the failing value belongs to (a list entry belongs to its list).
  for (let n = path.length; n > 0; n--) {
    const node = specAt(spec, path.slice(0, n));
    if (node && isItem(node)) {
      const itemPath = path.slice(0, n);
      return { kind: 'item', path: itemPath, item: node, value: valueAt(layer, itemPath) };
    }
  }
  const section = specAt(spec, path);
  return { kind: 'section', path, keys: section && !isItem(section) ? Object.keys(section) : [] };
}

/** The first schema problem of one layer, or undefined when it is valid (item checks are not run). */
export function layerProblem(spec: ConfigSpec, layer: unknown): LayerProblem | undefined {
  const validate = validatorFor(spec);
  if (validate(layer)) return undefined;
  const first = validate.errors?.[0];
  return first ? problemOf(spec, layer, first) : { kind: 'section', path: [], keys: Object.keys(spec) };
}

function explain(p: LayerProblem): string {
  if (p.kind === 'unknown') {
    const prefix = p.path.length > 1 ? `${p.path.slice(0, -1).join('.')}.` : '';
    const hint = p.guess ? ` (did you mean '${prefix}${p.guess}'?)` : ` (known keys here: ${p.known.map((k) => prefix + k).join(', ')})`;
    return `unknown key '${p.path.join('.')}'${hint}`;
  }
  if (p.kind === 'item') return `key '${p.path.join('.')}' must be ${p.item.expect} (got ${shown(p.value)})`;
  const keys = p.keys.join(', ');
  return p.path.length ? `key '${p.path.join('.')}' must be a section (a mapping with keys ${keys})` : `must be a mapping of settings (keys: ${keys})`;
}

/**
 * Validate one layer of settings against a spec. Throws ConfigError prefixed
 * with `source` (e.g. `config /etc/cohort/server.yaml`) naming the first bad
 * key: unknown keys with a did-you-mean suggestion, wrong types with what was
 * expected, and failed item checks (e.g. identity not subject-safe).
 */
export function validateLayer(spec: ConfigSpec, layer: unknown, source: string): void {
  const problem = layerProblem(spec, layer);
  if (problem) throw new ConfigError(`${source}: ${explain(problem)}`);
  checkItems(spec, layer, source);
}

/** Run every item's extra check on the values present in `tree`. */
export function checkItems(spec: ConfigSpec, tree: unknown, source: string): void {
  for (const [path, node] of itemsOf(spec)) {
    if (!node.check) continue;
    const value = valueAt(tree, path.split('.'));
    if (value === undefined) continue;
    const reason = node.check(value);
    if (reason) throw new ConfigError(`${source}: key '${path}' ${reason}`);
  }
}
