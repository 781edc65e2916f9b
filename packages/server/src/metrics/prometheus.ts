/**
 * Prometheus `/metrics` on cohortd (opt-in: metrics.prometheus.listen), with
 * prom-client: the daemon's statistics, the process (prom-client's default
 * metrics), the collectors' latest sample and the checks' states and
 * perfdata. Any other path is 404, any other method 405. prom-client is
 * loaded only when the listener is configured.
 */
import type { Server } from 'node:http';
import { errorMessage, exitCodeOfState, http, checkStates as allCheckStates, type CheckState } from '@cohort/core';
import type { DaemonCounters } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { Sampler } from './collectors/index.js';
import type { CheckStatesProvider } from './check-states.js';

export interface PrometheusOptions {
  /** host:port (metrics.prometheus.listen); port 0 picks a free one. */
  readonly listen: string;
  readonly identity: string;
  readonly stats: () => DaemonCounters;
  readonly sampler: Sampler;
  readonly checks: CheckStatesProvider;
  /** Further counters by name (graphite push statistics), exported as cohortd_<name>. */
  readonly extra?: () => Readonly<Record<string, number>>;
  readonly log: Logger;
}

export interface PrometheusEndpoint {
  /** The URL of /metrics as bound (with the real port). */
  readonly url: string;
  close(): Promise<void>;
}

/** A Prometheus metric name from parts: lower case, [a-z0-9_] only. */
export function promName(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}

const counterFields: ReadonlyArray<[keyof Omit<DaemonCounters, 'dropped' | 'templates'>, string, string]> = [
  ['total', 'cohortd_messages_received_total', 'messages received'],
  ['validated', 'cohortd_messages_validated_total', 'requests that passed validation'],
  ['unvalidated', 'cohortd_messages_unvalidated_total', 'requests that failed validation'],
  ['passed', 'cohortd_requests_passed_total', 'requests that passed the filter and were processed'],
  ['filtered', 'cohortd_requests_filtered_total', 'requests that did not match this node'],
  ['replies', 'cohortd_replies_total', 'replies sent'],
  ['ttlexpired', 'cohortd_requests_ttl_expired_total', 'requests outside their TTL'],
  ['events', 'cohortd_registry_events_total', 'registry events published'],
];

function splitHostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}

/** Start the /metrics listener. Rejects naming the address when it cannot listen. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusEndpoint> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  registry.setDefaultLabels({ identity: options.identity });
  prom.collectDefaultMetrics({ register: registry, prefix: 'cohortd_' });

  for (const [field, name, help] of counterFields) {
    new prom.Counter({
      name,
      help: `cohortd: ${help}`,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(options.stats()[field]);
      },
    });
  }
  new prom.Counter({
    name: 'cohortd_messages_dropped_total',
    help: 'cohortd: messages dropped (no reply, or refused), by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(options.stats().dropped)) this.inc({ reason }, n ?? 0);
    },
  });
  new prom.Counter({
    name: 'cohortd_collector_failures_total',
    help: 'cohortd: collector runs that failed',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(options.sampler.failures);
    },
  });
  if (options.extra) {
    const extra = options.extra;
    for (const name of Object.keys(extra())) {
      const metricName = promName('cohortd', name);
      const isTotal = metricName.endsWith('_total');
      const config = {
        name: metricName,
        help: `cohortd: ${name.replace(/_/g, ' ')}`,
        registers: [registry],
      };
      if (isTotal) {
        new prom.Counter({
          ...config,
          collect() {
            this.reset();
            this.inc(extra()[name] ?? 0);
          },
        });
      } else {
        new prom.Gauge({
          ...config,
          collect() {
            this.set(extra()[name] ?? 0);
          },
        });
      }
    }
  }
  new prom.Gauge({
    name: 'cohort_check_state',
    help: 'check state as a Nagios code: 0 ok (or maintenance), 1 warning, 2 critical, 3 unknown (or pending)',
    labelNames: ['check'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of options.checks()) this.set({ check: c.check }, exitCodeOfState(c.state));
    },
  });
  new prom.Gauge({
    name: 'cohort_check_status',
    help: 'check state, one series per state: 1 for the current one, 0 otherwise',
    labelNames: ['check', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of options.checks()) for (const s of allCheckStates as readonly CheckState[]) this.set({ check: c.check, state: s }, s === c.state ? 1 : 0);
    },
  });
  new prom.Gauge({
    name: 'cohort_check_perfdata',
    help: "checks' performance data (Nagios perfdata), by check, label and unit of measure",
    labelNames: ['check', 'label', 'uom'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of options.checks()) for (const p of c.perfdata) if (Number.isFinite(p.value)) this.set({ check: c.check, label: p.label, uom: p.uom ?? '' }, p.value);
    },
  });

  // Collector metrics: names are known once sampled, so created on first sight and refreshed at each scrape.
  const collectorMetrics = new Map<string, { metric: InstanceType<typeof prom.Gauge> | InstanceType<typeof prom.Counter>; counter: boolean }>();
  function refreshCollectors(): void {
    for (const { metric } of collectorMetrics.values()) metric.reset();
    for (const s of options.sampler.samples()) {
      const base = promName('cohort', s.group, s.metric);
      const name = s.counter ? `${base}_total` : base;
      let entry = collectorMetrics.get(name);
      const labelNames = s.group === 'disk' ? ['mount'] : s.group === 'net' ? ['interface'] : [];
      if (!entry) {
        const help = `collector ${s.group}: ${s.metric}${s.object !== undefined ? ` per ${labelNames[0]}` : ''}`;
        entry = s.counter
          ? { metric: new prom.Counter({ name, help, labelNames, registers: [registry] }), counter: true }
          : { metric: new prom.Gauge({ name, help, labelNames, registers: [registry] }), counter: false };
        collectorMetrics.set(name, entry);
      }
      const labels = s.object !== undefined && labelNames[0] ? { [labelNames[0]]: s.object } : {};
      if (entry.counter) (entry.metric as InstanceType<typeof prom.Counter>).inc(labels, s.value);
      else (entry.metric as InstanceType<typeof prom.Gauge>).set(labels, s.value);
    }
  }

  const log = options.log;
  const server: Server = http().createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: cohortd serves only /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('method not allowed: use GET\n');
      return;
    }
    try {
      refreshCollectors();
    } catch (err) {
      log.warn(`prometheus: collector metrics left out of this scrape: ${errorMessage(err)}`);
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        log.warn(`prometheus: scrape failed: ${errorMessage(err)}`);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket) => socket.destroy());

  const { host, port } = splitHostPort(options.listen);
  await new Promise<void>((ok, fail) => {
    server.once('error', (err) => fail(new Error(`cannot serve Prometheus metrics on ${options.listen} (metrics.prometheus.listen): ${errorMessage(err)}`)));
    server.listen(port, host, () => ok());
  });
  server.on('error', (err) => log.warn(`prometheus listener: ${errorMessage(err)}`));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`;
  log.info(`serving Prometheus metrics on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
