import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError, errorMessage } from '../errors.js';
import { isItem, itemsOf, type ConfigItem, type ConfigSpec } from './spec.js';
import { valueAt } from './validate.js';

/** One source of settings: a config file, one environment variable, or the flags. */
export interface ConfigLayer {
  /** Names the source in error messages, e.g. `config /etc/cohort/server.yaml`. */
  readonly source: string;
  /** Nested settings as parsed (validated later against the spec). */
  readonly values: unknown;
  /** Directory that relative path settings in this layer resolve against (config files only). */
  readonly baseDir?: string;
}

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The defaults a spec declares, as a nested object. */
export function defaultsOf(spec: ConfigSpec): Tree {
  const out: Tree = {};
  for (const [key, node] of Object.entries(spec)) out[key] = isItem(node) ? node.default : defaultsOf(node);
  return out;
}

/** A YAML parse error on one line: reason, line and column (js-yaml's own message spans several lines). */
export function yamlErrorText(err: unknown): string {
  if (err instanceof yaml.YAMLException && err.mark) return `${err.reason} at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
  return errorMessage(err);
}

/** Read a YAML (or JSON) config file into a layer. Throws ConfigError naming the file. */
export function fileLayer(file: string): ConfigLayer {
  const source = `config ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${source}: cannot read the file: ${errorMessage(err)}`, { cause: err });
  }
  return textLayer(text, file);
}

/** A config file's text (read by the caller) as a layer. Throws ConfigError naming the file. */
export function textLayer(text: string, file: string): ConfigLayer {
  const source = `config ${file}`;
  let values: unknown;
  try {
    values = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA }) ?? {};
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${yamlErrorText(err)}`, { cause: err });
  }
  return { source, values, baseDir: dirname(resolve(file)) };
}

function fromString(node: ConfigItem<unknown>, raw: string): unknown {
  const type = node.schema['type'];
  const t = Array.isArray(type) ? type.find((x) => x !== 'null') : type;
  if (t === 'array') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if ((t === 'integer' || t === 'number') && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (t === 'boolean' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  return raw;
}

function setAt(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isTree(next) ? next : (node[key] = {});
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** One layer per environment variable the spec declares and `env` sets (lists are comma separated). */
export function envLayers(spec: ConfigSpec, env: Readonly<Record<string, string | undefined>>): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  for (const [path, node] of itemsOf(spec)) {
    const raw = node.env ? env[node.env] : undefined;
    if (raw === undefined || raw === '') continue;
    const values: Tree = {};
    setAt(values, path.split('.'), fromString(node, raw));
    layers.push({ source: `environment ${node.env}`, values });
  }
  return layers;
}

/** Resolve relative path settings in a (validated) layer against its base directory. */
export function resolvePaths(spec: ConfigSpec, layer: ConfigLayer): unknown {
  const base = layer.baseDir;
  if (!base || !isTree(layer.values)) return layer.values;
  const values = structuredClone(layer.values);
  const fix = (p: unknown): unknown => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? resolve(base, p) : p);
  for (const [path, node] of itemsOf(spec)) {
    if (!node.path) continue;
    const keys = path.split('.');
    const v = valueAt(values, keys);
    if (v !== undefined && v !== null) setAt(values, keys, Array.isArray(v) ? v.map(fix) : fix(v));
  }
  return values;
}

/** Deep merge of sections; any non-section value (including lists) replaces the earlier one. */
export function mergeTrees(base: Tree, over: unknown): Tree {
  if (!isTree(over)) return base;
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isTree(prev) && isTree(value) ? mergeTrees(prev, value) : value;
  }
  return out;
}

/** Freeze an object tree in place and return it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
