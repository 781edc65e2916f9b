/**
 * The node's metrics (docs/metrics.md): built-in collectors sampled at an
 * interval, detectors adding classes, the Prometheus `/metrics` listener and
 * the Graphite push, all from `metrics:` and `detectors:` in cohortd's
 * config. server.ts starts it once and stops it on shutdown.
 */
import { errorMessage, type DataFunction, type HostFunction } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { DaemonCounters } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { MetricSnapshot } from '../check-kinds/types.js';
import { createDetectors, type Detectors } from '../detectors/index.js';
import { noCheckStates, type CheckStatesProvider } from './check-states.js';
import { createSampler, type Sampler } from './collectors/index.js';
import { nodeFunctions } from './functions.js';
import { CarbonClient, parseHostPort, pushLines } from './graphite-push.js';
import { startPrometheus, type PrometheusEndpoint } from './prometheus.js';

export { noCheckStates, type CheckStatesProvider, type CheckMetrics } from './check-states.js';
export type { Sampler, Sample } from './collectors/index.js';

export interface NodeMetricsOptions {
  readonly config: Pick<ServerConfig, 'identity' | 'metrics' | 'detectors' | 'security'>;
  /** The daemon's counters (Stats.snapshot). */
  readonly stats: () => DaemonCounters;
  /** fact() lookups (NodeState.data). */
  readonly data: DataFunction;
  /** Where detected classes go (NodeState.setDetectedClasses). */
  readonly setClasses: (classes: readonly string[]) => void;
  /** The checks' states and perfdata (the checks module); default none. */
  readonly checks?: CheckStatesProvider;
  readonly log: Logger;
}

export interface NodeMetrics {
  /** The collectors' latest values (CheckRunContext.metrics). */
  readonly snapshot: () => MetricSnapshot;
  /** Sample now unless the latest sample is younger than the interval: expression checks call it before reading. */
  readonly fresh: () => Promise<void>;
  readonly sampler: Sampler;
  /** Host functions for expressions on this node: grep, fact, metric. */
  readonly functions: Readonly<Record<string, HostFunction>>;
  readonly detectors: Detectors;
  /** The Prometheus endpoint's URL, when listening. */
  readonly prometheusUrl: string | undefined;
  /** Point the exporters at the checks module's states (once it is up). */
  setCheckStates(provider: CheckStatesProvider): void;
  stop(): Promise<void>;
}

/**
 * Start collectors, detectors, and (when configured) Prometheus and the
 * Graphite push. Rejects only when the Prometheus address cannot be bound
 * (naming it); carbon being down is retried in the background.
 */
export async function startNodeMetrics(options: NodeMetricsOptions): Promise<NodeMetrics> {
  const { config, log } = options;
  const m = config.metrics;
  let checks: CheckStatesProvider = options.checks ?? noCheckStates;
  const sampler = createSampler({ collectors: m.collectors, intervalMs: m.interval * 1000, log: log.child({ ns: 'server:metrics' }) });
  const snapshot = () => sampler.snapshot();
  const functions = nodeFunctions({ allow: config.security.fstat_paths, data: options.data, metrics: snapshot });
  // Sampled on a timer only for readers that need a steady series (Prometheus, Graphite, detectors);
  // otherwise on demand (expression checks call fresh()), so an idle node spends nothing on collectors.
  const steady = m.prometheus.listen !== null || m.graphite.carbon !== null || config.detectors.length > 0;
  // One sample at start either way: the baseline of the rates (cpu, network) for the first on-demand read.
  if (steady) await sampler.start();
  else await sampler.sample();
  const fresh = () => sampler.fresh(m.interval * 1000);
  const detectors = createDetectors({ detectors: config.detectors, functions, metrics: snapshot, setClasses: options.setClasses, log: log.child({ ns: 'server:detectors' }) });
  await detectors.start();

  let carbon: CarbonClient | undefined;
  let pushTimer: NodeJS.Timeout | undefined;
  if (m.graphite.carbon) {
    const { host, port } = parseHostPort(m.graphite.carbon);
    carbon = new CarbonClient({ host, port, maxBuffer: m.graphite.buffer, log: log.child({ ns: 'server:graphite' }) });
    const c = carbon;
    const push = () => {
      try {
        c.send(pushLines(m.graphite.prefix, config.identity, sampler.samples(), checks(), Date.now() / 1000));
      } catch (err) {
        log.warn(`graphite push skipped: ${errorMessage(err)}`);
      }
    };
    push();
    pushTimer = setInterval(push, m.graphite.interval * 1000);
    pushTimer.unref();
    log.info(`pushing metrics to carbon at ${m.graphite.carbon} every ${m.graphite.interval} s as ${m.graphite.prefix}.<identity>.*`);
  }

  let prometheus: PrometheusEndpoint | undefined;
  if (m.prometheus.listen) {
    const c = carbon;
    try {
      prometheus = await startPrometheus({
        listen: m.prometheus.listen,
        identity: config.identity,
        stats: options.stats,
        sampler,
        checks: () => checks(),
        ...(c ? { extra: () => ({ ...c.stats }) } : {}),
        log: log.child({ ns: 'server:prometheus' }),
      });
    } catch (err) {
      clearInterval(pushTimer);
      await carbon?.close();
      detectors.stop();
      sampler.stop();
      throw err;
    }
  }

  return {
    snapshot,
    fresh,
    sampler,
    functions,
    detectors,
    prometheusUrl: prometheus?.url,
    setCheckStates(provider) {
      checks = provider;
    },
    async stop() {
      clearInterval(pushTimer);
      detectors.stop();
      sampler.stop();
      await Promise.all([prometheus?.close(), carbon?.close()]);
    },
  };
}
export { createSampler, collectorNames, sampleKey, type SamplerOptions, type CollectorName } from './collectors/index.js';
export { parseProcStat, cpuPercentages } from './collectors/cpu.js';
export { parseLoadavg } from './collectors/load.js';
export { parseMeminfo, memorySamples } from './collectors/memory.js';
export { parseMounts, pseudoFilesystems } from './collectors/disk.js';
export { parseNetDev } from './collectors/network.js';
export { statState } from './collectors/processes.js';
export { nodeFunctions, grepFunction, maxGrepBytes } from './functions.js';
export { CarbonClient, graphiteLine, graphiteSegment, mountSegment, samplePath, pushLines, parseHostPort, type CarbonStats } from './graphite-push.js';
export { startPrometheus, promName, type PrometheusEndpoint, type PrometheusOptions } from './prometheus.js';
