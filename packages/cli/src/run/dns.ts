import { UsageError } from '@cohort/core';
import type { LogLevel } from '@cohort/core/log';
import { Catalog, DnsServer, normaliseDomain, parseListen, RegistryFeed } from '@cohort/dns';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';

/**
 * `cohort dns`: watch the collective's registry (verified records only) and
 * answer DNS over UDP and TCP on --listen until SIGINT or SIGTERM.
 */
export async function runDns(argv: Args, io: CliIo): Promise<Outcome> {
  const listen = parseListen(str(argv, 'listen') ?? '');
  if ('error' in listen) throw new UsageError(listen.error);
  const domain = normaliseDomain(str(argv, 'domain') ?? 'cohort');
  if (typeof domain !== 'string') throw new UsageError(`--domain: ${domain.error}`);
  const ttl = Number(argv['ttl'] ?? 5);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 86_400) throw new UsageError(`--ttl ${String(argv['ttl'])} is not a whole number of seconds between 0 and 86400`);
  const session = await openSession(argv, io);
  if (!session.nodeTrust) throw new UsageError('cohort dns answers only from signed registry records: give the issuer of the node certificates (--issuer FILE, or security issuers in the client config)');
  // winston stays out of the CLI bundle (see scripts/bundle.mjs): loaded only here.
  const { createLogger } = await import('@cohort/core/log');
  const log = createLogger({ level: (str(argv, 'log-level') ?? 'info') as LogLevel, format: str(argv, 'log-format') === 'json' ? 'json' : 'text' }).child({ ns: 'dns' });
  const catalog = new Catalog({ domain, collective: session.collective });
  const server = new DnsServer(catalog, { host: listen.host, port: listen.port, zone: catalog.zone, ttl, log });
  const bus = await session.openBus();
  const feed = new RegistryFeed({ bus, collective: session.collective, trust: session.nodeTrust, catalog, log });
  try {
    await feed.start();
    try {
      await server.start();
    } catch (err) {
      throw new UsageError(`cannot listen on ${str(argv, 'listen')}: ${(err as Error).message}`, { cause: err });
    }
    const where = listen.host.includes(':') ? `[${listen.host}]:${server.port}` : `${listen.host}:${server.port}`;
    log.info(`answering *.${session.collective}.${domain} on ${where} (UDP and TCP), ttl ${ttl} s`);
    const signal = await untilSignal();
    const c = server.counts;
    log.info(`stopped on ${signal}: ${c.queries} queries (${Object.entries(c.rcodes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), ${c.truncated} truncated`);
    return { kind: 'done' };
  } finally {
    await server.stop();
    await feed.stop();
    await bus.close();
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
