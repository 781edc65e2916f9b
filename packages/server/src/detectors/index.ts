/**
 * Detectors (Kunai's): rules in cohortd's config that add classes to the node
 * while their `apply_if` expression is true. Each is evaluated at its own
 * interval; the union of the classes of the true ones is handed to the node
 * state, which rebuilds the view filters match (`-C`) and republishes the
 * registry record when it changed: no restart.
 */
import { errorMessage, parseExpression, parseMineDuration, truthy, evaluate, type DetectorSpec, type Expression, type HostFunction, type Value } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { MetricSnapshot } from '../check-kinds/types.js';

export const defaultDetectorIntervalMs = 60_000;

export interface DetectorsOptions {
  readonly detectors: readonly DetectorSpec[];
  /** Host functions (grep, fact, metric). */
  readonly functions: Readonly<Record<string, HostFunction>>;
  /** Collector metrics, usable by name (`load.load1 > 4`). */
  readonly metrics: () => MetricSnapshot;
  /** Receives the detected classes whenever a detector's outcome changes. */
  readonly setClasses: (classes: readonly string[]) => void;
  readonly log: Logger;
}

export interface Detectors {
  /** Evaluate every detector once (awaited), then each at its interval. */
  start(): Promise<void>;
  stop(): void;
  /** Evaluate every detector now. */
  evaluateAll(): Promise<void>;
  /** Names of the detectors currently true. */
  active(): string[];
}

interface Detector {
  readonly spec: DetectorSpec;
  readonly expr: Expression;
  readonly intervalMs: number;
  matched: boolean;
  lastError?: string;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export function createDetectors(options: DetectorsOptions): Detectors {
  const { log } = options;
  const detectors: Detector[] = options.detectors.map((spec) => {
    const ms = spec.interval === undefined ? defaultDetectorIntervalMs : parseMineDuration(spec.interval);
    // The config was validated (detectorProblem); parse again to hold the tree.
    return { spec, expr: parseExpression(spec.apply_if), intervalMs: typeof ms === 'number' ? ms : defaultDetectorIntervalMs, matched: false };
  });
  const scope = {
    lookup: (name: string): Value | undefined => options.metrics().get(name),
    functions: options.functions,
  };

  function publish(): void {
    options.setClasses(detectors.filter((d) => d.matched).flatMap((d) => d.spec.classes));
  }

  async function evaluateOne(d: Detector): Promise<void> {
    let matched = false;
    try {
      matched = truthy(await evaluate(d.expr, scope));
      if (d.lastError !== undefined) log.info(`detector ${d.spec.name} evaluates again`);
      d.lastError = undefined;
    } catch (err) {
      // An expression that cannot be evaluated (a file outside fstat_paths, an unknown metric) is false.
      const reason = errorMessage(err);
      if (d.lastError !== reason) log.warn(`detector ${d.spec.name}: ${reason}; counts as false`);
      d.lastError = reason;
    }
    if (matched !== d.matched) {
      d.matched = matched;
      log.info(`detector ${d.spec.name} is now ${matched ? 'true' : 'false'}: classes ${d.spec.classes.join(', ')} ${matched ? 'added' : 'removed'}`);
      publish();
    }
  }

  const run = (d: Detector) => (d.running ??= evaluateOne(d).finally(() => (d.running = undefined)));

  return {
    async start() {
      await Promise.all(detectors.map(run));
      for (const d of detectors) {
        d.timer ??= setInterval(() => void run(d), d.intervalMs);
        d.timer.unref();
      }
    },
    stop() {
      for (const d of detectors) {
        clearInterval(d.timer);
        d.timer = undefined;
      }
    },
    async evaluateAll() {
      await Promise.all(detectors.map(run));
    },
    active: () => detectors.filter((d) => d.matched).map((d) => d.spec.name),
  };
}
