import { UsageError } from '@cohort/core';
import { connectHandlersBus, createHandler, HandlerService, loadHandlersConfig, loadHandlersTrust, type Handler } from '@cohort/handlers';
import { realTime } from '@cohort/provisioner';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { provisionerAuth, provisionerSession } from './provisioner-connect.js';
import { serveUntilSignal, serviceLogger } from './serve.js';

/**
 * `cohort handlers run`: load and validate the handlers file, connect, run
 * the service until SIGINT or SIGTERM, then finish the event in hand and
 * stop. A second signal exits at once (the event is handled again after the
 * restart; its deliveries are not repeated).
 */
export async function runHandlers(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'config');
  if (file === undefined) throw new UsageError('give the handlers file: cohort handlers run --config handlers.yaml');
  const config = loadHandlersConfig(file, io.env);
  const trust = loadHandlersTrust(config);
  if (bool(argv, 'check-config')) {
    io.stdout.write(`${file}: good: ${config.handlers.size} handler(s) (${[...config.handlers.values()].map((h) => `${h.name}: ${h.type}`).join(', ')}), defaults ${config.defaults.join(', ')}\n`);
    return { kind: 'done' };
  }
  const log = await serviceLogger(argv, 'handlers');
  for (const w of trust.warnings) log.warn(w);
  const session = await provisionerSession(argv, io, config.collective);
  const connectTimeout = str(argv, 'connect-timeout');
  const bus = await connectHandlersBus({
    servers: session.servers,
    auth: provisionerAuth(argv, io, session),
    collective: config.collective,
    consumer: config.consumer,
    start: config.start,
    ackWaitMs: config.ackWaitMs,
    bucket: config.bucket,
    ...(connectTimeout !== undefined ? { connectTimeoutMs: Number(connectTimeout) * 1000 } : {}),
  });
  const handlers = new Map<string, Handler>([...config.handlers.values()].map((spec) => [spec.name, createHandler(spec)]));
  try {
    const service = new HandlerService({ config, events: bus.events, tracks: bus.tracks, deliveries: bus.deliveries, handlers, trust, log, time: realTime });
    await serveUntilSignal(service, log);
    return { kind: 'done' };
  } finally {
    for (const h of handlers.values()) h.close();
    await bus.close();
  }
}
