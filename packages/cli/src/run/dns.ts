import { UsageError } from '@cohort/core';
import { Catalog, DnsServer, normaliseDomain, parseListen, RegistryFeed } from '@cohort/dns';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { serveUntilSignal, serviceLogger } from './serve.js';

/**
 * `cohort dns`: watch the collective's registry (verified records only) and
 * answer DNS over UDP and TCP on --listen until SIGINT or SIGTERM.
 */
export async function runDns(argv: Args, io: CliIo): Promise<Outcome> {
  const listenText = str(argv, 'listen') ?? '';
  const listen = parseListen(listenText);
  if ('error' in listen) throw new UsageError(listen.error);
  const domain = normaliseDomain(str(argv, 'domain') ?? 'cohort');
  if (typeof domain !== 'string') throw new UsageError(`--domain: ${domain.error}`);
  const ttl = Number(argv['ttl'] ?? 5);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 86_400) throw new UsageError(`--ttl ${String(argv['ttl'])} is not a whole number of seconds between 0 and 86400`);
  const session = await openSession(argv, io, { keepsRunning: true });
  const trust = session.nodeTrust;
  if (!trust) throw new UsageError('cohort dns answers only from signed registry records: give the issuer of the node certificates (--issuer FILE, or security issuers in the client config)');
  const log = await serviceLogger(argv, 'dns');
  const catalog = new Catalog({ domain, collective: session.collective });
  const server = new DnsServer(catalog, { host: listen.host, port: listen.port, zone: catalog.zone, ttl, log });
  const bus = await session.openBus();
  const feed = new RegistryFeed({ bus, collective: session.collective, trust, catalog, log });
  const service = {
    async start() {
      await feed.start();
      try {
        await server.start();
      } catch (err) {
        throw new UsageError(`cannot listen on ${listenText}: ${(err as Error).message}`, { cause: err });
      }
      const where = listen.host.includes(':') ? `[${listen.host}]:${server.port}` : `${listen.host}:${server.port}`;
      log.info(`answering *.${session.collective}.${domain} on ${where} (UDP and TCP), ttl ${ttl} s`);
    },
    async stop() {
      await server.stop();
      await feed.stop();
    },
    get counts() {
      const c = server.counts;
      return { queries: c.queries, ...c.rcodes, truncated: c.truncated, dropped: c.dropped };
    },
  };
  try {
    await serveUntilSignal(service, log);
    return { kind: 'done' };
  } finally {
    await service.stop();
    await bus.close();
  }
}
