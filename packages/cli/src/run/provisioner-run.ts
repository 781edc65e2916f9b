import { UsageError } from '@cohort/core';
import type { LogLevel } from '@cohort/core/log';
import { rpcFleet } from '@cohort/provisioner';
import { createNotifiers } from '@cohort/provisioner';
import { loadPipeline } from '@cohort/provisioner';
import { Provisioner } from '@cohort/provisioner';
import { openKvStateStore } from '@cohort/provisioner';
import { realTime } from '@cohort/provisioner';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectCollectives, provisionerAuth } from './provisioner-connect.js';

/**
 * `cohort provisioner run`: load the pipeline, connect, run until SIGINT or
 * SIGTERM, then let running steps finish and release their nodes. A second
 * signal exits at once (the nodes are then resumed after their lease).
 */
export async function runProvisioner(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'config');
  if (file === undefined) throw new UsageError('give the pipeline file: cohort provisioner run --config pipeline.yaml');
  const pipeline = loadPipeline(file, io.env);
  // winston stays out of the CLI bundle (see scripts/bundle.mjs): loaded only here.
  const { createLogger } = await import('@cohort/core/log');
  const log = createLogger({ level: (str(argv, 'log-level') ?? 'info') as LogLevel, format: str(argv, 'log-format') === 'json' ? 'json' : 'text' }).child({ ns: 'provisioner' });
  const { bus, provisioning, production, verified, session } = await connectCollectives(argv, io, pipeline);
  const fleet = rpcFleet({ bus, provisioning, production, verified });
  const closers: Array<() => Promise<void> | void> = [() => fleet.close()];
  try {
    const store = await openKvStateStore({ servers: session.servers, auth: provisionerAuth(argv, io, session), bucket: pipeline.config.state.bucket, create: true });
    closers.unshift(() => store.close());
    const notify = createNotifiers(pipeline.config.notify, log);
    closers.unshift(() => notify.close());
    const service = new Provisioner({ pipeline, fleet, store, notifiers: notify.notifiers, log, time: realTime });
    const stopped = untilSignal(() => service.stop());
    await service.start();
    const signal = await stopped;
    log.info(`stopped on ${signal}: ${Object.entries(service.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return { kind: 'done' };
  } finally {
    for (const close of closers) await close();
  }
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
