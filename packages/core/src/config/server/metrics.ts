import { parseExpression } from '../../expression/parser.js';
import { ExpressionError } from '../../expression/error.js';
import { parseMineDuration } from '../../mine/duration.js';
import { item } from '../spec.js';

/** The built-in collectors (packages/server/src/metrics/collectors). */
export const metricCollectorNames = ['cpu', 'load', 'memory', 'disk', 'network', 'processes', 'uptime'] as const;
export type MetricCollectorName = (typeof metricCollectorNames)[number];

const hostPort = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const portOk = (v: string) => {
  const port = Number(v.slice(v.lastIndexOf(':') + 1));
  return port >= 0 && port <= 65535;
};
const prefixPattern = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * `metrics:` in the server configuration (docs/metrics.md): the built-in
 * collectors, Prometheus `/metrics` (opt-in) and the Graphite push (opt-in).
 */
export const metricsSection = {
  collectors: item<readonly MetricCollectorName[]>({
    default: [...metricCollectorNames],
    doc: `built-in collectors sampled at metrics.interval (${metricCollectorNames.join(', ')}); [] turns them off`,
    schema: { type: 'array', uniqueItems: true, items: { enum: [...metricCollectorNames] } },
    expect: `a list of collector names (${metricCollectorNames.join(', ')})`,
  }),
  interval: item<number>({
    default: 15,
    doc: 'seconds between two samples of the collectors',
    schema: { type: 'number', minimum: 1, maximum: 3600 },
    expect: 'a number of seconds from 1 to 3600',
  }),
  prometheus: {
    listen: item<string | null>({
      default: null,
      doc: 'host:port to serve Prometheus /metrics on (e.g. 127.0.0.1:9180); null: no HTTP listener',
      schema: { type: ['string', 'null'], minLength: 3, maxLength: 300 },
      expect: 'host:port (e.g. 127.0.0.1:9180) or null',
      env: 'COHORT_METRICS_PROMETHEUS_LISTEN',
      check: (v) => (v === null || (hostPort.test(v) && portOk(v)) ? undefined : `must be host:port, e.g. 127.0.0.1:9180 (got '${v}')`),
    }),
  },
  graphite: {
    carbon: item<string | null>({
      default: null,
      doc: "carbon's plaintext listener (host:port, usually port 2003) to push collector metrics and perfdata to; null: no push",
      schema: { type: ['string', 'null'], minLength: 3, maxLength: 300 },
      expect: 'host:port (e.g. graphite.example.com:2003) or null',
      env: 'COHORT_METRICS_GRAPHITE_CARBON',
      check: (v) => (v === null || (hostPort.test(v) && portOk(v)) ? undefined : `must be host:port, e.g. graphite.example.com:2003 (got '${v}')`),
    }),
    prefix: item<string>({
      default: 'cohort',
      doc: 'first element(s) of every Graphite path: <prefix>.<identity>.<group>.<metric>',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      expect: 'dot-separated words of letters, digits, _ and -',
      check: (v) => (prefixPattern.test(v) ? undefined : `must be dot-separated words of letters, digits, _ and - (got '${v}')`),
    }),
    interval: item<number>({
      default: 15,
      doc: 'seconds between two pushes; keep it equal to the finest retention of storage-schemas.conf (docs/metrics.md)',
      schema: { type: 'number', minimum: 1, maximum: 3600 },
      expect: 'a number of seconds from 1 to 3600',
    }),
    buffer: item<number>({
      default: 10_000,
      doc: 'lines kept while carbon is unreachable; beyond that the oldest are dropped (and counted)',
      schema: { type: 'integer', minimum: 1, maximum: 10_000_000 },
      expect: 'an integer from 1 to 10000000',
    }),
    render_url: item<string | null>({
      default: null,
      doc: "graphite-web's base URL (e.g. http://graphite.example.com) that graphite checks query through /render, unless a check names its own",
      schema: { type: ['string', 'null'], minLength: 1, maxLength: 2000 },
      expect: 'an http(s) URL or null',
      check: (v) => (v === null || /^https?:\/\/[^\s]+$/.test(v) ? undefined : `must be an http:// or https:// URL (got '${v}')`),
    }),
  },
} as const;

/** One detector as declared. */
export interface DetectorSpec {
  readonly name: string;
  /** An expression (docs/metrics.md); when true, the node gets `classes`. */
  readonly apply_if: string;
  readonly classes: readonly string[];
  /** Seconds or a duration (`5m`); default 60 s. */
  readonly interval?: number | string;
}

const classPattern = '^[A-Za-z0-9_:.-]{1,128}$';

/** Why a detector list is wrong, or undefined. */
export function detectorProblem(list: readonly DetectorSpec[]): string | undefined {
  const names = new Set<string>();
  for (const [k, d] of list.entries()) {
    if (names.has(d.name)) return `has two detectors named '${d.name}'`;
    names.add(d.name);
    try {
      parseExpression(d.apply_if);
    } catch (err) {
      if (err instanceof ExpressionError) return `item ${k} ('${d.name}'): apply_if: ${err.message}`;
      throw err;
    }
    if (d.interval !== undefined) {
      const ms = parseMineDuration(d.interval);
      if (typeof ms === 'string') return `item ${k} ('${d.name}'): interval ${ms}`;
      if (ms < 1000) return `item ${k} ('${d.name}'): interval must be at least 1s`;
    }
  }
  return undefined;
}

/**
 * `detectors:` in the server configuration: rules evaluated at an interval
 * that add classes to the node while true (Kunai's detectors):
 *
 *   detectors:
 *     - { name: centos, apply_if: "grep('centos', '/etc/redhat-release')", classes: [linux, centos], interval: 60 }
 */
export const detectorsItem = item<readonly DetectorSpec[]>({
  default: [],
  doc: 'rules { name, apply_if, classes, interval } that add classes to the node while apply_if is true (docs/metrics.md)',
  schema: {
    type: 'array',
    maxItems: 1000,
    items: {
      type: 'object',
      required: ['name', 'apply_if', 'classes'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        apply_if: { type: 'string', minLength: 1, maxLength: 4096 },
        classes: { type: 'array', minItems: 1, items: { type: 'string', pattern: classPattern } },
        interval: { type: ['number', 'string'] },
      },
    },
  },
  expect: 'a list of { name, apply_if, classes, interval }',
  check: detectorProblem,
});
