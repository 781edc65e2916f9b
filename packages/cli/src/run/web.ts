import { ConfigError, UsageError } from '@cohort/core';
import { Client } from '@cohort/client';
import { buildConsole, loadWebConfig } from '@cohort/web';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { serveUntilSignal, serviceLogger } from './serve.js';

/**
 * `cohort web --config web.yaml`: the web console. One NATS connection (the
 * client config's servers and credentials) shared by a client per user, each
 * signing with that user's key; serves until SIGINT or SIGTERM.
 */
export async function runWeb(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'config');
  if (file === undefined) throw new UsageError('give the console\'s settings: cohort web --config web.yaml (see docs/web.md; an empty file takes every default)');
  const config = loadWebConfig(file);
  const { config: _webYaml, ...rest } = argv;
  const sessionArgs: Args = config.clientConfig === undefined ? rest : { ...rest, config: config.clientConfig };
  const session = await openSession(sessionArgs, io, { keepsRunning: true });
  if (!session.nodeTrust) {
    throw new ConfigError('cohort web shows only verified registry records: give the issuer of the node certificates (issuers in the client config named by client_config in web.yaml, or COHORT_CONFIG)');
  }
  // Long-lived: every page reads the same signed records (registry, mined values, check states) again; a record
  // that verified before costs a hash, a changed one is checked (TrustStore.rememberSignatures).
  session.nodeTrust.rememberSignatures();
  const log = await serviceLogger(argv, 'web');
  const bus = await session.openBus();
  let listening: { close(): Promise<void> } | undefined;
  const service = {
    async start() {
      const { app } = await buildConsole({
        config,
        bus,
        servers: session.servers,
        collective: session.collective,
        ddl: session.ddl,
        nodeTrust: session.nodeTrust,
        log,
        clientFor: (signer, callerid) =>
          Client.connect({
            servers: session.servers,
            bus,
            collective: session.collective,
            ddl: session.ddl,
            discoveryMethod: 'registry',
            ...(signer ? { signer } : { callerid }),
            ...(session.nodeTrust ? { nodeTrust: session.nodeTrust } : {}),
          }),
      });
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (err) {
        throw new UsageError(`cannot listen on ${config.host}:${config.port} (listen in ${file}): ${(err as Error).message}`, { cause: err });
      }
      listening = app;
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      log.info(`serving the console on ${config.tls ? 'https' : 'http'}://${host}:${port}/ (collective ${session.collective}, users ${config.usersFile})`);
    },
    async stop() {
      await listening?.close();
      listening = undefined;
    },
    counts: {},
  };
  try {
    await serveUntilSignal(service, log);
    return { kind: 'done' };
  } finally {
    await service.stop();
    await bus.close();
  }
}
