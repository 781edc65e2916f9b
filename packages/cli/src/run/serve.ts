import type { Logger, LogLevel } from '@cohort/core/log';
import { str, type Args } from '../args.js';

/** A long-running service the CLI runs in the foreground (`cohort provisioner run`, `cohort handlers run`). */
export interface ForegroundService {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly counts: object;
}

/** The service's logger from --log-level and --log-format, under namespace `ns`. */
export async function serviceLogger(argv: Args, ns: string): Promise<Logger> {
  // The logger stays out of the CLI bundle's entry (see scripts/bundle.mjs): loaded only here.
  const { createLogger } = await import('@cohort/core/log');
  return createLogger({ level: (str(argv, 'log-level') ?? 'info') as LogLevel, format: str(argv, 'log-format') === 'json' ? 'json' : 'text' }).child({ ns });
}

/**
 * Start `service` and run it until SIGINT or SIGTERM, then stop it (it
 * finishes the work in hand) and log its counts. A second signal exits at
 * once.
 */
export async function serveUntilSignal(service: ForegroundService, log: Logger): Promise<void> {
  const stopped = untilSignal(() => service.stop());
  await service.start();
  const signal = await stopped;
  log.info(`stopped on ${signal}: ${Object.entries(service.counts).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
}

/** Resolves (after `stop`) with the first SIGINT/SIGTERM; a second one exits at once. */
function untilSignal(stop: () => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    let seen: string | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (seen !== undefined) process.exit(sig === 'SIGINT' ? 130 : 143);
      seen = sig;
      void stop().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(sig);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
