/**
 * Check definitions as people write them (the `checks:` config section, a
 * drop-in file, a signed fleet-wide definition) turned into CheckDefinition.
 * Pure; every problem is a reason naming the check and the setting.
 */
import { parseCompound } from '../filter/index.js';
import { parseMineDuration } from '../mine/duration.js';
import { checkNamePattern } from './subjects.js';
import type { CheckDefinition, CheckKindName, CheckSource } from './types.js';

/** Shortest interval allowed. */
export const minCheckIntervalMs = 1000;
/** Default interval, timeout and retries. */
export const defaultCheckIntervalMs = 60_000;
export const defaultCheckTimeoutMs = 30_000;
export const defaultCheckRetries = 3;
/** Highest retries allowed. */
export const maxCheckRetries = 100;

const kinds: readonly CheckKindName[] = ['nagios', 'expression', 'graphite'];
const fields = new Set(['kind', 'command', 'nrpe', 'vars', 'interval', 'splay', 'timeout', 'apply_on', 'retries', 'handlers', 'critical_if', 'warning_if', 'output', 'graphite']);
const varName = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const varRef = /\$([A-Za-z_][A-Za-z0-9_]{0,63})\$/g;

/**
 * A fleet-wide definition as stored (signed by its author, kind
 * `check-definition`) under the check's name in checkDefinitionsBucket: the
 * check's name and the same settings as in the config file (durations as
 * seconds or `60s`/`5m`). Nodes pick the ones whose `apply_on` they match.
 */
export interface CheckDefinitionSpec {
  name: string;
  [setting: string]: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Variables every node fills in a command itself: `$identity$` (as Nagios' `$HOSTNAME$`); a var of the same name wins. */
export const builtinCheckVars: readonly string[] = Object.freeze(['identity']);

/** `$name$` references in `text`, in order. */
export function checkVarRefs(text: string): string[] {
  return [...text.matchAll(varRef)].map((m) => m[1] ?? '');
}

/** Fill `$name$` in each argument from `vars` (unknown names stay as written; parseCheckDefinition refuses them). */
export function expandCheckVars(argv: readonly string[], vars: Readonly<Record<string, string | number | boolean>>): string[] {
  return argv.map((a) => a.replace(varRef, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole)));
}

function duration(where: string, field: string, raw: unknown, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const ms = parseMineDuration(raw);
  return typeof ms === 'string' ? `${where}: ${field} ${ms}` : ms;
}

/**
 * One check: `kind` (nagios, expression, graphite; default from the
 * settings), `command` (argv, no shell, `$name$` from vars) or `nrpe` (a
 * command name of the node's NRPE config), `vars`, `interval` (default
 * 60s), `splay` (default true), `timeout` (default 30s, at most the
 * interval), `apply_on` (a -S filter expression), `retries` (default 3),
 * `handlers`; expression: `critical_if`, `warning_if`, `output`; graphite:
 * `graphite: { target, window, url }`. Returns the definition, or a reason
 * naming the check and the bad setting.
 */
export function parseCheckDefinition(name: string, raw: unknown, source: CheckSource): CheckDefinition | string {
  const where = `check '${name}'`;
  if (!checkNamePattern.test(name)) return `${where}: the name must be 1 to 64 lower-case letters, digits, _ or -, starting with a letter`;
  if (!isObject(raw)) return `${where}: must be a map of settings (kind, command or nrpe, interval, ...)`;
  const unknown = Object.keys(raw).find((k) => !fields.has(k));
  if (unknown !== undefined) return `${where}: unknown setting '${unknown}' (known: ${[...fields].join(', ')})`;

  const rawKind = raw['kind'] ?? (raw['critical_if'] !== undefined || raw['warning_if'] !== undefined ? 'expression' : raw['graphite'] !== undefined ? 'graphite' : 'nagios');
  if (typeof rawKind !== 'string' || !(kinds as readonly string[]).includes(rawKind)) return `${where}: kind must be one of ${kinds.join(', ')} (got ${JSON.stringify(rawKind)})`;
  const kind = rawKind as CheckKindName;

  const vars: Record<string, string | number | boolean> = {};
  if (raw['vars'] !== undefined) {
    if (!isObject(raw['vars'])) return `${where}: vars must be a map of names to strings, numbers or booleans`;
    for (const [k, v] of Object.entries(raw['vars'])) {
      if (!varName.test(k)) return `${where}: vars: '${k}' is not a valid name (letters, digits and _)`;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `${where}: vars.${k} must be a string, number or boolean`;
      vars[k] = v;
    }
  }

  const intervalMs = duration(where, 'interval', raw['interval'], defaultCheckIntervalMs);
  if (typeof intervalMs === 'string') return intervalMs;
  if (intervalMs < minCheckIntervalMs) return `${where}: interval must be at least 1s`;
  const timeoutMs = duration(where, 'timeout', raw['timeout'], Math.min(defaultCheckTimeoutMs, intervalMs));
  if (typeof timeoutMs === 'string') return timeoutMs;
  if (timeoutMs > intervalMs) return `${where}: timeout (${timeoutMs / 1000} s) must not be longer than the interval (${intervalMs / 1000} s)`;
  const splay = raw['splay'] ?? true;
  if (typeof splay !== 'boolean') return `${where}: splay must be true or false`;
  const retries = raw['retries'] ?? defaultCheckRetries;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 1 || retries > maxCheckRetries) return `${where}: retries must be a whole number from 1 to ${maxCheckRetries}`;
  const handlers = raw['handlers'] ?? [];
  if (!Array.isArray(handlers) || !handlers.every((h): h is string => typeof h === 'string' && h !== '')) return `${where}: handlers must be a list of handler names`;
  const applyOn = raw['apply_on'];
  if (applyOn !== undefined) {
    if (typeof applyOn !== 'string' || applyOn.trim() === '') return `${where}: apply_on must be a filter expression (the -S language), e.g. "os.family=debian and /web/"`;
    try {
      parseCompound(applyOn);
    } catch (err) {
      return `${where}: apply_on: ${(err as Error).message}`;
    }
  }

  const common = {
    name,
    kind,
    vars,
    intervalMs,
    timeoutMs,
    splay,
    retries,
    handlers,
    source,
    ...(applyOn !== undefined ? { apply_on: applyOn as string } : {}),
  };
  const stray = (names: string[]): string | undefined => {
    const found = names.find((f) => raw[f] !== undefined);
    return found === undefined ? undefined : `${where}: '${found}' does not apply to ${kind} checks`;
  };

  if (kind === 'nagios') {
    const bad = stray(['critical_if', 'warning_if', 'output', 'graphite']);
    if (bad) return bad;
    const hasCommand = raw['command'] !== undefined;
    const hasNrpe = raw['nrpe'] !== undefined;
    if (hasCommand === hasNrpe) return `${where}: give either command (the plugin's argv) or nrpe (a command of the node's NRPE config), not ${hasCommand ? 'both' : 'neither'}`;
    if (hasNrpe) {
      const nrpe = raw['nrpe'];
      if (typeof nrpe !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(nrpe)) return `${where}: nrpe must be the name of a command in the node's NRPE config (e.g. check_load)`;
      return { ...common, nrpe };
    }
    if (source.startsWith('bus ')) return `${where}: command: plugin commands are declared only in the node's own config; a fleet-wide definition may use nrpe: (a command of the node's NRPE config)`;
    const argv = raw['command'];
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a): a is string => typeof a === 'string' && a !== '')) return `${where}: command must be a non-empty list of strings (argv; no shell)`;
    if (!(argv[0] ?? '').startsWith('/') && !(argv[0] ?? '').startsWith('$')) return `${where}: command: the plugin must be an absolute path (got '${argv[0] ?? ''}')`;
    for (const a of argv) {
      const missing = checkVarRefs(a).find((v) => !Object.hasOwn(vars, v) && !builtinCheckVars.includes(v));
      if (missing !== undefined) return `${where}: command uses $${missing}$ but vars has no '${missing}'`;
    }
    return { ...common, command: argv };
  }

  if (kind === 'expression') {
    const bad = stray(['command', 'nrpe', 'graphite']);
    if (bad) return bad;
    const rules: Record<string, string> = {};
    for (const f of ['critical_if', 'warning_if', 'output'] as const) {
      const v = raw[f];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.trim() === '') return `${where}: ${f} must be a non-empty string`;
      rules[f] = v;
    }
    if (rules['critical_if'] === undefined && rules['warning_if'] === undefined) return `${where}: an expression check needs critical_if or warning_if`;
    return { ...common, ...rules };
  }

  const bad = stray(['command', 'nrpe', 'critical_if', 'warning_if']);
  if (bad) return bad;
  const g = raw['graphite'];
  if (!isObject(g)) return `${where}: graphite must be a map { target, window, url }`;
  const target = g['target'];
  if (typeof target !== 'string' || target === '') return `${where}: graphite.target must be a Graphite target (e.g. "sumSeries(web.*.load)")`;
  const window = duration(where, 'graphite.window', g['window'], 600_000);
  if (typeof window === 'string') return window;
  const url = g['url'];
  if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\//.test(url))) return `${where}: graphite.url must be an http(s) URL`;
  const extra = Object.keys(g).find((k) => !['target', 'window', 'url'].includes(k));
  if (extra !== undefined) return `${where}: graphite: unknown setting '${extra}' (known: target, window, url)`;
  const output = raw['output'];
  if (output !== undefined && typeof output !== 'string') return `${where}: output must be a string`;
  return { ...common, graphite: { target, window: window / 1000, ...(url !== undefined ? { url: url as string } : {}) }, ...(output !== undefined ? { output: output as string } : {}) };
}

/** Every check of a `checks:` map (config section or drop-in file); bad ones are reported and left out. */
export function parseCheckDefinitions(raw: unknown, source: CheckSource): { checks: CheckDefinition[]; errors: string[] } {
  const checks: CheckDefinition[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { checks, errors };
  if (!isObject(raw)) return { checks, errors: [`${source}: the checks must be a map of name to settings`] };
  for (const [name, spec] of Object.entries(raw)) {
    const c = parseCheckDefinition(name, spec, source);
    if (typeof c === 'string') errors.push(`${source}: ${c}`);
    else checks.push(c);
  }
  return { checks, errors };
}

/** Shape check for a CheckDefinitionSpec read from the bus (for verifyData's `check`). */
export function checkDefinitionSpecProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the definition is not an object';
  if (typeof v['name'] !== 'string' || !checkNamePattern.test(v['name'])) return 'the definition has no valid name';
  return undefined;
}

/** A fleet-wide definition as a check of this node (the settings checked as for the config; never a command). */
export function checkOfSpec(spec: CheckDefinitionSpec, callerid: string): CheckDefinition | string {
  const { name, ...settings } = spec;
  const def = parseCheckDefinition(name, settings, `bus ${callerid}`);
  return typeof def === 'string' ? def : { ...def, definedBy: callerid };
}
