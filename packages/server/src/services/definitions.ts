import { isIP } from 'node:net';
import { parseMineDuration, serviceLabelPattern } from '@cohort/core';
import type { LocalKind } from '../local-sources.js';

/** How a service's health is decided. */
export type ServiceHealthSpec =
  | { readonly kind: 'none' }
  /** The state of a node-side check (docs/checks-node.md), by name. */
  | { readonly kind: 'check'; readonly check: string }
  /** A TCP connect to host:port every interval. */
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly intervalMs: number; readonly timeoutMs: number }
  /** An HTTP GET every interval: 2xx passing, 429 warning, anything else critical. */
  | { readonly kind: 'http'; readonly url: string; readonly intervalMs: number; readonly timeoutMs: number };

/** One service as declared on this node. */
export interface ServiceDefinition {
  readonly name: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly health: ServiceHealthSpec;
  /** `config` or `drop-in <file>`. */
  readonly source: string;
}

export const defaultProbeIntervalMs = 10_000;
export const defaultProbeTimeoutMs = 2_000;
export const minProbeIntervalMs = 1_000;
/** At most this many services in a record (the registration schema's limit). */
export const maxServices = 256;
const maxTags = 64;
const maxUrlLength = 400;
const serviceFields = new Set(['port', 'tags', 'health']);
const healthFields = new Set(['check', 'tcp', 'http', 'interval', 'timeout']);
const checkNamePattern = /^[a-z][a-z0-9_-]{0,63}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the record's `health_source` says about a spec: `check:<name>`, `tcp:<host:port>`, `http:<url>`, `none`. */
export function healthSource(spec: ServiceHealthSpec): string {
  switch (spec.kind) {
    case 'none':
      return 'none';
    case 'check':
      return `check:${spec.check}`;
    case 'tcp':
      return `tcp:${hostPort(spec.host, spec.port)}`;
    case 'http':
      return `http:${spec.url}`;
  }
}

/** `host:port`, with brackets around an IPv6 literal. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parse `host:port` or `[v6]:port`; a reason when it is not one. */
export function parseTcpTarget(raw: string): { host: string; port: number } | string {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(raw) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) return `must be host:port, e.g. 127.0.0.1:6379 or [::1]:6379 (got '${raw}')`;
  const host = m[1] as string;
  if (raw.startsWith('[') && isIP(host) !== 6) return `'${host}' is not an IPv6 address`;
  return { host, port };
}

function probeTimes(where: string, raw: Record<string, unknown>): { intervalMs: number; timeoutMs: number } | string {
  let intervalMs = defaultProbeIntervalMs;
  if (raw['interval'] !== undefined) {
    const ms = parseMineDuration(raw['interval']);
    if (typeof ms === 'string') return `${where}: health.interval ${ms}`;
    if (ms < minProbeIntervalMs) return `${where}: health.interval must be at least 1s`;
    intervalMs = ms;
  }
  let timeoutMs = Math.min(defaultProbeTimeoutMs, intervalMs);
  if (raw['timeout'] !== undefined) {
    const ms = parseMineDuration(raw['timeout']);
    if (typeof ms === 'string') return `${where}: health.timeout ${ms}`;
    if (ms > intervalMs) return `${where}: health.timeout (${ms / 1000} s) must not be longer than health.interval (${intervalMs / 1000} s)`;
    timeoutMs = ms;
  }
  return { intervalMs, timeoutMs };
}

function parseHealth(where: string, raw: unknown): ServiceHealthSpec | string {
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (!isObject(raw)) return `${where}: health must be a map with one of check: NAME, tcp: HOST:PORT or http: URL`;
  const unknown = Object.keys(raw).find((k) => !healthFields.has(k));
  if (unknown !== undefined) return `${where}: unknown setting 'health.${unknown}' (known: ${[...healthFields].join(', ')})`;
  const given = (['check', 'tcp', 'http'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1) return `${where}: health must have exactly one of check, tcp or http (got ${given.length === 0 ? 'none' : given.join(' and ')})`;
  const how = given[0] as 'check' | 'tcp' | 'http';
  const value = raw[how];
  if (how === 'check') {
    if (raw['interval'] !== undefined || raw['timeout'] !== undefined) return `${where}: health.interval and health.timeout are the check's own settings; set them on the check`;
    if (typeof value !== 'string' || !checkNamePattern.test(value)) return `${where}: health.check must be the name of a check on this node (got ${JSON.stringify(value)})`;
    return { kind: 'check', check: value };
  }
  const times = probeTimes(where, raw);
  if (typeof times === 'string') return times;
  if (typeof value !== 'string') return `${where}: health.${how} must be a string (got ${JSON.stringify(value)})`;
  if (how === 'tcp') {
    const hp = parseTcpTarget(value);
    if (typeof hp === 'string') return `${where}: health.tcp ${hp}`;
    return { kind: 'tcp', ...hp, ...times };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${where}: health.http must be an http:// or https:// URL (got '${value}')`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${where}: health.http must be an http:// or https:// URL (got '${value}')`;
  if (value.length > maxUrlLength) return `${where}: health.http is longer than ${maxUrlLength} characters`;
  if (url.username || url.password) return `${where}: health.http must not carry a user or password (it is published in the registry record)`;
  return { kind: 'http', url: value, ...times };
}

/**
 * One service: `port` (1-65535), `tags` (DNS labels), optional `health`
 * (`check: NAME`, or `tcp: HOST:PORT` / `http: URL` with `interval`,
 * default 10s, and `timeout`, default 2s). Returns the definition, or a
 * reason naming the service and the bad setting.
 */
export function parseServiceDefinition(name: string, raw: unknown, source: string): ServiceDefinition | string {
  const where = `service '${name}'`;
  if (!serviceLabelPattern.test(name)) return `${where}: the name must be a DNS label: 1 to 63 lower-case letters, digits or '-', not starting or ending with '-'`;
  if (!isObject(raw)) return `${where}: must be a map of settings (port, tags, health)`;
  const unknown = Object.keys(raw).find((k) => !serviceFields.has(k));
  if (unknown !== undefined) return `${where}: unknown setting '${unknown}' (known: ${[...serviceFields].join(', ')})`;
  const port = raw['port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return `${where}: port must be a whole number from 1 to 65535 (got ${JSON.stringify(port)})`;
  const tags = raw['tags'] ?? [];
  if (!Array.isArray(tags)) return `${where}: tags must be a list of DNS labels`;
  if (tags.length > maxTags) return `${where}: tags: at most ${maxTags} (got ${tags.length})`;
  for (const t of tags) {
    if (typeof t !== 'string' || !serviceLabelPattern.test(t)) return `${where}: tags: ${JSON.stringify(t)} is not a DNS label (lower-case letters, digits or '-', at most 63)`;
  }
  const health = parseHealth(where, raw['health']);
  if (typeof health === 'string') return health;
  return { name, port, tags: [...new Set(tags as string[])], health, source };
}

/** Parse a map of name -> settings; bad entries are reported and left out. */
export function parseServiceDefinitions(raw: unknown, source: string): { services: ServiceDefinition[]; errors: string[] } {
  if (raw === undefined || raw === null) return { services: [], errors: [] };
  if (!isObject(raw)) return { services: [], errors: [`${source}: services must be a map of service names to settings`] };
  const services: ServiceDefinition[] = [];
  const errors: string[] = [];
  for (const [name, settings] of Object.entries(raw)) {
    const d = parseServiceDefinition(name, settings, source);
    if (typeof d === 'string') errors.push(`${d} (${source})`);
    else services.push(d);
  }
  return { services, errors };
}

/** Services as a kind of local declarations (local-sources.ts). */
export const servicesLocalKind: LocalKind<ServiceDefinition> = {
  label: 'services',
  wrapper: 'services',
  select: (config) => ({ inline: config.services, dir: config.services_dir }),
  parse: (raw, source) => {
    const { services, errors } = parseServiceDefinitions(raw, source);
    return { items: services, errors };
  },
};
