import { UsageError } from '@cohort/core';
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
import { serveUntilSignal, serviceLogger } from './serve.js';

/**
 * `cohort provisioner run`: load the pipeline, connect, run until SIGINT or
 * SIGTERM, then let running steps finish and release their nodes. A second
 * signal exits at once (the nodes are then resumed after their lease).
 */
export async function runProvisioner(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'config');
  if (file === undefined) throw new UsageError('give the pipeline file: cohort provisioner run --config pipeline.yaml');
  const pipeline = loadPipeline(file, io.env);
  const log = await serviceLogger(argv, 'provisioner');
  const { bus, provisioning, production, verified, session } = await connectCollectives(argv, io, pipeline);
  const fleet = rpcFleet({ bus, provisioning, production, verified });
  const closers: Array<() => Promise<void> | void> = [() => fleet.close()];
  try {
    const store = await openKvStateStore({ servers: session.servers, auth: provisionerAuth(argv, io, session), bucket: pipeline.config.state.bucket, create: true });
    closers.unshift(() => store.close());
    const notify = createNotifiers(pipeline.config.notify, log);
    closers.unshift(() => notify.close());
    const service = new Provisioner({ pipeline, fleet, store, notifiers: notify.notifiers, log, time: realTime });
    await serveUntilSignal(service, log);
    return { kind: 'done' };
  } finally {
    for (const close of closers) await close();
  }
}
