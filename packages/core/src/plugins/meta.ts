import yaml from 'js-yaml';
import { PluginPackError } from './errors.js';

/** The meta file every pushed plugin directory holds. */
export const pluginMetaFile = 'plugin.yaml';

/** What a node does with a plugin: run it, keep it unloaded, or run it with debug logging. */
export const PluginState = { Enabled: 'enabled', Disabled: 'disabled', Debug: 'debug' } as const;
export type PluginState = (typeof PluginState)[keyof typeof PluginState];

/** `plugin.yaml`: who the plugin is, its version and state, its configuration defaults. */
export interface PluginMeta {
  /** The agent name (equal to the DDL's metadata.name): letters, digits and _. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Semantic version (1.2.3, 1.2.3-rc.1). */
  readonly version: string;
  readonly state: PluginState;
  /** Configuration defaults handed to the plugin (the file beside its module). */
  readonly config: Readonly<Record<string, unknown>>;
  /** A results template file in the directory (for the web console), if any. */
  readonly results_template?: string;
}

export const pluginNamePattern = /^[a-z0-9_]{1,64}$/;
// semver.org's grammar, without build metadata ambiguity: MAJOR.MINOR.PATCH[-pre][+build].
export const semverPattern = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const allowedKeys = new Set(['name', 'title', 'description', 'version', 'state', 'config', 'results_template']);
const states = new Set<string>(Object.values(PluginState));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with a meta value, naming the key; undefined when it is a valid PluginMeta. */
export function pluginMetaProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be a mapping of name, title, description, version, state, config';
  const extra = Object.keys(value).filter((k) => !allowedKeys.has(k));
  if (extra.length) return `unknown key(s) ${extra.map((k) => `'${k}'`).join(', ')} (allowed: ${[...allowedKeys].join(', ')})`;
  const { name, title, description, version, state, config, results_template: template } = value;
  if (typeof name !== 'string' || !pluginNamePattern.test(name)) return `name must be 1 to 64 lowercase letters, digits or _ (the agent name), got ${JSON.stringify(name)}`;
  if (typeof title !== 'string' || title.length === 0 || title.length > 200) return 'title must be a string of 1 to 200 characters';
  if (typeof description !== 'string' || description.length > 4000) return 'description must be a string of at most 4000 characters';
  if (typeof version === 'number') return `version must be a semantic version such as 1.0.0 or 2.1.0-rc.1, got the number ${version} (YAML reads 1.0 as a number: write 1.0.0, or quote it)`;
  if (typeof version !== 'string' || version.length > 64 || !semverPattern.test(version)) return `version must be a semantic version such as 1.0.0 or 2.1.0-rc.1, got ${JSON.stringify(version)}`;
  if (typeof state !== 'string' || !states.has(state)) return `state must be one of ${[...states].join(', ')}, got ${JSON.stringify(state)}`;
  if (config !== undefined && !isRecord(config)) return 'config must be a mapping of configuration defaults';
  if (template !== undefined && (typeof template !== 'string' || !safeRelativePath(template))) return 'results_template must be a relative file name inside the plugin directory';
  return undefined;
}

/** Parse and check `plugin.yaml`; throws PluginPackError naming the file and key. */
export function parsePluginMeta(text: string, file = pluginMetaFile): PluginMeta {
  let raw: unknown;
  try {
    raw = yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (err) {
    throw new PluginPackError(`${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (isRecord(raw) && raw['state'] === undefined) raw = { ...raw, state: PluginState.Enabled };
  if (isRecord(raw) && raw['description'] === undefined) raw = { ...raw, description: '' };
  const problem = pluginMetaProblem(raw);
  if (problem) throw new PluginPackError(`${file}: ${problem}`);
  const m = raw as Record<string, unknown>;
  return {
    name: m['name'] as string,
    title: m['title'] as string,
    description: m['description'] as string,
    version: m['version'] as string,
    state: m['state'] as PluginState,
    config: (m['config'] as Record<string, unknown> | undefined) ?? {},
    ...(m['results_template'] !== undefined ? { results_template: m['results_template'] as string } : {}),
  };
}

const segment = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A path inside a plugin: `/`-separated segments of letters, digits, `._-` (no leading dot, no `..`), at most 4 deep. */
export function safeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 512) return false;
  const parts = path.split('/');
  return parts.length <= 4 && parts.every((p) => segment.test(p) && p !== '..' && !p.includes('..'));
}

/** Compare two semantic versions: negative when a < b (pre-releases sort before their release). */
export function compareSemver(a: string, b: string): number {
  const pa = semverPattern.exec(a);
  const pb = semverPattern.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  const ra = pa[4];
  const rb = pb[4];
  if (ra === rb) return 0;
  if (ra === undefined) return 1;
  if (rb === undefined) return -1;
  return ra.localeCompare(rb, 'en', { numeric: true });
}
